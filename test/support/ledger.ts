import { env } from "cloudflare:workers";
import { attributionColumns } from "../../workers/attribution/attribution";
import { dbFor } from "../../workers/db/client";
import type { NewLedgerRow } from "../../workers/db/schema";
import { recordInserted } from "../../workers/keys/budget";
import { meter, NO_USAGE, type Usage } from "../../workers/metering/cost";
import { writeLedgerRows } from "../../workers/metering/ledger";
import { loadPrices } from "../../workers/metering/prices";

export const db = () => dbFor(env.DB);

export interface Seed {
  time: number;
  keyId: string;
  endpoint?: string;
  model?: string;
  tier?: string;
  status?: number;
  requestId?: string;
  attempt?: number;
  usage?: Partial<Usage>;
  /** A shadow row: mini asked the same request again; `pairCostPico` is nano's cost of it. */
  shadow?: { agreement: 0 | 1 | null; pairCostPico: number };
  tags?: Record<string, string>;
  endUser?: string;
  batchId?: string;
}

let serial = 0;

/**
 * Writes ledger rows through the one ledger writer, priced by `meter()` at the row's time and
 * tier, and adds them to their keys' gates, as the gateway adds spend metered after its call.
 */
export async function seed(seeds: Seed[]): Promise<NewLedgerRow[]> {
  const prices = await loadPrices(db());
  const rows = seeds.map((s): NewLedgerRow => {
    const usage: Usage = { ...NO_USAGE, inputTokens: 1000, outputTokens: 100, ...s.usage };
    const model = s.model ?? "gpt-5.4-nano";
    const serviceTier = s.tier ?? "default";
    const status = s.status ?? 200;
    const { tierUnpriced: _, ...cost } = meter(prices, model, serviceTier, usage, s.time);
    return {
      requestId: s.requestId ?? `req_seed_${++serial}`,
      attempt: s.attempt ?? 1,
      time: s.time,
      keyId: s.keyId,
      endpoint: s.endpoint ?? "intent",
      model,
      serviceTier,
      upstream: "seed",
      status,
      error: status >= 400 ? "upstream_error: seeded" : null,
      ...usage,
      ...cost,
      latencyMs: 10,
      ...(s.shadow && { shadow: 1, agreement: s.shadow.agreement, pairCostPico: s.shadow.pairCostPico }),
      // As the gateway writes them (attribution/attribution.ts).
      ...attributionColumns({ tags: s.tags ?? {}, endUser: s.endUser ?? null }),
      batchId: s.batchId ?? null,
    };
  });
  await recordInserted(env, await writeLedgerRows(db(), rows));
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
    cacheWriteTokens: total((r) => r.cacheWriteTokens ?? 0),
    costPico: total((r) => r.costPico),
    miniCostPico: total((r) => r.miniCostPico),
  };
}

/** Sums as the rollup's totals carry them: money as bigint pico-USD. */
export const exactly = (s: Sums) => ({ ...s, costPico: BigInt(s.costPico), miniCostPico: BigInt(s.miniCostPico) });

/** The rollup's shadow columns of a group without shadow rows or escalations. */
export const NO_SHADOW = {
  escalations: 0,
  shadowRequests: 0,
  shadowCostPico: 0,
  judged: 0,
  agreed: 0,
  pairs: 0,
  pairNanoCostPico: 0,
  pairMiniCostPico: 0,
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
    cache_write_tokens: s.cacheWriteTokens,
    cost_usd: s.costPico / 1e12,
    mini_cost_usd: s.miniCostPico / 1e12,
    saved_usd: (s.miniCostPico - s.costPico) / 1e12,
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
    cost_per_success_usd: requests > errors ? Math.round(s.costPico / (requests - errors)) / 1e12 : null,
  };
}

/** The SPEC's spend fields for these rows. */
export function spendJson(rows: NewLedgerRow[], requests = rows.length, errors = 0) {
  return spendFromSums(sums(rows), requests, errors);
}
