import { env } from "cloudflare:workers";
import { dbFor } from "../../workers/db/client";
import type { NewLedgerRow } from "../../workers/db/schema";
import { meter, type Usage, utcDay } from "../../workers/metering/cost";
import { writeLedgerRows } from "../../workers/metering/ledger";
import { loadPrices } from "../../workers/metering/prices";

export const db = () => dbFor(env.DB);

export interface Seed {
  time: number;
  keyId: string;
  endpoint?: string;
  model?: string;
  status?: number;
  requestId?: string;
  attempt?: number;
  usage?: Partial<Usage>;
  /** A shadow row: mini asked the same request again; `pairCostNano` is nano's cost of it. */
  shadow?: { agreement: 0 | 1 | null; pairCostNano: number };
}

let serial = 0;

/** Writes ledger rows through the one ledger writer, priced by `meter()` on the row's day. */
export async function seed(seeds: Seed[]): Promise<NewLedgerRow[]> {
  const prices = await loadPrices(db());
  const rows = seeds.map((s): NewLedgerRow => {
    const usage: Usage = { inputTokens: 1000, cachedTokens: 0, outputTokens: 100, reasoningTokens: 0, ...s.usage };
    const model = s.model ?? "gpt-5.4-nano";
    const status = s.status ?? 200;
    return {
      requestId: s.requestId ?? `req_seed_${++serial}`,
      attempt: s.attempt ?? 1,
      time: s.time,
      keyId: s.keyId,
      endpoint: s.endpoint ?? "intent",
      model,
      upstream: "seed",
      status,
      error: status >= 400 ? "upstream_error: seeded" : null,
      ...usage,
      ...meter(prices, model, usage, utcDay(s.time)),
      latencyMs: 10,
      ...(s.shadow && { shadow: 1, agreement: s.shadow.agreement, pairCostNano: s.shadow.pairCostNano }),
    };
  });
  await writeLedgerRows(db(), rows);
  return rows;
}

/** What the spend API should say for these rows: every attempt's tokens and money. */
export function sums(rows: NewLedgerRow[]) {
  const total = (f: (r: NewLedgerRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  return {
    inputTokens: total((r) => r.inputTokens),
    cachedTokens: total((r) => r.cachedTokens),
    outputTokens: total((r) => r.outputTokens),
    reasoningTokens: total((r) => r.reasoningTokens),
    costNano: total((r) => r.costNano),
    miniCostNano: total((r) => r.miniCostNano),
  };
}

/** The rollup's shadow columns of a group without shadow rows or escalations. */
export const NO_SHADOW = {
  escalations: 0,
  shadowRequests: 0,
  shadowCostNano: 0,
  judged: 0,
  agreed: 0,
  pairs: 0,
  pairNanoCostNano: 0,
  pairMiniCostNano: 0,
  pairNanoSq: 0,
  pairMiniSq: 0,
  pairCross: 0,
};

/** A time inside a UTC day, hours and minutes after its midnight. */
export const at = (day: string, hours = 12, minutes = 0) => Date.parse(`${day}T00:00:00.000Z`) + (hours * 60 + minutes) * 60_000;

export type Sums = ReturnType<typeof sums>;

/** The SPEC's spend fields for these sums (no shadow pairs), as /v1/spend should answer them. */
export function spendFromSums(s: Sums, requests: number, errors: number) {
  return {
    requests,
    errors,
    input_tokens: s.inputTokens,
    cached_tokens: s.cachedTokens,
    output_tokens: s.outputTokens,
    reasoning_tokens: s.reasoningTokens,
    cost_usd: s.costNano / 1e9,
    mini_cost_usd: s.miniCostNano / 1e9,
    saved_usd: (s.miniCostNano - s.costNano) / 1e9,
    cache_hit_ratio: s.inputTokens === 0 ? 0 : s.cachedTokens / s.inputTokens,
    escalations: 0,
    shadow_requests: 0,
    shadow_cost_usd: 0,
    agreement: null,
    agreement_low: null,
    agreement_high: null,
    mini_cost_usd_measured: null,
    mini_cost_usd_measured_low: null,
    mini_cost_usd_measured_high: null,
    cost_per_success_usd: requests > errors ? Math.round(s.costNano / (requests - errors)) / 1e9 : null,
  };
}

/** The SPEC's spend fields for these rows. */
export function spendJson(rows: NewLedgerRow[], requests = rows.length, errors = 0) {
  return spendFromSums(sums(rows), requests, errors);
}
