import { describe, expect, it } from "vitest";
import { openaiClient, upstreamAnswer } from "./support/sdk";
import { expectedUsd } from "./support/tasks";
import { call, createKey, dispatch, json } from "./support/worker";

type Row = { input_tokens: number; cached_tokens: number; output_tokens: number; reasoning_tokens: number; cost_usd: number; mini_cost_usd: number; status: number; error: string | null; endpoint: string };

async function ledgerRows(key: string): Promise<Row[]> {
  return (await json(await call("/v1/spend/requests?endpoint=chat.completions", { token: key }))).data;
}

const nonce = () => crypto.randomUUID();
/** A prompt long enough for the prompt cache (over 1024 tokens), unique to one test. */
const longPrompt = (id: string) => `${id} ${"The quick brown fox jumps over the lazy dog. ".repeat(150)}`;

describe("POST /v1/chat/completions with the official openai SDK", () => {
  it("answers a plain completion unchanged and records one row at the exact cost", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const request = { messages: [{ role: "user" as const, content: `Say hello ${nonce()}` }] };
    const answer = await client.chat.completions.create({ model: "gpt-5.4-nano", ...request });
    await settled();
    const direct = await upstreamAnswer(request);
    expect(answer.choices).toEqual(direct.choices);
    expect(answer.usage).toEqual(direct.usage);
    const [row, ...rest] = await ledgerRows(key);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({
      status: 200,
      input_tokens: direct.usage!.prompt_tokens,
      output_tokens: direct.usage!.completion_tokens,
      reasoning_tokens: direct.usage!.completion_tokens_details!.reasoning_tokens,
    });
    expect(row!.cost_usd).toBe(expectedUsd(row!));
  });

  it("defaults the model to gpt-5.4-nano", async () => {
    const { key } = await createKey();
    const res = await call("/v1/chat/completions", { token: key, body: { messages: [{ role: "user", content: "hi" }] } });
    expect(res.status).toBe(200);
    expect((await json(res)).model).toBe("gpt-5.4-nano");
  });

  it("streams chunk by chunk; a client that did not ask for usage gets none, and the row has it", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const request = { messages: [{ role: "user" as const, content: `Tell me a long story about ${nonce()} and the sea and the wind` }] };
    const stream = await client.chat.completions.create({ model: "gpt-5.4-nano", ...request, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    await settled();
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
    const direct = await upstreamAnswer(request);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(direct.choices[0]!.message.content);
    const [row] = await ledgerRows(key);
    expect(row).toMatchObject({ status: 200, error: null, input_tokens: direct.usage!.prompt_tokens, output_tokens: direct.usage!.completion_tokens });
    expect(row!.cost_usd).toBe(expectedUsd(row!));
  });

  it("forwards the usage chunk, cache breakdown included, to a client that asked for it", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const messages = [{ role: "user" as const, content: longPrompt(nonce()) }];
    const usages = [];
    for (let i = 0; i < 2; i++) {
      const stream = await client.chat.completions.create({ model: "gpt-5.4-nano", messages, stream: true, stream_options: { include_usage: true } });
      let last;
      for await (const chunk of stream) last = chunk;
      usages.push(last!.usage!);
    }
    await settled();
    expect(usages[0]!.prompt_tokens_details!.cached_tokens).toBe(0);
    expect(usages[1]!.prompt_tokens_details!.cached_tokens).toBeGreaterThanOrEqual(1024);
    const [second, first] = await ledgerRows(key);
    expect(first!.cached_tokens).toBe(0);
    expect(second!.cached_tokens).toBe(usages[1]!.prompt_tokens_details!.cached_tokens);
    expect(second!.cost_usd).toBe(expectedUsd(second!));
    expect(second!.cost_usd).toBeLessThan(first!.cost_usd);
  });

  it("still records a stream the client abandons, with its usage", async () => {
    const { key } = await createKey();
    const { response, settled } = await dispatch("/v1/chat/completions", {
      token: key,
      body: { stream: true, messages: [{ role: "user", content: `A very long answer please ${nonce()} ${"word ".repeat(50)}` }] },
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await settled();
    const rows = await ledgerRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 499, error: expect.stringContaining("client_closed") });
    expect(rows[0]!.output_tokens).toBeGreaterThan(0);
    expect(rows[0]!.cost_usd).toBe(expectedUsd(rows[0]!));
  });

  it("hands on a stream that carries no usage whole, and records it as usage_missing, never a silent 0", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const request = { messages: [{ role: "user" as const, content: `No usage please ${nonce()} [[sim:usage=omit]]` }] };
    const stream = await client.chat.completions.create({ model: "gpt-5.4-nano", ...request, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    await settled();
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe((await upstreamAnswer(request)).choices[0]!.message.content);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    const rows = await ledgerRows(key);
    expect(rows).toEqual([expect.objectContaining({ status: 200, cost_usd: 0, input_tokens: 0, output_tokens: 0, error: expect.stringMatching(/^usage_missing/) })]);
  });

  it("refuses a request without messages or with an unpriced model, recording nothing", async () => {
    const { key } = await createKey();
    const noMessages = await call("/v1/chat/completions", { token: key, body: { model: "gpt-5.4-nano" } });
    expect(noMessages.status).toBe(400);
    expect((await json(noMessages)).error.field).toBe("messages");
    const unpriced = await call("/v1/chat/completions", { token: key, body: { model: "gpt-9", messages: [{ role: "user", content: "x" }] } });
    expect(unpriced.status).toBe(400);
    expect((await json(unpriced)).error.field).toBe("model");
    expect(await ledgerRows(key)).toHaveLength(0);
  });

  it("passes the upstream's own 4xx back as a clear error, recorded at zero cost", async () => {
    const { key } = await createKey();
    const res = await call("/v1/chat/completions", { token: key, body: { messages: [{ role: "user", content: "[[sim:fault=400]]" }] } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.type).toBe("upstream_rejected");
    const [row] = await ledgerRows(key);
    expect(row).toMatchObject({ status: 400, cost_usd: 0, input_tokens: 0 });
  });
});
