import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { NewLedgerRow } from "../workers/db/schema";
import { rollup } from "../workers/db/schema";
import { measuredCost, wilson } from "../workers/spend/estimates";
import { rollDay } from "../workers/spend/rollup";
import { at, db, exactly, NO_SHADOW, seed, sums } from "./support/ledger";
import { call, json } from "./support/worker";

const roll = (day: string) => rollDay(db(), day, at(day, 24, 15), 90);
const spend = async (query: string) => json(await call(`/v1/spend?${query}`));

/** A nano request and its shadow row: mini's answer to it, `agreement` judged or not. */
async function shadowed(day: string, keyId: string, endpoint: string, nanoOut: number, miniOut: number, agreement: 0 | 1 | null) {
  const requestId = `rq_${crypto.randomUUID()}`;
  const [own] = await seed([{ time: at(day), keyId, endpoint, requestId, usage: { outputTokens: nanoOut } }]);
  const [shadow] = await seed([
    {
      time: at(day),
      keyId,
      endpoint,
      requestId,
      attempt: 2,
      model: "gpt-5.4-mini",
      usage: { outputTokens: miniOut },
      shadow: { agreement, pairCostPico: own!.costPico },
    },
  ]);
  return { own: own!, shadow: shadow! };
}

const moments = (pairs: { own: NewLedgerRow; shadow: NewLedgerRow }[]) => ({
  n: pairs.length,
  sumX: pairs.reduce((s, p) => s + p.own.costPico, 0),
  sumY: pairs.reduce((s, p) => s + p.shadow.costPico, 0),
  sumXX: pairs.reduce((s, p) => s + p.own.costPico ** 2, 0),
  sumYY: pairs.reduce((s, p) => s + p.shadow.costPico ** 2, 0),
  sumXY: pairs.reduce((s, p) => s + p.own.costPico * p.shadow.costPico, 0),
});

describe("shadow rows in the rollup", () => {
  it("leave the request's own spend alone: it counts once, at its own last attempt, its cost without the shadow's", async () => {
    const day = "2026-03-03";
    const { own, shadow } = await shadowed(day, "kX", "intent", 100, 400, 1);
    const { totals } = await roll(day);
    expect(totals).toMatchObject({ requests: 1, errors: 0, ...exactly(sums([own])) });
    // Apart, in the group of the model the request asked for: no mini group appears.
    expect(await db().select().from(rollup).where(eq(rollup.day, day))).toEqual([
      {
        day, keyId: "kX", endpoint: "intent", model: "gpt-5.4-nano", serviceTier: "default", requests: 1, errors: 0, ...sums([own]), ...NO_SHADOW,
        shadowRequests: 1, shadowCostPico: shadow.costPico, judged: 1, agreed: 1,
        pairs: 1, pairNanoCostPico: own.costPico, pairMiniCostPico: shadow.costPico,
        pairNanoSq: own.costPico ** 2, pairMiniSq: shadow.costPico ** 2, pairCross: own.costPico * shadow.costPico,
        prefixTokens: 0, prefixMissedTokens: 0,
      },
    ]);
  });
});

