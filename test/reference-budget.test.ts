import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { jsonl, upload } from "./support/batches";
import { MODEL as model, outcome } from "./support/references";
import { openaiClient } from "./support/sdk";
import { call, createKey } from "./support/worker";

/** What the ledger has billed a key, in USD. */
async function billedUsd(keyId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT coalesce(sum(cost_pico), 0) AS pico FROM ledger WHERE key_id = ?").bind(keyId).first<{ pico: number }>();
  return row!.pico / 1e12;
}

/** A key that holds a 150 000-token input item, then gets a daily budget of `usd` beyond what that cost. */
async function keyWithBigItem(usd: number) {
  const { key, id } = await createKey({ daily_budget_usd: 1 });
  const { client, settled } = openaiClient(key);
  const big = await client.responses.create({ model, input: `${crypto.randomUUID()} ${"The quick brown fox jumps over the lazy dog. ".repeat(15_000)}` });
  expect(big.usage!.input_tokens).toBeGreaterThan(150_000);
  const [item] = (await client.responses.inputItems.list(big.id)).data;
  await settled();
  const before = await billedUsd(id);
  await call(`/v1/admin/keys/${id}`, { method: "PATCH", body: { daily_budget_usd: Math.ceil((before + usd) * 1e6) / 1e6 } });
  return { id, client, settled, big, itemId: item!.id!, before };
}

describe("a reservation counts what a request's stored references pull in", () => {
  it("40 parallel calls each referencing a 150 000-token item stay within a $0.05 budget; the rest are refused", async () => {
    const { id, client, settled, itemId, before } = await keyWithBigItem(0.05);
    // A fresh instruction each, so no call finds the item in the prompt cache: each pays it whole.
    const calls = Array.from({ length: 40 }, (_, i) => outcome(client.responses.create({ model, instructions: `call ${i}`, input: [{ type: "item_reference", id: itemId }] })));
    const statuses = (await Promise.all(calls)).map((c) => c.status);
    await settled();
    const spent = (await billedUsd(id)) - before;
    expect(spent).toBeLessThanOrEqual(0.05);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 402 || s === 429)).toBe(true);
  }, 120_000);

  it("a previous_response_id reserves its response's billed size, and a batch line's references count the same way", async () => {
    const { client, itemId } = await keyWithBigItem(0.05);
    const small = await client.responses.create({ model, input: "Say hello" });
    // The small response is a few hundred tokens: its continuation fits a $0.05 budget (a whole context would not).
    expect((await outcome(client.responses.create({ model, input: "and then?", previous_response_id: small.id }))).status).toBe(200);
    // 40 lines each pulling in 150 000 tokens cannot fit, even at the batch price.
    const lines = Array.from({ length: 40 }, (_, i) => ({ custom_id: `l${i}`, method: "POST", url: "/v1/responses", body: { model, max_output_tokens: 16, input: [{ type: "item_reference", id: itemId }] } }));
    const file = await upload(client, jsonl(lines));
    const batch = await outcome(client.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" }));
    expect(batch).toMatchObject({ status: 402, error: { type: "budget_exceeded" } });
  }, 120_000);
});
