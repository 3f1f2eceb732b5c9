import { createOpenAI } from "@ai-sdk/openai";
import { generateObject, generateText, streamText } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expectBilled, nonce, responsesRows, upstreamStored } from "./support/responses";
import { workerFetch } from "./support/sdk";
import { createKey } from "./support/worker";

/** Vercel's AI SDK as a new user sets it up: the default OpenAI provider (the Responses API) pointed at nanometer. */
async function aiSdk() {
  const { key } = await createKey();
  const { fetch, settled } = workerFetch();
  const openai = createOpenAI({ baseURL: "http://nanometer.test/v1", apiKey: key, fetch });
  return { key, model: openai("gpt-5.4-nano"), settled };
}

/** The response id the provider reports, and what the upstream stored for it. */
async function upstreamOf(metadata: { openai?: { responseId?: unknown } } | undefined) {
  const id = metadata?.openai?.responseId;
  expect(id).toMatch(/^resp_/);
  return upstreamStored(id as string);
}

describe("Vercel's AI SDK, default OpenAI provider, through nanometer", () => {
  it("generateText: the answer, its usage, one row at the exact cost", async () => {
    const { key, model, settled } = await aiSdk();
    const result = await generateText({ model, prompt: `Say hello to ${nonce()}` });
    await settled();
    const stored = await upstreamOf(result.providerMetadata);
    expect(result.text).toBe(stored.output.find((item: { type: string }) => item.type === "message").content[0].text);
    expect(result.usage.inputTokens).toBe(stored.usage.input_tokens);
    expect(result.usage.outputTokens).toBe(stored.usage.output_tokens);
    const [row, ...rest] = await responsesRows(key);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({ status: 200, error: null });
    expectBilled(row, stored.usage);
  });

  it("streamText: the text streamed, billed from the stream's terminal event", async () => {
    const { key, model, settled } = await aiSdk();
    const result = streamText({ model, prompt: `Tell a short story about ${nonce()}` });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    await settled();
    expect(text).toBe(await result.text);
    expect(text.length).toBeGreaterThan(0);
    const stored = await upstreamOf(await result.providerMetadata);
    expect((await result.usage).outputTokens).toBe(stored.usage.output_tokens);
    const [row] = await responsesRows(key);
    expect(row).toMatchObject({ status: 200, error: null });
    expectBilled(row, stored.usage);
  });

  it("generateObject: an object valid against the zod schema, the schema's tokens billed", async () => {
    const { key, model, settled } = await aiSdk();
    const Invoice = z.object({ customer: z.string(), total: z.number(), currency: z.enum(["EUR", "USD"]) });
    const result = await generateObject({ model, schema: Invoice, prompt: `Invoice ${nonce()} for ACME, 120.50 EUR` });
    await settled();
    expect(Invoice.safeParse(result.object).success).toBe(true);
    const stored = await upstreamOf(result.providerMetadata);
    expect(stored.text.format).toMatchObject({ type: "json_schema" });
    expectBilled((await responsesRows(key))[0], stored.usage);
  });
});
