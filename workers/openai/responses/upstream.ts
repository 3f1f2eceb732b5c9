import { NotFoundError } from "openai";
import type { Stream } from "openai/core/streaming";
import type {
  Response as OpenAIResponse,
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
  ResponseStreamEvent,
} from "openai/resources/responses/responses";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { readAnswer, upstreamName, withRetries } from "../upstream";

/** The Responses API upstream: the same client, deadline, retries and fault mapping as Chat Completions. */

const isResponse = (value: object) => (value as OpenAIResponse).object === "response" && typeof (value as OpenAIResponse).id === "string";

/** One Responses call, answered whole: the body as it came, and the Response parsed from it. */
export async function createResponse(env: Env, params: ResponseCreateParamsNonStreaming) {
  const answer = await withRetries(env, async (openai, timeout) =>
    readAnswer(env, await openai.responses.create(params, { timeout }).asResponse(), isResponse),
  );
  return { ...answer, data: answer.data as OpenAIResponse };
}

/** One streamed Responses call; the deadline covers the wait for the stream to start. */
export function createResponseStream(
  env: Env,
  params: ResponseCreateParamsStreaming,
): Promise<{ stream: Stream<ResponseStreamEvent>; upstream: string }> {
  return withRetries(env, async (openai, timeout) => {
    const { data, response } = await openai.responses.create(params, { timeout }).withResponse();
    return { stream: data, upstream: upstreamName(env, response.headers) };
  });
}

export type Query = Record<string, string | string[]>;

/**
 * A stored response's route asked of the upstream as the caller asked it (`/responses/{id}`,
 * `/input_items`, `/cancel`), its JSON answer read whole. An id the upstream does not know is a
 * 404 here, as it is for an id nanometer does not know.
 */
export function storedResponseCall(env: Env, method: "get" | "post" | "delete", id: string, tail = "", query?: Query) {
  return withRetries(env, async (openai, timeout) => {
    try {
      const path = `/responses/${encodeURIComponent(id)}${tail}`;
      return await readAnswer(env, await openai[method](path, { query, timeout }).asResponse(), () => true);
    } catch (err) {
      if (err instanceof NotFoundError) throw new ApiError(404, "not_found", `no response with id ${id}`);
      throw err;
    }
  });
}
