import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dbFor } from "../workers/db/client";
import type { NewLedgerRow } from "../workers/db/schema";
import { ROWS_PER_STATEMENT, writeLedgerRows } from "../workers/metering/ledger";
import { flakyD1 } from "./support/flaky-d1";
import { call, createKey, dispatch, json } from "./support/worker";

const row = (requestId: string): NewLedgerRow => ({
  requestId,
  attempt: 1,
  time: Date.now(),
  keyId: "key_ledger_test",
  endpoint: "intent",
  model: "gpt-5.4-nano",
  upstream: "simulator",
  status: 200,
  error: null,
  inputTokens: 100,
  cachedTokens: 0,
  outputTokens: 10,
  reasoningTokens: 0,
  costPico: 32_500_000,
  miniCostPico: 120_000_000,
  latencyMs: 5,
});

const count = async (requestId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM ledger WHERE request_id = ?").bind(requestId).first<{ n: number }>())!.n;

describe("the ledger writer: nothing lost, nothing twice", () => {
  it("retries a failed D1 write until it lands", async () => {
    const d1 = flakyD1(env.DB, 2);
    await writeLedgerRows(dbFor(d1), [row("req_retry")], 1);
    expect(d1.failed()).toBe(2);
    expect(await count("req_retry")).toBe(1);
  });

  it("makes a replayed write a no-op, never a duplicate", async () => {
    const db = dbFor(env.DB);
    await writeLedgerRows(db, [row("req_replay")]);
    await writeLedgerRows(db, [row("req_replay")]);
    expect(await count("req_replay")).toBe(1);
  });

  it("writes many rows at once, past D1's limit of 100 bound values per statement", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ ...row("req_many"), attempt: i + 1 }));
    await writeLedgerRows(dbFor(env.DB), rows);
    expect(await count("req_many")).toBe(30);
  });

  it("writes a batch larger than one statement takes in one transaction: all of its rows, or none", async () => {
    const n = ROWS_PER_STATEMENT * 2 + 7;
    const rows = Array.from({ length: n }, (_, i) => ({ ...row("req_past_one_statement"), attempt: i + 1 }));
    const bad = { ...row("req_past_one_statement_bad"), attempt: n + 1, endpoint: null } as unknown as NewLedgerRow;
    await expect(writeLedgerRows(dbFor(env.DB), [...rows, bad], 1)).rejects.toThrow();
    expect(await count("req_past_one_statement")).toBe(0);
    expect(await writeLedgerRows(dbFor(env.DB), rows)).toHaveLength(n);
    expect(await count("req_past_one_statement")).toBe(n);
  });

  it("retries a failed write of several rows (one batch) until all of them land", async () => {
    const d1 = flakyD1(env.DB, 2);
    const rows = [1, 2, 3].map((attempt) => ({ ...row("req_retry_batch"), attempt }));
    await writeLedgerRows(dbFor(d1), rows, 1);
    expect(d1.failed()).toBe(2);
    expect(await count("req_retry_batch")).toBe(3);
  });

  it("stores a row's every field as given, and the schema's defaults for the fields it leaves out", async () => {
    const shadow = { ...row("req_fields"), attempt: 2, status: 200, outcome: "ok", shadow: 1, agreement: 1, pairCostPico: 32_500_000, serviceTier: "flex" };
    await writeLedgerRows(dbFor(env.DB), [row("req_fields")]);
    await writeLedgerRows(dbFor(env.DB), [shadow]);
    const stored = await env.DB.prepare("SELECT * FROM ledger WHERE request_id = 'req_fields' ORDER BY attempt").all();
    const { requestId: _, ...base } = row("req_fields");
    expect(stored.results).toEqual([
      expect.objectContaining({
        attempt: 1,
        outcome: "ok",
        shadow: 0,
        agreement: null,
        pair_cost_pico: null,
        error: null,
        cost_pico: base.costPico,
        service_tier: "default",
        cache_write_tokens: 0,
      }),
      expect.objectContaining({ attempt: 2, outcome: "ok", shadow: 1, agreement: 1, pair_cost_pico: 32_500_000, cost_pico: base.costPico, service_tier: "flex" }),
    ]);
  });

  it("gives up after its attempts and says so, rather than pretending", async () => {
    const d1 = flakyD1(env.DB, 100);
    const error = await writeLedgerRows(dbFor(d1), [row("req_lost")], 1).then(() => null, (e: Error) => e);
    expect(error?.cause ?? error).toEqual(new Error("D1_ERROR: injected failure"));
    expect(await count("req_lost")).toBe(0);
  });

  it("records a real call whose first ledger writes fail, after the caller has its answer", async () => {
    const { key } = await createKey();
    const d1 = flakyD1(env.DB, 2);
    const { response, settled } = await dispatch("/v1/intent", { token: key, body: { text: "flaky d1" }, env: { DB: d1 } });
    expect(response.status).toBe(200);
    const { id } = await json(response);
    await settled();
    expect(d1.failed()).toBe(2);
    expect(await count(id)).toBe(1);
  });
});

describe("the ledger under load", () => {
  it("400 calls at 40 concurrent give 400 rows, no duplicates, each at its answer's exact cost", async () => {
    const { key, id: keyId } = await createKey();
    const answers: { id: string; cost: { usd: number } }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 400) {
        const i = next++;
        const res = await call("/v1/intent", { token: key, body: { text: `load message ${i}` } });
        expect(res.status).toBe(200);
        answers.push(await json(res));
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    const rows = await env.DB.prepare("SELECT request_id, cost_pico FROM ledger WHERE key_id = ?")
      .bind(keyId)
      .all<{ request_id: string; cost_pico: number }>();
    expect(rows.results).toHaveLength(400);
    const byRequest = new Map(rows.results.map((r) => [r.request_id, r.cost_pico]));
    expect(byRequest.size).toBe(400);
    for (const a of answers) expect(byRequest.get(a.id)).toBe(Math.round(a.cost.usd * 1e12));
  }, 120_000);
});
