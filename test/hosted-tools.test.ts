import { APIError } from "openai";
import type { Tool } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { jsonl, upload } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

/** OpenAI's hosted tools, each billed per call (or container, or image) outside `usage`. */
const HOSTED: Tool[] = [
  { type: "web_search" },
  { type: "web_search_preview" },
  { type: "file_search", vector_store_ids: ["vs_1"] },
  { type: "code_interpreter", container: { type: "auto" } },
  { type: "image_generation" },
  { type: "computer_use_preview", display_width: 1024, display_height: 768, environment: "browser" },
  { type: "mcp", server_label: "docs", server_url: "https://mcp.example/sse" },
];

const weather: Tool = { type: "function", name: "weather", parameters: { type: "object", properties: {} }, strict: false };

async function errorOf(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  return error;
}

const rowsOf = async (key: string) => (await json(await call("/v1/spend/requests", { token: key }))).data;

describe("hosted tools, billed outside usage, are refused until they are priced", () => {
  it("/v1/responses, streamed or not: 400 naming tools[i].type and the tool, nothing recorded; function tools pass", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    for (const tool of HOSTED) {
      for (const stream of [false, true]) {
        const error = await errorOf(client.responses.create({ model: "gpt-5.4-nano", input: "look it up", tools: [weather, tool], stream }));
        expect(error.status, tool.type).toBe(400);
        expect(error.error, tool.type).toMatchObject({ type: "invalid_request", field: "tools[1].type", message: expect.stringContaining(tool.type) });
      }
    }
    const answer = await client.responses.create({ model: "gpt-5.4-nano", input: "weather?", tools: [weather] });
    expect(answer.status).toBe("completed");
    // A custom tool goes upstream too (the simulator, which runs function tools only, rejects it there).
    const custom = await errorOf(client.responses.create({ model: "gpt-5.4-nano", input: "patch it", tools: [{ type: "custom", name: "patch" }] }));
    expect(custom.error).toMatchObject({ type: "upstream_rejected" });
    await settled();
    expect(await rowsOf(key)).toEqual([expect.objectContaining({ status: 400 }), expect.objectContaining({ endpoint: "responses", status: 200 })]);
  });

  it("/v1/chat/completions: web_search_options is refused by name, nothing recorded", async () => {
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const messages = [{ role: "user" as const, content: "news?" }];
    const error = await errorOf(client.chat.completions.create({ model: "gpt-5.4-nano", messages, web_search_options: {} }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ type: "invalid_request", field: "web_search_options", message: expect.stringContaining("web search") });
    expect(await rowsOf(key)).toEqual([]);
  });

  it("a batch of /v1/responses lines: 400 naming the line and its tools[i].type, no batch created", async () => {
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const line = (id: string, tools: Tool[]) => ({ custom_id: id, method: "POST", url: "/v1/responses", body: { model: "gpt-5.4-nano", input: "hi", tools } });
    const file = await upload(client, jsonl([line("a", [weather]), line("b", [weather, { type: "web_search" }])]));
    const error = await errorOf(client.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ type: "invalid_request", field: "input_file_id", message: expect.stringMatching(/line 2 .*tools\[1\]\.type is web_search/) });
    expect((await client.batches.list()).data).toEqual([]);
  });
});
