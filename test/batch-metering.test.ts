import { describe, expect, it } from "vitest";
import { lineBudget, meterBatch } from "../workers/batch/meter";
import { retrieveBatch } from "../workers/batch/upstream";
import { gateOf } from "../workers/keys/budget";
import { ownerOf } from "../workers/keys/owned";
import { env } from "cloudflare:workers";
import { db } from "./support/ledger";
import { batchRows, chatLine, createBatch, keySpendPico, pollBatch, pollCron, resultLines, upstreamBatchWhen } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { expectedPico, expectedUsd } from "./support/spec-prices";
import { call, createKey } from "./support/worker";

const nonce = () => crypto.randomUUID();
const lines = (n: number, tag = nonce()) => Array.from({ length: n }, (_, i) => chatLine(`line-${i}`, `Translate line ${i} of ${tag} into French`));
const ended = (b: { status: string }) => ["completed", "expired", "cancelled", "failed"].includes(b.status);
const picoOf = (rows: any[]) => rows.reduce((sum, r) => sum + expectedPico(r, "gpt-5.4-nano", "batch"), 0n);

/**
 * Each line once, at the exact batch price, and the key's budget moved by exactly their sum: its
 * ledger counter, and its gate, whose reservation for the batch has ended.
 */
async function expectEachOnce(key: string, keyId: string, batchId: string, customIds: string[]) {
  const rows = await batchRows(key, batchId);
  expect(rows.map((r) => r.request_id).sort()).toEqual(customIds.map((id) => `${batchId}:${id}`).sort());
  for (const row of rows) expect(row.cost_usd).toBe(expectedUsd(row, "gpt-5.4-nano", "batch"));
  expect(BigInt(await keySpendPico(keyId))).toBe(picoOf(rows));
  const gate = await gateOf(env, keyId).snapshot(keyId);
  expect([gate.daySpent, gate.dayReserved]).toEqual([picoOf(rows), 0n]);
  return rows;
}

describe("Metering a terminal batch: exactly once", () => {
  it("a GET and a cron run at the same moment meter it once; further GETs and runs write nothing", async () => {
    const { key, id: keyId } = await createKey({ daily_budget_usd: 10 });
    const { client, settled } = openaiClient(key);
    const batch = await createBatch(client, lines(5));
    await upstreamBatchWhen(batch.id, ended);
    await Promise.all([client.batches.retrieve(batch.id), pollCron(), client.batches.retrieve(batch.id), pollCron()]);
    await settled();
    const rows = await expectEachOnce(key, keyId, batch.id, ["line-0", "line-1", "line-2", "line-3", "line-4"]);
    for (let i = 0; i < 3; i++) await Promise.all([client.batches.retrieve(batch.id), pollCron()]);
    await settled();
    expect(await batchRows(key, batch.id)).toEqual(rows);
  });

  it("interrupted after its first chunk, it resumes where it stopped and bills no line twice", async () => {
    const { key, id: keyId } = await createKey({ daily_budget_usd: 10 });
    const { client, settled } = openaiClient(key);
    const batch = await createBatch(client, lines(1_100));
    const done = await upstreamBatchWhen(batch.id, ended, 60_000);
    const owned = (await ownerOf(db(), "batch", batch.id))!;
    // A budget of one line stops after the first chunk, as a run cut short would.
    expect(await meterBatch(env, db(), owned, await retrieveBatch(env, batch.id), { lines: 1 })).toBe("partial");
    expect(await batchRows(key, batch.id)).toHaveLength(500);
    expect((await ownerOf(db(), "batch", batch.id))!.settledAt).toBeNull();

    await Promise.all([pollCron(), client.batches.retrieve(batch.id)]);
    await settled();
    expect(await meterBatch(env, db(), owned, done, lineBudget())).toBe("settled"); // an old snapshot of the owner: a no-op rerun
    await expectEachOnce(key, keyId, batch.id, Array.from({ length: 1_100 }, (_, i) => `line-${i}`));
    expect((await ownerOf(db(), "batch", batch.id))!.settledAt).not.toBeNull();
  }, 120_000);
});