describe("GET /v1/spend with shadow pairs", () => {
  it("shows them apart with agreement, the measured projection and cost per success, the same live and rolled", async () => {
    const day = "2026-03-04";
    const key = `kY_${crypto.randomUUID()}`;
    const intent = [
      await shadowed(day, key, "intent", 100, 300, 1),
      await shadowed(day, key, "intent", 200, 400, 0),
      await shadowed(day, key, "intent", 300, 800, 1),
    ];
    const extract = [await shadowed(day, key, "extract", 150, 500, 1)];
    const summary = await shadowed(day, key, "summarize", 100, 200, null);
    const plain = await seed([{ time: at(day), keyId: key, endpoint: "intent" }, { time: at(day), keyId: key, endpoint: "intent", status: 422 }]);

    const query = `from=${day}&to=${day}&key_id=${key}&group_by=endpoint`;
    const live = await spend(query);
    await roll(day);
    const rolled = await spend(query);
    expect(rolled.rows).toEqual(live.rows);
    expect(rolled.totals).toEqual(live.totals);

    const usd = (pico: number) => pico / 1e12;
    const intentCost = sums([...intent.map((p) => p.own), ...plain]).costPico;
    const measured = measuredCost([{ cost: intentCost, pairs: moments(intent) }])!;
    const agreement = wilson(2, 3)!;
    expect(rolled.rows.find((r: { endpoint: string }) => r.endpoint === "intent")).toMatchObject({
      requests: 5,
      errors: 1,
      cost_usd: usd(intentCost),
      escalations: 0,
      shadow_requests: 3,
      shadow_cost_usd: usd(sums(intent.map((p) => p.shadow)).costPico),
      agreement: 2 / 3,
      agreement_low: agreement.low,
      agreement_high: agreement.high,
      mini_cost_usd_measured: usd(measured.estimate),
      mini_cost_usd_measured_low: usd(measured.low!),
      mini_cost_usd_measured_high: usd(measured.high!),
      cost_per_success_usd: Math.round(intentCost / 4) / 1e12,
    });
    // One pair: an estimate, no interval. Summaries are not judged: no agreement, still measured.
    expect(rolled.rows.find((r: { endpoint: string }) => r.endpoint === "extract")).toMatchObject({
      agreement: 1,
      mini_cost_usd_measured: usd(Math.round((extract[0]!.shadow.costPico / extract[0]!.own.costPico) * extract[0]!.own.costPico)),
      mini_cost_usd_measured_low: null,
      mini_cost_usd_measured_high: null,
    });
    expect(rolled.rows.find((r: { endpoint: string }) => r.endpoint === "summarize")).toMatchObject({
      shadow_requests: 1,
      agreement: null,
      agreement_low: null,
      mini_cost_usd_measured: usd(summary.shadow.costPico),
    });

    // Totals: each endpoint's cost at its own ratio from its summed moments (never one pooled ratio, never the rows' figures averaged).
    const all = [...intent, ...extract, summary];
    const pooled = measuredCost([
      { cost: intentCost, pairs: moments(intent) },
      { cost: extract[0]!.own.costPico, pairs: moments(extract) },
      { cost: summary.own.costPico, pairs: moments([summary]) },
    ])!;
    expect(pooled.low).toBeNull(); // extract and summarize have one pair each
    expect(rolled.totals).toMatchObject({
      shadow_requests: 5,
      shadow_cost_usd: usd(sums(all.map((p) => p.shadow)).costPico),
      agreement: 3 / 4,
      mini_cost_usd_measured: usd(pooled.estimate),
      mini_cost_usd_measured_low: null,
      mini_cost_usd_measured_high: null,
    });
    const byDay = await spend(`from=${day}&to=${day}&key_id=${key}`);
    expect(byDay.rows[0]).toMatchObject({ mini_cost_usd_measured: usd(pooled.estimate) });

    // An endpoint with spend and no pair cannot be measured, so neither can a total that holds it.
    await seed([{ time: at(day), keyId: key, endpoint: "chat.completions" }]);
    await roll(day);
    expect((await spend(query)).totals).toMatchObject({ mini_cost_usd_measured: null, agreement: 3 / 4 });
  });

  it("projects an endpoint's nano spend at its ratio and adds its escalations' mini spend as it is", async () => {
    const day = "2026-03-07";
    const key = `kE_${crypto.randomUUID()}`;
    const pairs = [await shadowed(day, key, "intent", 100, 300, 1), await shadowed(day, key, "intent", 200, 700, 1)];
    const escalated = await seed([
      { time: at(day), keyId: key, requestId: `${key}_e`, attempt: 1 },
      { time: at(day), keyId: key, requestId: `${key}_e`, attempt: 2, model: "gpt-5.4-mini" },
    ]);
    const nanoCost = sums([...pairs.map((p) => p.own), escalated[0]!]).costPico;
    const expected = measuredCost([
      { cost: nanoCost, pairs: moments(pairs) },
      { cost: escalated[1]!.costPico, pairs: moments([]), onMini: true },
    ])!;
    const { rows } = await spend(`from=${day}&to=${day}&key_id=${key}&group_by=endpoint`);
    expect(rows[0]).toMatchObject({
      requests: 3,
      escalations: 1,
      mini_cost_usd_measured: expected.estimate / 1e12,
      mini_cost_usd_measured_low: expected.low! / 1e12,
      mini_cost_usd_measured_high: expected.high! / 1e12,
    });
  });

  it("counts a request escalated to mini once, as an escalation, and leaves no figure it cannot measure", async () => {
    const day = "2026-03-05";
    const key = `kZ_${crypto.randomUUID()}`;
    await seed([
      { time: at(day), keyId: key, endpoint: "extract", requestId: `${key}_1`, attempt: 1, status: 422 },
      { time: at(day), keyId: key, endpoint: "extract", requestId: `${key}_1`, attempt: 2, model: "gpt-5.4-mini" },
      { time: at(day), keyId: key, endpoint: "extract", status: 502 },
    ]);
    const { totals } = await spend(`from=${day}&to=${day}&key_id=${key}`);
    expect(totals).toMatchObject({
      requests: 2,
      errors: 1,
      escalations: 1,
      shadow_requests: 0,
      agreement: null,
      mini_cost_usd_measured: null,
      mini_cost_usd_measured_low: null,
    });
    expect(totals.cost_per_success_usd).toBe(totals.cost_usd);
    const failed = await seed([{ time: at("2026-03-06"), keyId: key, status: 502 }]);
    expect((await spend(`from=2026-03-06&to=2026-03-06&key_id=${key}`)).totals).toMatchObject({
      cost_usd: sums(failed).costPico / 1e12,
      cost_per_success_usd: null,
    });
  });
});
