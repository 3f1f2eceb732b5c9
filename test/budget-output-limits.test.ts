import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { batchRows, jsonl, pollBatch, upload } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

const nonce = () => crypto.randomUUID();
const pico = (usd: number) => BigInt(Math.round(usd * 1e12));

async function billedPico(keyId: string): Promise<bigint> {
  const row = await env.DB.prepare("SELECT coalesce(sum(cost_pico), 0) AS cost FROM ledger WHERE key_id = ?").bind(keyId).first<{ cost: number }>();
  return BigInt(row!.cost);
}

/**
 * A Responses request that writes several hundred output tokens (512 of reasoning at `high`) and
 * names a limit that only Chat Completions honours: the upstream ignores it.
 */
const responsesBody = (i: number, extra: Record<string, unknown> = {}) => ({
  model: "gpt-5.4-nano",
  input: `tell me about parcel ${i} ${nonce()}`,
  reasoning: { effort: "high" },
  max_completion_tokens: 1,
  ...extra,
});

const responsesLine = (i: number, extra: Record<string, unknown> = {}) => ({
  custom_id: `line-${i}`,
  method: "POST",
  url: "/v1/responses",
  body: responsesBody(i, extra),
});

describe("budgets: a call reserves the output limit its API honours, and only that one", () => {
  it("60 parallel /v1/responses calls with max_completion_tokens: 1 bill no more than a $0.02 budget", async () => {
    const budget = 0.02;
    const { key, id } = await createKey({ daily_budget_usd: budget });
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => call("/v1/responses", { token: key, body: responsesBody(i) }).then((r) => r.status)));
    expect(statuses).toContain(200);
    expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
    expect(await billedPico(id)).toBeLessThanOrEqual(pico(budget));
  }, 60_000);

  it("/v1/responses reserves max_output_tokens when it is given, whatever max_completion_tokens says", async () => {
    // 600 output tokens at $1.25 per 1M are $0.00075, beside a few hundred input tokens: a $0.001 budget holds one such call.
    const { key } = await createKey({ daily_budget_usd: 0.001 });
    const honoured = await call("/v1/responses", { token: key, body: responsesBody(0, { max_output_tokens: 600 }) });
    expect(honoured.status).toBe(200);
    const larger = await call("/v1/responses", { token: key, body: responsesBody(1, { max_output_tokens: 2000, max_completion_tokens: 16 }) });
    expect(larger.status).toBe(402);
  });

  it("/v1/chat/completions does not take max_output_tokens (a Responses field) as its limit", async () => {
    // The default reservation, 4096 output tokens ($0.00512), cannot fit a $0.004 budget.
    const { key } = await createKey({ daily_budget_usd: 0.004 });
    const body = { model: "gpt-5.4-nano", messages: [{ role: "user", content: "hi" }], max_output_tokens: 16 };
    expect((await call("/v1/chat/completions", { token: key, body })).status).toBe(402);
  });

  it("a batch of /v1/responses lines with max_completion_tokens: 1 reserves each line's default output: 402 on a $0.002 budget", async () => {
    const { key, id } = await createKey({ daily_budget_usd: 0.002 });
    const { client } = openaiClient(key);
    const file = await upload(client, jsonl(Array.from({ length: 40 }, (_, i) => responsesLine(i))));
    const res = await call("/v1/batches", { token: key, body: { input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" } });
    expect([res.status, (await json(res)).error?.type]).toEqual([402, "budget_exceeded"]);
    expect(await billedPico(id)).toBe(0n);
  });

  it("a batch of /v1/responses lines with max_output_tokens is reserved at it, admitted, and billed inside the budget", async () => {
    // 10 lines × 600 output tokens, reserved at the dearer default price ($1.25 per 1M): $0.0075, beside their input.
    const budget = 0.01;
    const { key, id } = await createKey({ daily_budget_usd: budget });
    const { client, settled } = openaiClient(key);
    const file = await upload(client, jsonl(Array.from({ length: 10 }, (_, i) => responsesLine(i, { max_output_tokens: 600 }))));
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" });
    await pollBatch(client, batch.id);
    await settled();
    expect(await batchRows(key, batch.id)).toHaveLength(10);
    expect(await billedPico(id)).toBeLessThanOrEqual(pico(budget));
  }, 60_000);
});
