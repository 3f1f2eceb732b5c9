import type { Context } from "hono";
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "openai/resources/chat/completions";
import { z } from "zod";
import { attributeBody, endUserOfBody } from "../attribution/attribution";
import { type AppEnv, numberVar } from "../env";
import { toApiError } from "../errors";
import { readJson, validate } from "../http/body";
import { DEFAULT_RESERVE_OUTPUT_TOKENS, inputTokenBound, outputTokenBound } from "../metering/bounds";
import { usageFromChat } from "../metering/cost";
import type { LedgerError } from "../metering/metered-request";
import { closeMeter, openMeter } from "../http/meter";
import { relayStream, type StreamEnd } from "./sse";
import { createCompletion, createCompletionStream, upstreamFailure } from "./upstream";

/** Only what nanometer needs to meter the call; everything else goes upstream as sent. */
const chatRequest = z.looseObject({
  model: z.string().min(1).max(100).optional(),
  messages: z.array(z.looseObject({ role: z.string() })).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  service_tier: z.string().max(50).nullish(),
});

/** POST /v1/chat/completions: the OpenAI request upstream as sent, the answer back unchanged, metered. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const body = validate(chatRequest, await readJson(c));
  // The end user from OpenAI's own fields, which go upstream as sent; tags come in the header only.
  attributeBody(c, { tags: {}, endUser: endUserOfBody(body) });
  const reserveOutput = numberVar(c.env.BUDGET_RESERVE_OUTPUT_TOKENS, DEFAULT_RESERVE_OUTPUT_TOKENS);
  const { meter, model } = await openMeter(c, "chat.completions", body.model, body.service_tier, (m) => [
    { model: m, inputTokens: inputTokenBound({ ...body, model: m }), outputTokens: outputTokenBound(body, reserveOutput) },
  ]);
  try {
    if (body.stream) return await streamed(c, { ...body, model, stream: true } as ChatCompletionCreateParamsStreaming, meter, model);
    const answer = await createCompletion(c.env, { ...body, model } as ChatCompletionCreateParamsNonStreaming);
    meter.bill(model, answer.upstream, usageFromChat(answer.completion.usage), answer.completion.service_tier);
    closeMeter(c, meter, model, 200, null);
    return c.body(answer.body, 200, { "content-type": "application/json" });
  } catch (err) {
    const apiError = toApiError(err);
    closeMeter(c, meter, model, apiError.status, apiError);
    throw apiError;
  }
}

async function streamed(
  c: Context<AppEnv>,
  params: ChatCompletionCreateParamsStreaming,
  meter: Awaited<ReturnType<typeof openMeter>>["meter"],
  model: string,
): Promise<Response> {
  const forwardUsage = params.stream_options?.include_usage === true;
  // Usage is asked for whether or not the caller did: a streamed call is billed like any other.
  const { stream, upstream } = await createCompletionStream(c.env, {
    ...params,
    stream_options: { ...params.stream_options, include_usage: true },
  });
  const finish = async (end: StreamEnd) => {
    if (end.usage) meter.bill(model, upstream, usageFromChat(end.usage), end.serviceTier);
    const { status, error } = streamOutcome(end);
    closeMeter(c, meter, model, status, error);
  };
  const body = relayStream(stream, forwardUsage, finish, (work) => c.executionCtx.waitUntil(work));
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
  });
}

/** How a stream ended, for its ledger row: the caller already has its answer, or what there was of it. */
function streamOutcome(end: StreamEnd): { status: number; error: LedgerError | null } {
  if (end.upstreamError) {
    const failure = upstreamFailure(end.upstreamError);
    return { status: failure.status, error: failure };
  }
  // 499: the client closed the request (nginx's convention); its usage is still billed.
  if (end.clientClosed) return { status: 499, error: { type: "client_closed", message: "the client left before the stream ended" } };
  if (!end.usage) return { status: 200, error: { type: "usage_missing", message: "the upstream's stream carried no usage" } };
  return { status: 200, error: null };
}
