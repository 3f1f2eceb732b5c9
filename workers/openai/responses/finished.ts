import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { usageFromResponses } from "../../metering/cost";
import type { LedgerError, MeteredRequest } from "../../metering/metered-request";
import { USAGE_MISSING } from "../passthrough";

/** A Response once it will not change again, and how it is billed. */

type Finished = Pick<OpenAIResponse, "status" | "error" | "usage" | "service_tier">;

const FINISHED_STATUSES = new Set(["completed", "incomplete", "failed", "cancelled"]);

/** A Response (as the upstream answered it) that is completed, incomplete, failed or cancelled. */
export const isFinished = (response: unknown): response is OpenAIResponse =>
  FINISHED_STATUSES.has(String((response as Partial<OpenAIResponse> | null)?.status));

/** A failed Response is an upstream failure in the ledger (status 502), billed for what usage it reports. */
export function failureOf(response: Pick<OpenAIResponse, "status" | "error">): LedgerError | null {
  if (response.status !== "failed") return null;
  const reason = response.error ? `${response.error.code}: ${response.error.message}` : "no reason given";
  return { type: "response_failed", message: `the response failed: ${reason}` };
}

const CANCELLED: LedgerError = { type: "cancelled", message: "the background response was cancelled before it reported usage" };

/** Bills a finished Response on `meter` at the tier it reports; its ledger row's status and error. */
export function billFinished(meter: MeteredRequest, model: string, upstream: string, response: Finished): { status: number; error: LedgerError | null } {
  if (response.usage) meter.bill(model, upstream, usageFromResponses(response.usage), response.service_tier);
  const failure = failureOf(response);
  if (failure) return { status: 502, error: failure };
  if (!response.usage) return { status: 200, error: response.status === "cancelled" ? CANCELLED : USAGE_MISSING };
  return { status: 200, error: null };
}
