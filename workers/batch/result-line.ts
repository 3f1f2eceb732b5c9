import { APIError } from "openai";
import type { LedgerError } from "../metering/metered-request";
import { type Usage, usageFromChat, usageFromResponses } from "../metering/cost";
import { upstreamFailure } from "../openai/upstream";

/** One line of a batch's output or error file (OpenAI's BatchRequestOutput), as it is billed. */
export interface ResultLine {
  customId: string;
  /** The status the caller would have had online for this request (a 2xx answer: its own). */
  status: number;
  /** The answer, when the line was answered with a 2xx. */
  answer: Record<string, unknown> | null;
  /** The usage it reports; null when it reports none (billed at 0). */
  usage: Usage | null;
  error: LedgerError | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads a result line; null for one that is not (no JSON object with a custom_id), which names
 * no request to bill. Usage is read the way the batch's endpoint reports it. A failed answer gets
 * the status and error the same failure gets online (upstreamFailure); a line without an answer
 * is 504 when the batch expired before it ran, else 502.
 */
export function readResultLine(text: string, endpoint: string): ResultLine | null {
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(line) || typeof line.custom_id !== "string") return null;
  const customId = line.custom_id;
  const response = isObject(line.response) ? line.response : null;
  if (!response) {
    const error = isObject(line.error) ? line.error : {};
    const type = typeof error.code === "string" ? error.code : "upstream_error";
    const message = typeof error.message === "string" ? error.message : "the line has neither a response nor an error";
    return { customId, status: type === "batch_expired" ? 504 : 502, answer: null, usage: null, error: { type, message } };
  }
  const status = Number(response.status_code);
  const body = isObject(response.body) ? response.body : null;
  const usage = isObject(body?.usage) ? (endpoint === "responses" ? usageFromResponses(body.usage) : usageFromChat(body.usage)) : null;
  if (status >= 200 && status < 300) return { customId, status, answer: body, usage, error: null };
  const failure = upstreamFailure(APIError.generate(status, body ?? undefined, undefined, new Headers()));
  return { customId, status: failure.status, answer: null, usage, error: failure };
}
