import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { usageFromResponses } from "../workers/metering/cost";
import { relayStream, type StreamEnd } from "../workers/openai/sse";
import { responsesDialect } from "../workers/openai/responses/stream";
import { openaiSchemaErrors } from "./support/openai-schemas";
import { expectPublishedEvents, nonce, sseEvents } from "./support/responses";
import { simulatorClient } from "./support/sdk";

/**
 * Endings the simulator cannot produce (a `response.failed` terminal event, a stream that breaks
 * off): the simulator's own events, replayed through the relay with that ending.
 */
async function simulatorEvents(): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of await simulatorClient().responses.create({ model: "gpt-5.4-nano", input: `relay ${nonce()}`, stream: true })) events.push(event);
  return events;
}

async function relay(upstream: AsyncIterable<ResponseStreamEvent>): Promise<{ text: string; end: StreamEnd }> {
  let ended!: (end: StreamEnd) => void;
  const done = new Promise<StreamEnd>((resolve) => (ended = resolve));
  const body = relayStream(upstream, responsesDialect(), async (end) => ended(end), () => undefined, 1_000);
  const text = await new Response(body).text();
  return { text, end: await done };
}

describe("the Responses stream dialect of the one SSE relay", () => {
  it("a terminal response.failed: handed on unchanged, its usage billed, the call marked failed", async () => {
    const events = await simulatorEvents();
    const completed = events.at(-1) as Extract<ResponseStreamEvent, { type: "response.completed" }>;
    const failedResponse = { ...completed.response, status: "failed" as const, error: { code: "server_error" as const, message: "overloaded" } };
    const failed = { type: "response.failed" as const, sequence_number: completed.sequence_number, response: failedResponse };
    expect(openaiSchemaErrors("ResponseFailedEvent", failed)).toEqual([]);

    const { text, end } = await relay((async function* () {
      yield* events.slice(0, -1);
      yield failed;
    })());
    const handedOn = sseEvents(text);
    expectPublishedEvents(handedOn);
    expect(handedOn).toEqual(JSON.parse(JSON.stringify([...events.slice(0, -1), failed])));
    expect(end.usage).toEqual(usageFromResponses(completed.response.usage));
    expect(end.failure).toEqual({ type: "response_failed", message: "the response failed: server_error: overloaded" });
  });

  it("a stream that breaks off ends with an error event of OpenAI's shape, numbered next, and no usage", async () => {
    const events = await simulatorEvents();
    const { text, end } = await relay((async function* () {
      yield* events.slice(0, 3);
      throw new Error("connection reset");
    })());
    const handedOn = sseEvents(text);
    expect(handedOn).toHaveLength(4);
    expect(handedOn[3]).toEqual({ type: "error", code: "upstream_error", message: "the upstream stream broke off", param: null, sequence_number: 3 });
    expect(openaiSchemaErrors("ResponseErrorEvent", handedOn[3])).toEqual([]);
    expect(end).toMatchObject({ usage: null, upstreamError: expect.any(Error) });
  });

  it("an upstream `error` event is handed on and marks the call failed", async () => {
    const events = await simulatorEvents();
    const error = { type: "error" as const, code: "rate_limit_exceeded", message: "slow down", param: null, sequence_number: 2 };
    const { text, end } = await relay((async function* () {
      yield* events.slice(0, 2);
      yield error;
    })());
    expect(sseEvents(text).at(-1)).toEqual(error);
    expect(end.failure).toEqual({ type: "upstream_error", message: "the upstream's stream reported an error: rate_limit_exceeded slow down" });
  });
});
