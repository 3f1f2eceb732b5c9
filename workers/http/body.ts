import type { Context } from "hono";
import type { z } from "zod";
import { ApiError, badRequest } from "../errors";

/** A body that stopped before its end: fewer bytes than its content-length, or its connection lost midway. */
const brokeOff = () => badRequest("the request body broke off before the length its content-length gives");

/** The request's JSON body; 400 when it is not JSON, or empty unless the body is optional (then `{}`). */
export async function readJson(c: Context, required = true): Promise<unknown> {
  const text = await c.req.text().catch(() => {
    throw brokeOff();
  });
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

/**
 * Hands the request's body to `send` as a stream of its content-length (so it goes on with the
 * length it came with, never held), watching it: when `send` fails because the body stopped
 * short (ended early, or its connection was lost), that is the caller's 400, not a fault of
 * where it was sent.
 */
export async function relayBody<T>(body: ReadableStream<Uint8Array>, length: number | null, send: (body: ReadableStream<Uint8Array>) => Promise<T>): Promise<T> {
  const reader = body.getReader();
  let [seen, short] = [0, false];
  const watched = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) {
          seen += value.byteLength;
          return controller.enqueue(value);
        }
        short = length !== null && seen < length;
        controller.close();
      } catch (err) {
        short = true;
        controller.error(err);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  try {
    return await send(length === null ? watched : watched.pipeThrough(new FixedLengthStream(length)));
  } catch (err) {
    throw short ? brokeOff() : err;
  }
}
