import { describe, expect, it } from "vitest";
import { batchRows, chatLine, jsonl, pollBatch, pollCron, resultLines, upload } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { expectedUsd } from "./support/spec-prices";
import { createKey } from "./support/worker";

const nonce = () => crypto.randomUUID();

describe("The seed's Batch snippet, with the official openai SDK, pointed at nanometer", () => {
  it("uploads, creates, waits, downloads the answers, and bills each line once at the exact batch price", async () => {
    const { key, id: keyId } = await createKey();
    const { client, settled } = openaiClient(key);
    const texts = ["The council approved the budget on Tuesday.", "Le conseil a approuvé le budget mardi.", "Summarize: rain all week."];
    const lines = texts.map((text, i) => chatLine(`doc-${i}`, `Summarize in one line: ${text} ${nonce()}`));

    const file = await upload(client, jsonl(lines));
    expect(file).toMatchObject({ object: "file", purpose: "batch", filename: "requests.jsonl" });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    expect(created).toMatchObject({ object: "batch", input_file_id: file.id, endpoint: "/v1/chat/completions" });
    const batch = await pollBatch(client, created.id);
    await settled();
    expect(batch.status).toBe("completed");
    expect(batch.request_counts).toMatchObject({ total: 3, completed: 3, failed: 0 });

    const answers = await resultLines(client, batch.output_file_id);
    expect(answers.map((a) => a.custom_id).sort()).toEqual(["doc-0", "doc-1", "doc-2"]);
    const rows = await batchRows(key, batch.id);
    expect(rows).toHaveLength(3);
    for (const answer of answers) {
      const usage = answer.response!.body.usage;
      const row = rows.find((r) => r.request_id === `${batch.id}:${answer.custom_id}`);
      expect(row).toMatchObject({
        attempt: 1,
        key_id: keyId,
        endpoint: "chat.completions",
        model: "gpt-5.4-nano",
        service_tier: "batch",
        batch_id: batch.id,
        status: 200,
        error: null,
        input_tokens: usage.prompt_tokens,
        cached_tokens: usage.prompt_tokens_details.cached_tokens,
        output_tokens: usage.completion_tokens,
        reasoning_tokens: usage.completion_tokens_details.reasoning_tokens,
        time: new Date(batch.completed_at! * 1000).toISOString(),
      });
      expect(row.cost_usd).toBe(expectedUsd(row, "gpt-5.4-nano", "batch"));
      expect(row.mini_cost_usd).toBe(expectedUsd(row, "gpt-5.4-mini", "batch"));
    }

    for (let i = 0; i < 3; i++) {
      await client.batches.retrieve(batch.id);
      await pollCron();
    }
    await settled();
    expect(await batchRows(key, batch.id)).toEqual(rows);
  });

  it("meters a /v1/responses batch from the Responses usage of each line, endpoint responses", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const line = (id: string, input: string) => ({ custom_id: id, method: "POST", url: "/v1/responses", body: { model: "gpt-5.4-mini", input, reasoning: { effort: "low" } } });
    const file = await upload(client, jsonl([line("r1", `Route this ticket ${nonce()}`), line("r2", `And this one ${nonce()}`)]));
    const created = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" });
    const batch = await pollBatch(client, created.id);
    await settled();
    const answers = await resultLines(client, batch.output_file_id);
    const rows = await batchRows(key, batch.id);
    expect(rows).toHaveLength(2);
    for (const answer of answers) {
      const usage = answer.response!.body.usage;
      const row = rows.find((r) => r.request_id === `${batch.id}:${answer.custom_id}`);
      expect(row).toMatchObject({
        endpoint: "responses",
        model: "gpt-5.4-mini",
        service_tier: "batch",
        input_tokens: usage.input_tokens,
        cached_tokens: usage.input_tokens_details.cached_tokens,
        output_tokens: usage.output_tokens,
        reasoning_tokens: usage.output_tokens_details.reasoning_tokens,
      });
      expect(row.reasoning_tokens).toBeGreaterThan(0);
      expect(row.cost_usd).toBe(expectedUsd(row, "gpt-5.4-mini", "batch"));
      expect(row.mini_cost_usd).toBe(row.cost_usd);
    }
  });
});
