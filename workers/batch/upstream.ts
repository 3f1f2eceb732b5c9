import OpenAI, { APIError } from "openai";
import type { Batch, BatchCreateParams } from "openai/resources/batches";
import type { FileObject } from "openai/resources/files";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { upstreamClient, upstreamFailure, upstreamName, withRetries } from "../openai/upstream";

/** An upload or a download of a file may take far longer than one model call's deadline. */
const FILE_TIMEOUT_MS = 300_000;

/**
 * A call to the upstream's Files or Batch API, within the deadline and with the retries of every
 * upstream call. Its 404 stays a 404 (an expired or deleted file), where other 4xx are the
 * upstream rejecting what nanometer sent.
 */
function call<T>(env: Env, request: (openai: OpenAI, timeout: number) => Promise<T>): Promise<T> {
  return withRetries(env, async (openai, timeout) => {
    try {
      return await request(openai, timeout);
    } catch (err) {
      if (err instanceof APIError && err.status === 404) throw new ApiError(404, "not_found", `the upstream has no such object: ${err.message}`);
      throw err;
    }
  });
}

export const retrieveBatch = (env: Env, id: string) => call(env, (o, timeout) => o.batches.retrieve(id, { timeout }));
export const cancelBatch = (env: Env, id: string) => call(env, (o, timeout) => o.batches.cancel(id, { timeout }));
export const createBatch = (env: Env, params: BatchCreateParams) => call(env, (o, timeout) => o.batches.create(params, { timeout }));
export const retrieveFile = (env: Env, id: string) => call(env, (o, timeout) => o.files.retrieve(id, { timeout }));
export const deleteFile = (env: Env, id: string) => call(env, (o, timeout) => o.files.delete(id, { timeout }));

/** A file's bytes as a stream, and which upstream served them (for the ledger's `upstream`). */
export async function fileContent(env: Env, id: string): Promise<{ body: ReadableStream<Uint8Array>; contentType: string; upstream: string }> {
  const response = await call(env, (o) => o.files.content(id, { timeout: FILE_TIMEOUT_MS }));
  if (!response.body) throw new ApiError(502, "upstream_error", `the upstream sent file ${id} without a body`);
  return {
    body: response.body,
    contentType: response.headers.get("content-type") ?? "application/octet-stream",
    upstream: upstreamName(env, response.headers),
  };
}

/**
 * Uploads a multipart body to the upstream's /files as a stream, never held whole. Not retried:
 * a stream is read once.
 */
export async function uploadFile(env: Env, body: ReadableStream<Uint8Array>, contentType: string): Promise<FileObject> {
  try {
    return await upstreamClient(env).post<FileObject>("/files", { body, headers: { "content-type": contentType }, timeout: FILE_TIMEOUT_MS });
  } catch (err) {
    throw upstreamFailure(err);
  }
}

const ENDED: Partial<Record<Batch["status"], "completed_at" | "expired_at" | "cancelled_at" | "failed_at">> = {
  completed: "completed_at",
  expired: "expired_at",
  cancelled: "cancelled_at",
  failed: "failed_at",
};

/** The moment a terminal batch (completed, expired, cancelled, failed) ended, epoch ms; null while it runs. */
export function endedAt(batch: Batch): number | null {
  const stamp = ENDED[batch.status];
  return stamp ? (batch[stamp] ?? batch.created_at) * 1000 : null;
}
