import type { Context } from "hono";
import { attributeBody, endUserOfBody } from "../attribution/attribution";
import { type AppEnv, numberVar } from "../env";
import { toApiError } from "../errors";
import { closeMeter, openMeter } from "../http/meter";
import { ownedReferencesOf } from "../keys/owned";
import { DEFAULT_RESERVE_OUTPUT_TOKENS, inputTokenBound, type ModelApi, outputTokenBound, withPulledIn } from "../metering/bounds";
import type { Usage } from "../metering/cost";
import type { LedgerError, MeteredRequest } from "../metering/metered-request";
import { pulledInTokens } from "../metering/pulled-in";
import { relayStream, type StreamDialect, type StreamEnd, withFirstEvent } from "./sse";
import { upstreamFailure } from "./upstream";

/** The OpenAI-compatible paths (chat/completions, responses): the upstream's answer unchanged, metered. */

export interface OpenMeter {
  meter: MeteredRequest;
  model: string;
}

/**
 * Opens the request's meter (model and tier priced, the largest possible cost reserved against a
 * budget: the request's size with what its stored references pull in, and its output limit, else
 * BUDGET_RESERVE_OUTPUT_TOKENS), runs the call, and when it throws records the failure at zero
 * cost and throws it as the caller's error.
 */
export async function metered(
  c: Context<AppEnv>,
  endpoint: ModelApi,
  body: Record<string, unknown> & { model?: string | undefined; service_tier?: string | null | undefined },
  call: (opened: OpenMeter) => Promise<Response>,
  holdMs?: number,
): Promise<Response> {
  // The end user from OpenAI's own fields, which go upstream as sent; tags come in the header only.
  attributeBody(c, { tags: {}, endUser: endUserOfBody(body) });
  // Another key's stored ids (or ones nanometer never made) are a 404 before anything is reserved or sent.
  const pulledIn = await pulledInTokens(c.get("db"), await ownedReferencesOf(c, body));
  const reserveOutput = numberVar(c.env.BUDGET_RESERVE_OUTPUT_TOKENS, DEFAULT_RESERVE_OUTPUT_TOKENS);
  const bounds = (model: string) => [
    { model, inputTokens: withPulledIn(inputTokenBound({ ...body, model }), pulledIn), outputTokens: outputTokenBound(endpoint, body, reserveOutput) },
  ];
  const opened = await openMeter(c, endpoint, body.model, body.service_tier, bounds, holdMs);
  try {
    return await call(opened);
  } catch (err) {
    const apiError = toApiError(err);
    closeMeter(c, opened.meter, opened.model, apiError.status, apiError);
    throw apiError;
  }
}

/** An answer read whole: billed from its usage at the tier it reports, and handed on as it came. */
export function meteredAnswer(
  c: Context<AppEnv>,
  { meter, model }: OpenMeter,
  answer: { body: string; upstream: string },
  usage: Usage,
  serviceTier: string | null | undefined,
): Response {
  meter.bill(model, answer.upstream, usage, serviceTier);
  closeMeter(c, meter, model, 200, null);
  return c.body(answer.body, 200, { "content-type": "application/json" });
}

/**
 * Relays the upstream's stream to the caller once its first event has come (before it, a failure
 * is the caller's error: `metered` records it); its ledger row is written once the upstream has ended.
 */
export async function meteredStream<E>(
  c: Context<AppEnv>,
  { meter, model }: OpenMeter,
  upstream: { stream: AsyncIterable<E>; upstream: string },
  dialect: StreamDialect<E>,
): Promise<Response> {
  const events = await withFirstEvent(upstream.stream);
  const finish = async (end: StreamEnd) => {
    if (end.usage) meter.bill(model, upstream.upstream, end.usage, end.serviceTier);
    const { status, error } = streamOutcome(end);
    closeMeter(c, meter, model, status, error);
  };
  const deliveryMs = numberVar(c.env.STREAM_DELIVERY_MS, DEFAULT_STREAM_DELIVERY_MS);
  const body = relayStream(events, dialect, finish, (work) => c.executionCtx.waitUntil(work), deliveryMs);
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
  });
}

/** A client that has not taken the rest of a stream 5 s after the upstream's end is taken for gone. */
const DEFAULT_STREAM_DELIVERY_MS = 5_000;

/** How a stream ended, for its ledger row: the caller already has its answer, or what there was of it. */
function streamOutcome(end: StreamEnd): { status: number; error: LedgerError | null } {
  if (end.upstreamError) {
    const failure = upstreamFailure(end.upstreamError);
    return { status: failure.status, error: failure };
  }
  if (end.failure) return { status: 502, error: end.failure };
  // 499: the client closed the request (nginx's convention); its usage is still billed.
  if (end.clientClosed) return { status: 499, error: { type: "client_closed", message: "the client left before the stream ended" } };
  if (!end.usage) return { status: 200, error: USAGE_MISSING };
  return { status: 200, error: null };
}

export const USAGE_MISSING: LedgerError = { type: "usage_missing", message: "the upstream's answer carried no usage" };
