/**
 * The most tokens a call can be billed, without a tokenizer in the Worker: what a budget reserves
 * before the call (keys/budget.ts). Never below the truth, generous rather than exact.
 */

/** No model's context holds more (gpt-4.1's is 1 047 576 tokens): the cap on any input bound. */
export const MAX_CONTEXT_TOKENS = 1_048_576;
/** An image part: OpenAI bills at most a few thousand tokens for one (its largest, detail high). */
export const IMAGE_TOKENS = 10_000;
/** Default output a passthrough call reserves when it sets no limit (BUDGET_RESERVE_OUTPUT_TOKENS). */
export const DEFAULT_RESERVE_OUTPUT_TOKENS = 4096;

const IMAGE_PARTS = new Set(["image_url", "input_image"]);
/** Parts whose tokens the request's size does not bound (audio, files): the whole context. */
const UNBOUNDED_PARTS = new Set(["input_audio", "input_file", "file"]);

const encoder = new TextEncoder();

/**
 * Input tokens a request can hold, at most: its JSON's UTF-8 bytes. Every o200k token is at least
 * one byte of text, and the request's JSON holds every text the prompt is made of (messages,
 * tools, schemas) and, for each message, more bytes of JSON than the few tokens that frame it.
 * Images add IMAGE_TOKENS each; audio and files can hold a whole context. What the stored
 * objects it names pull in (a previous response, referenced items) is added by `withPulledIn`.
 */
export function inputTokenBound(request: unknown): number {
  let extra = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const { type } = node as { type?: unknown };
      if (typeof type === "string" && IMAGE_PARTS.has(type)) extra += IMAGE_TOKENS;
      if (typeof type === "string" && UNBOUNDED_PARTS.has(type)) extra += MAX_CONTEXT_TOKENS;
      Object.values(node).forEach(visit);
    }
  };
  visit(request);
  return Math.min(MAX_CONTEXT_TOKENS, encoder.encode(JSON.stringify(request)).byteLength + extra);
}

/** A request's input bound with the tokens its stored references pull in (pulled-in.ts), within a context. */
export const withPulledIn = (bound: number, pulledIn: readonly number[]) => Math.min(MAX_CONTEXT_TOKENS, pulledIn.reduce((sum, n) => sum + n, bound));

/** A positive whole number from a request field, else undefined. */
const limit = (value: unknown) => (Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : undefined);

/** The two model APIs a passthrough call or a batch line targets, by their ledger names. */
export type ModelApi = "chat.completions" | "responses";

/**
 * Output tokens a request to `api` can be billed: the limit that API honours (reasoning counts
 * against it), else `fallback`. A limit of the other API is ignored, as the upstream ignores it.
 * Chat Completions: `max_completion_tokens` or the deprecated `max_tokens` (the larger, should a
 * request give both), times `n` choices. Responses: `max_output_tokens`, one answer.
 */
export function outputTokenBound(api: ModelApi, request: Record<string, unknown>, fallback: number): number {
  if (api === "responses") return limit(request.max_output_tokens) ?? fallback;
  const limits = [limit(request.max_completion_tokens), limit(request.max_tokens)].filter((l) => l !== undefined);
  const own = limits.length ? Math.max(...limits) : fallback;
  return own * (limit(request.n) ?? 1);
}
