/**
 * `JSON.rawJSON` (TC39 "JSON.parse source text access", in V8 and so in workerd): a value that
 * JSON.stringify writes as the given JSON text. TypeScript's lib does not declare it yet.
 */
interface RawJSON {
  readonly rawJSON: string;
}

interface JSON {
  rawJSON(text: string): RawJSON;
  isRawJSON(value: unknown): value is RawJSON;
}
