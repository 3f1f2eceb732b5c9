import { zodTextFormat } from "openai/helpers/zod";
import type { FunctionTool, ResponseFunctionToolCall } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openaiSchemaErrors } from "./support/openai-schemas";
import { expectBilled, expectPublishedEvents, longPrompt, nonce, responsesRows, sseEvents, upstreamStored } from "./support/responses";
import { openaiClient } from "./support/sdk";
import { call, createKey, dispatch, json } from "./support/worker";

const model = "gpt-5.4-nano";

const weatherTool: FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

describe("POST /v1/responses with the official openai SDK", () => {
  it("responses.create: the upstream's Response unchanged (OpenAI's schema), one row at the exact cost", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const raw = await client.responses.create({ model, input: `Say hello ${nonce()}`, instructions: "Be brief." }).asResponse();
    const body = (await raw.json()) as any;
    await settled();
    expect(raw.headers.get("content-type")).toContain("application/json");
    expect(openaiSchemaErrors("Response", body)).toEqual([]);
    expect(body).toEqual(await upstreamStored(body.id));
    const [row, ...rest] = await responsesRows(key);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({ request_id: raw.headers.get("x-request-id"), status: 200, error: null });
    expectBilled(row, body.usage);
  });

  it("streams event by event: every event handed on fits OpenAI's schema; billed from the terminal event", async () => {
    const { key } = await createKey();
    const { response, settled } = await dispatch("/v1/responses", { token: key, body: { model, input: `Tell me a story about ${nonce()} and the sea`, stream: true } });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = sseEvents(await response.text());
    await settled();
    expectPublishedEvents(events);
    const completed = events.at(-1)!;
    expect(completed.type).toBe("response.completed");
    expect(completed.response).toEqual(await upstreamStored(completed.response.id));
    const [row] = await responsesRows(key);
    expect(row).toMatchObject({ status: 200, error: null });
    expectBilled(row, completed.response.usage);
  });

  it("responses.stream: the SDK's stream helper gets the text and the final response", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const stream = client.responses.stream({ model, input: `Describe ${nonce()} in a few words`, reasoning: { effort: "low" } });
    let text = "";
    for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
    const final = await stream.finalResponse();
    await settled();
    expect(text).toBe(final.output_text);
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(64);
    expectBilled((await responsesRows(key))[0], final.usage);
  });

  it("responses.parse with a zod format: parsed output, the schema's tokens billed", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const Ticket = z.object({ title: z.string(), priority: z.enum(["low", "medium", "high"]) });
    const parsed = await client.responses.parse({ model, input: `The checkout page times out ${nonce()}`, text: { format: zodTextFormat(Ticket, "ticket") } });
    await settled();
    expect(Ticket.safeParse(parsed.output_parsed).success).toBe(true);
    expectBilled((await responsesRows(key))[0], parsed.usage);
  });

  it("a function tool round trip with previous_response_id: two rows, each at its own exact cost", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const first = await client.responses.create({ model, input: `What is the weather in Lisbon? ${nonce()}`, tools: [weatherTool] });
    const toolCall = first.output.find((item): item is ResponseFunctionToolCall => item.type === "function_call");
    expect(toolCall?.name).toBe("get_weather");
    const second = await client.responses.create({
      model,
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: toolCall!.call_id, output: '{"temperature":21}' }],
      tools: [weatherTool],
    });
    await settled();
    expect(second.output_text).not.toBe("");
    // The earlier turn is context, so input tokens: the second call costs more input than the first.
    expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);
    const [secondRow, firstRow] = await responsesRows(key);
    expectBilled(firstRow, first.usage);
    expectBilled(secondRow, second.usage);
  });

  it("bills cached and cache-write tokens as the upstream reports them", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const request = { model, instructions: longPrompt(nonce()), input: "hi", prompt_cache_key: nonce() };
    const written = await client.responses.create(request);
    const read = await client.responses.create(request);
    await settled();
    expect(written.usage!.input_tokens_details).toMatchObject({ cached_tokens: 0, cache_write_tokens: expect.any(Number) });
    expect((written.usage!.input_tokens_details as { cache_write_tokens: number }).cache_write_tokens).toBeGreaterThanOrEqual(1024);
    expect(read.usage!.input_tokens_details.cached_tokens).toBeGreaterThanOrEqual(1024);
    const [readRow, writtenRow] = await responsesRows(key);
    expectBilled(writtenRow, written.usage);
    expectBilled(readRow, read.usage);
    expect(readRow!.cost_usd).toBeLessThan(writtenRow!.cost_usd);
  });

  it("bills at the tier the answer reports (flex at half price); the model defaults to nano", async () => {
    const { key } = await createKey();
    const res = await call("/v1/responses", { token: key, body: { input: `which tier? ${nonce()}`, service_tier: "flex" } });
    const body = await json(res);
    expect(body).toMatchObject({ model, service_tier: "flex" });
    expectBilled((await responsesRows(key))[0], body.usage, "flex");
  });

  it("refuses an unpriced model or tier before any call, recording nothing", async () => {
    const { key } = await createKey();
    const unpriced = await call("/v1/responses", { token: key, body: { model: "gpt-9", input: "x" } });
    expect(unpriced.status).toBe(400);
    expect((await json(unpriced)).error.field).toBe("model");
    const priority = await call("/v1/responses", { token: key, body: { input: "x", service_tier: "priority" } });
    expect((await json(priority)).error.field).toBe("service_tier");
    const badStream = await call("/v1/responses", { token: key, body: { input: "x", stream: "yes" } });
    expect((await json(badStream)).error.field).toBe("stream");
    expect(await responsesRows(key)).toHaveLength(0);
  });
});
