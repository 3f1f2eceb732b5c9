import { type Schema, Validator } from "@cfworker/json-schema";
import { app } from "../../workers/app";
import { openapiDocument } from "../../workers/openapi/document";

interface Operation {
  tags?: string[];
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown>; webhooks: Record<string, any> };

export const openapi = () => openapiDocument(app) as unknown as Document;
export const isOpenAICompatible = (op: Operation) => op.tags?.includes("OpenAI-compatible") ?? false;

/** A path template as a pattern: /v1/admin/keys/{id} matches /v1/admin/keys/key_1. */
const pattern = (template: string) => new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`);

/** The document's operation for a method and a concrete path; a path without a parameter wins (/v1/batches/tasks). */
export function operationOf(method: string, path: string): Operation | undefined {
  const paths = openapi().paths;
  const templates = Object.keys(paths).filter((t) => pattern(t).test(path) && paths[t]![method.toLowerCase()]);
  templates.sort((a, b) => a.split("{").length - b.split("{").length);
  return templates[0] === undefined ? undefined : paths[templates[0]]![method.toLowerCase()];
}

const validators = new Map<object, Validator>();

/** Where `value` breaks `schema` (a schema of the document, its $refs resolved in it): "at /path (keyword): reason". */
export function schemaProblems(schema: object, value: unknown): string[] {
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = new Validator({ ...schema, components: openapi().components } as Schema, "2020-12", false)));
  const result = validator.validate(value);
  return result.valid ? [] : result.errors.map((e) => `at ${e.instanceLocation} (${e.keywordLocation}): ${e.error}`);
}

/**
 * What is wrong with an answer of the Worker against the document: its status must be one its
 * operation declares, and its JSON body must fit the schema declared for that status. An answer
 * to a path and method no operation has (a 404, a 405) must be the error shape. OpenAI-compatible
 * operations are skipped: their answers are checked against OpenAI's own schemas.
 */
export async function undocumented(method: string, path: string, response: Response): Promise<string[]> {
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!;
  if (method === "HEAD" || method === "OPTIONS") return [];
  const operation = operationOf(method, path);
  if (operation && isOpenAICompatible(operation)) return [];
  if (type !== "application/json") {
    const declared = operation?.responses[response.status]?.content;
    if (!operation || declared?.[type] || (response.status === 304 && type === "")) return [];
    return [`${response.status} ${type || "without a content-type"} is not among the answers documented for ${method} ${path}`];
  }
  const body = await response.clone().json();
  if (!operation) return schemaProblems({ $ref: "#/components/schemas/Error" }, body);
  const schema = operation.responses[response.status]?.content?.["application/json"]?.schema;
  if (!schema) return [`${response.status} is not among the answers documented for ${method} ${path}`];
  return schemaProblems(schema, body);
}

/** Throws when an answer does not fit the document (see `undocumented`), naming the call and the first problems. */
export async function expectDocumented(request: Request, response: Response): Promise<void> {
  const { pathname } = new URL(request.url);
  const problems = await undocumented(request.method, pathname, response);
  if (problems.length > 0) {
    throw new Error(`${request.method} ${pathname} answered ${response.status} off its OpenAPI document:\n${problems.slice(0, 5).join("\n")}`);
  }
}
