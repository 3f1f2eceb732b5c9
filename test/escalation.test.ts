import { describe, expect, it } from "vitest";
import { dayOf } from "../workers/spend/days";
import { rollDay } from "../workers/spend/rollup";
import { shadowRate } from "../workers/tasks/shadow";
import type { Env } from "../workers/env";
import { expectedUsd, ledgerRowsOf } from "./support/tasks";
import { db } from "./support/ledger";
import { call, createKey, json } from "./support/worker";

type Row = Record<string, any>;
const priced = (r: Row) => expectedUsd(r as never, r.model);
const rowsOf = async (key: string, requestId: string): Promise<Row[]> =>
  (await ledgerRowsOf(key, requestId)).sort((a: Row, b: Row) => a.attempt - b.attempt);

const NANO_FAILS = "[[sim:fail_rate=1,model=gpt-5.4-nano]]";
const invoice = (tag: string) => ({
  text: `${NANO_FAILS} Invoice ${tag} from ACME, total 120.50`,
  schema: { type: "object", properties: { customer: { type: "string" }, total: { type: "number" } }, required: ["customer", "total"] },
});

describe("escalation: nano's failed answer goes once to mini", () => {
  it("with ESCALATE=auto, answers mini's valid data with two attempts, both in the ledger at their exact cost", async () => {
    const { key } = await createKey();
    const res = await call("/v1/extract", { token: key, body: invoice(crypto.randomUUID()), env: { ESCALATE: "auto" } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.model).toBe("gpt-5.4-mini");
    expect(typeof body.data.customer).toBe("string");
    expect(typeof body.data.total).toBe("number");
    expect(body.attempts.map((a: Row) => [a.model, a.outcome])).toEqual([
      ["gpt-5.4-nano", "invalid"],
      ["gpt-5.4-mini", "ok"],
    ]);
    const rows = await rowsOf(key, body.id);
    expect(rows.map((r) => [r.attempt, r.model, r.outcome, r.status])).toEqual([
      [1, "gpt-5.4-nano", "invalid", 422],
      [2, "gpt-5.4-mini", "ok", 200],
    ]);
    for (const [i, r] of rows.entries()) {
      expect(r.cost_usd).toBe(priced(r));
      expect(body.attempts[i].cost_usd).toBe(r.cost_usd);
    }
    expect(Math.round(body.cost.usd * 1e12)).toBe(rows.reduce((sum, r) => sum + Math.round(r.cost_usd * 1e12), 0));
  });

  it("is off by default: nano's failure is a 422, its tokens still billed", async () => {
    const { key } = await createKey();
    const res = await call("/v1/extract", { token: key, body: invoice(crypto.randomUUID()) });
    expect(res.status).toBe(422);
    const rows = await rowsOf(key, res.headers.get("x-request-id")!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: "gpt-5.4-nano", outcome: "invalid", status: 422 });
    expect(rows[0]!.cost_usd).toBeGreaterThan(0);
  });

  it("can be asked for per request, and refused per request", async () => {
    const { key } = await createKey();
    const on = await call("/v1/extract", { token: key, body: { ...invoice(crypto.randomUUID()), escalate: "auto" } });
    expect(on.status).toBe(200);
    expect((await json(on)).attempts).toHaveLength(2);
    const off = await call("/v1/extract", { token: key, body: { ...invoice(crypto.randomUUID()), escalate: "off" }, env: { ESCALATE: "auto" } });
    expect(off.status).toBe(422);
  });

  it("escalates a classifier's answer under ESCALATE_BELOW, and keeps one above it", async () => {
    const { key } = await createKey();
    const low = await json(await call("/v1/intent", { token: key, body: { text: "hmm", escalate: "auto" }, env: { ESCALATE_BELOW: "1" } }));
    expect(low.attempts[0]).toMatchObject({ model: "gpt-5.4-nano", outcome: "low_confidence" });
    expect(low.attempts[1].model).toBe("gpt-5.4-mini");
    const high = await json(await call("/v1/intent", { token: key, body: { text: "hmm", escalate: "auto" }, env: { ESCALATE_BELOW: "0" } }));
    expect(high.attempts).toEqual([expect.objectContaining({ model: "gpt-5.4-nano", outcome: "ok" })]);
  });
});

