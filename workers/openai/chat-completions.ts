import type { Context } from "hono";
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "openai/resources/chat/completions";
import { z } from "zod";
import type { AppEnv } from "../env";
import { readJson, validate } from "../http/body";
import { usageFromChat } from "../metering/cost";
import { refuseHostedTools } from "./hosted-tools";
import { metered, meteredAnswer, meteredStream } from "./passthrough";
import type { StreamDialect } from "./sse";
import { createCompletion, createCompletionStream } from "./upstream";

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
  refuseHostedTools(body);
  return metered(c, "chat.completions", body, async (opened) => {
    const { model } = opened;
    if (body.stream) {
      // Usage is asked for whether or not the caller did: a streamed call is billed like any other.
      const params = { ...body, model, stream: true, stream_options: { ...body.stream_options, include_usage: true } };
      const upstream = await createCompletionStream(c.env, params as ChatCompletionCreateParamsStreaming);
      return meteredStream(c, opened, upstream, chatDialect(body.stream_options?.include_usage === true));
    }
    const answer = await createCompletion(c.env, { ...body, model } as ChatCompletionCreateParamsNonStreaming);
    return meteredAnswer(c, opened, answer, usageFromChat(answer.completion.usage), answer.completion.service_tier);
  });
}

const data = (chunk: unknown) => `data: ${JSON.stringify(chunk)}\n\n`;

/** The usage-only chunk that `stream_options.include_usage` adds at the end. */
const isUsageChunk = (chunk: ChatCompletionChunk) => chunk.choices.length === 0 && chunk.usage != null;

/**
 * Chat chunks: usage in the chunk that carries it, the tier in every chunk. When the caller did
 * not ask for usage, nanometer asked for it on its own account: then the usage chunk and the
 * `usage: null` fields are not forwarded.
 */
export function chatDialect(forwardUsage: boolean): StreamDialect<ChatCompletionChunk> {
  return {
    inspect(chunk, end) {
      if (chunk.usage) end.usage = usageFromChat(chunk.usage);
      if (chunk.service_tier) end.serviceTier = chunk.service_tier;
      if (chunk.choices.some((choice) => choice.finish_reason)) end.finished = true;
    },
    frame(chunk) {
      if (forwardUsage) return data(chunk);
      if (isUsageChunk(chunk)) return null;
      const { usage: _omitted, ...rest } = chunk;
      return data(rest);
    },
    last: "data: [DONE]\n\n",
    error: (message) => data({ error: { type: "upstream_error", message } }),
  };
}
