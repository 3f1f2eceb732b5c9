import type { Context } from "hono";
import type { z } from "zod";
import { ApiError, badRequest } from "../errors";

/** The request's JSON body; 400 when it is not JSON, or empty unless the body is optional (then `{}`). */
export async function readJson(c: Context, required = true): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "" && !required) return {};
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "the request body must be a JSON object");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "the request body is not valid JSON");
  }
}

/** Validates with zod; the 400 names the first offending field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown field is named itself, so a typo points at the typo.
  const path = issue?.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : (issue?.path ?? []);
  const field = path.map(String).join(".") || undefined;
  throw badRequest(field ? `${field}: ${issue?.message}` : (issue?.message ?? "invalid request"), field);
}