describe("What each result line bills", () => {
  it("an error line is a row with its error at zero cost; the lines that answered are billed", async () => {
    const { key, id: keyId } = await createKey();
    const { client, settled } = openaiClient(key);
    const batch = await pollBatch(
      client,
      (await createBatch(client, [chatLine("ok", `Fine ${nonce()}`), chatLine("bad", `[[sim:fault=400]] ${nonce()}`), chatLine("down", `[[sim:fault=500]] ${nonce()}`)])).id,
    );
    await settled();
    expect(batch.request_counts).toMatchObject({ completed: 1, failed: 2 });
    expect((await resultLines(client, batch.error_file_id)).map((l) => l.response?.status_code).sort()).toEqual([400, 500]);
    const rows = await expectEachOnce(key, keyId, batch.id, ["ok", "bad", "down"]);
    const row = (id: string) => rows.find((r) => r.request_id === `${batch.id}:${id}`);
    expect(row("ok")).toMatchObject({ status: 200, error: null, service_tier: "batch" });
    expect(row("ok").cost_usd).toBeGreaterThan(0);
    expect(row("bad")).toMatchObject({ status: 400, error: expect.stringMatching(/^upstream_rejected: /), cost_usd: 0, input_tokens: 0, batch_id: batch.id });
    expect(row("down")).toMatchObject({ status: 502, error: expect.stringMatching(/^upstream_error: /), cost_usd: 0 });
  });

  it("an expired batch bills the lines that finished; the expired ones are rows at zero, status 504", async () => {
    const { key, id: keyId } = await createKey();
    const { client, settled } = openaiClient(key);
    const batch = await pollBatch(client, (await createBatch(client, lines(4), { sim_expire_after: "2" })).id);
    await settled();
    expect(batch.status).toBe("expired");
    const rows = await expectEachOnce(key, keyId, batch.id, ["line-0", "line-1", "line-2", "line-3"]);
    const billed = rows.filter((r) => r.cost_usd > 0).map((r) => r.request_id.split(":")[1]).sort();
    expect(billed).toEqual(["line-0", "line-1"]);
    for (const r of rows.filter((r) => r.cost_usd === 0)) expect(r).toMatchObject({ status: 504, error: expect.stringMatching(/^batch_expired: /) });
    expect(rows.every((r) => r.time === new Date(batch.expired_at! * 1000).toISOString())).toBe(true);
  });

  it("a batch the upstream failed before running any line is settled with nothing to bill", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const batch = await pollBatch(client, (await createBatch(client, lines(2), { sim_fail_validation: "1" })).id);
    await settled();
    expect(batch.status).toBe("failed");
    expect(await batchRows(key, batch.id)).toEqual([]);
    expect((await ownerOf(db(), "batch", batch.id))!.settledAt).not.toBeNull();
  });

  it("a cancelled batch bills the lines done before the cancel, and nothing for the lines never run", async () => {
    const { key, id: keyId } = await createKey();
    const { client, settled } = openaiClient(key);
    const tag = nonce();
    const batch = await createBatch(client, [chatLine("a", `first ${tag}`), chatLine("b", `second ${tag}`), chatLine("hang", `[[sim:fault=timeout]] ${tag}`), chatLine("never", tag)]);
    await pollBatch(client, batch.id, (b) => b.request_counts?.completed === 2);
    expect((await client.batches.cancel(batch.id)).status).toBe("cancelling");
    const cancelled = await pollBatch(client, batch.id);
    await settled();
    expect(cancelled.status).toBe("cancelled");
    await expectEachOnce(key, keyId, batch.id, ["a", "b"]);
  });

  it("GET /v1/spend/requests?batch_id= lists one batch's rows, apart from the key's other batches", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const [one, two] = [await createBatch(client, lines(2)), await createBatch(client, lines(3))];
    for (const batch of [one, two]) await pollBatch(client, batch.id);
    await settled();
    expect((await batchRows(key, one.id)).map((r) => r.batch_id)).toEqual([one.id, one.id]);
    expect((await batchRows(key, two.id)).map((r) => r.batch_id)).toEqual([two.id, two.id, two.id]);
    const all = await (await call("/v1/spend/requests", { token: key })).json<any>();
    expect(all.data).toHaveLength(5);
  });
});
