import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { expectBilled, nonce, responsesRows, upstreamStored } from "./support/responses";
import { workerFetch } from "./support/sdk";
import { expectedUsd } from "./support/spec-prices";
import { call, createKey, json } from "./support/worker";

/** LangChain's ChatOpenAI pointed at nanometer, on the Responses API or on Chat Completions. */
async function chatModel(useResponsesApi: boolean) {
  const { key } = await createKey();
  const { fetch, settled } = workerFetch();
  const model = new ChatOpenAI({
    model: "gpt-5.4-nano",
    apiKey: key,
    useResponsesApi,
    maxRetries: 0,
    configuration: { baseURL: "http://nanometer.test/v1", fetch },
  });
  return { key, model, settled };
}

describe("LangChain's ChatOpenAI through nanometer", () => {
  it("with useResponsesApi: a Responses call, one row at the exact cost", async () => {
    const { key, model, settled } = await chatModel(true);
    const message = await model.invoke(`Say hello to ${nonce()}`);
    await settled();
    const stored = await upstreamStored(message.response_metadata.id as string);
    expect(message.text).toBe(stored.output.find((item: { type: string }) => item.type === "message").content[0].text);
    expect(message.usage_metadata?.input_tokens).toBe(stored.usage.input_tokens);
    expectBilled((await responsesRows(key))[0], stored.usage);
  });

  it("plain chat: a Chat Completions call, metered as chat.completions", async () => {
    const { key, model, settled } = await chatModel(false);
    const message = await model.invoke(`Say hello to ${nonce()}`);
    await settled();
    expect(message.text.length).toBeGreaterThan(0);
    const rows = (await json(await call("/v1/spend/requests", { token: key }))).data;
    expect(rows).toEqual([expect.objectContaining({ endpoint: "chat.completions", status: 200, input_tokens: message.usage_metadata?.input_tokens })]);
    expect(rows[0].cost_usd).toBe(expectedUsd(rows[0]));
  });
});