describe("the mini projection of an escalated request: mini's attempt alone", () => {
  const pico = (usd: number) => Math.round(usd * 1e12);

  it("answers a saving of minus nano's attempt, and the ledger rows and every spend sum say the same", async () => {
    const { key, id } = await createKey();
    const res = await call("/v1/intent", { token: key, body: { text: `hmm ${crypto.randomUUID()}`, escalate: "auto" }, env: { ESCALATE_BELOW: "1" } });
    expect(res.status).toBe(200);
    const body = await json(res);
    const [nano, mini] = await rowsOf(key, body.id);
    expect([nano!.model, mini!.model]).toEqual(["gpt-5.4-nano", "gpt-5.4-mini"]);
    // Asked of mini directly, nano's attempt would not have happened: it projects nothing.
    expect(nano!.mini_cost_usd).toBe(0);
    expect(mini!.mini_cost_usd).toBe(mini!.cost_usd);
    expect(pico(body.cost.usd)).toBe(pico(nano!.cost_usd) + pico(mini!.cost_usd));
    expect(body.cost.mini_usd).toBe(mini!.cost_usd);
    expect(pico(body.cost.saved_usd)).toBe(-pico(nano!.cost_usd));

    const day = dayOf(Date.now());
    const spend = async () => (await json(await call(`/v1/spend?from=${day}&to=${day}&key_id=${id}&group_by=model`))) as { rows: Row[]; totals: Row };
    const expectSums = ({ rows, totals }: { rows: Row[]; totals: Row }) => {
      expect(rows.map((r) => [r.model, r.cost_usd, r.mini_cost_usd])).toEqual([
        ["gpt-5.4-mini", mini!.cost_usd, mini!.cost_usd],
        ["gpt-5.4-nano", nano!.cost_usd, 0],
      ]);
      expect([totals.cost_usd, totals.mini_cost_usd, totals.saved_usd, totals.escalations]).toEqual([body.cost.usd, body.cost.mini_usd, body.cost.saved_usd, 1]);
    };
    expectSums(await spend());
    // The daily check sums the ledger again: it finds the rollup already right.
    expect((await rollDay(db(), day, Date.now(), 90)).repaired).toBe(0);
    expectSums(await spend());
  });

  it("keeps the projection of a request that did not escalate: its own tokens at mini's prices", async () => {
    const { key } = await createKey();
    const body = await json(await call("/v1/intent", { token: key, body: { text: `hmm ${crypto.randomUUID()}`, escalate: "auto" }, env: { ESCALATE_BELOW: "0" } }));
    const [only] = await rowsOf(key, body.id);
    expect(only!.mini_cost_usd).toBe(expectedUsd(only as never, "gpt-5.4-mini"));
    expect(body.cost.mini_usd).toBe(only!.mini_cost_usd);
    expect(body.cost.saved_usd).toBeGreaterThan(0);
  });
});

describe("shadow comparison: mini asked again, after the caller's answer", () => {
  it("with SHADOW_RATE=1 records mini's real tokens and cost as a shadow row, the caller's answer unchanged", async () => {
    const { key } = await createKey();
    const body = { text: `where is my parcel ${crypto.randomUUID()}` };
    const plain = await json(await call("/v1/intent", { token: key, body }));
    const shadowed = await json(await call("/v1/intent", { token: key, body, env: { SHADOW_RATE: "1" } }));
    for (const field of ["intent", "confidence", "sub_category", "usage", "cost", "attempts"]) expect(shadowed[field]).toEqual(plain[field]);
    const rows = await rowsOf(key, shadowed.id);
    expect(rows).toHaveLength(2);
    const [nano, shadow] = rows;
    expect(nano).toMatchObject({ shadow: false, model: "gpt-5.4-nano" });
    expect(shadow).toMatchObject({ shadow: true, model: "gpt-5.4-mini", attempt: 2, status: 200 });
    expect(typeof shadow!.agreement).toBe("boolean");
    expect(shadow!.cost_usd).toBe(priced(shadow!));
    expect(shadow!.output_tokens).toBeGreaterThan(nano!.output_tokens);
    expect((await rowsOf(key, plain.id)).filter((r) => r.shadow)).toHaveLength(0);
  });

  it("does not judge summaries: agreement is null", async () => {
    const { key } = await createKey();
    const res = await json(await call("/v1/summarize", { token: key, body: { text: "A long text about the sea." }, env: { SHADOW_RATE: "1" } }));
    const shadow = (await rowsOf(key, res.id)).find((r) => r.shadow);
    expect(shadow).toMatchObject({ agreement: null, model: "gpt-5.4-mini" });
  });

  it("reads SHADOW_RATE as a default with per-endpoint overrides", () => {
    const rate = (SHADOW_RATE: string, endpoint: "intent" | "extract") => shadowRate({ SHADOW_RATE } as Env, endpoint);
    expect(rate("", "intent")).toBe(0);
    expect(rate("0.25", "intent")).toBe(0.25);
    expect(rate("0.25,extract=1", "extract")).toBe(1);
    expect(rate("0.25,extract=1", "intent")).toBe(0.25);
    expect(rate("extract=0.5", "intent")).toBe(0);
    expect(rate("7", "intent")).toBe(1);
  });
});
