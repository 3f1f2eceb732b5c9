import { and, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { ledger, rollup } from "../db/schema";
import { type Pico, usd, usdSchema } from "../metering/money";
import { DEFAULT_TIER, priceAt, type PriceRow } from "../metering/prices";
import { dayStartMs } from "./days";
import { prefixJoin, prefixMetrics, prefixSizes } from "./prefix";
import { liveRows, liveSpansOf, rolledDays } from "./spend";
import { isOwn, ledgerDay } from "./sums";

/** Sums of own calls per endpoint × UTC day × model × tier: the day, model and tier price the missed prefix. */
interface CacheSums {
  endpoint: string;
  day: string;
  model: string;
  tier: string;
  inputTokens: number;
  cachedTokens: number;
  prefixTokens: number;
  prefixMissedTokens: number;
}

const sum = (value: unknown, name: string) => sql<number>`coalesce(sum(${value}), 0)`.mapWith(Number).as(name);

export function rolledCache(db: Db, q: { from: string; to: string; keyId: string | undefined }) {
  return db
    .select({
      endpoint: rollup.endpoint,
      day: rollup.day,
      model: rollup.model,
      tier: rollup.serviceTier,
      inputTokens: sum(rollup.inputTokens, "input_tokens"),
      cachedTokens: sum(rollup.cachedTokens, "cached_tokens"),
      prefixTokens: sql<number>`max(${rollup.prefixTokens})`.mapWith(Number).as("prefix_tokens"),
      prefixMissedTokens: sum(rollup.prefixMissedTokens, "prefix_missed_tokens"),
    })
    .from(rollup)
    .where(rolledDays(db, q))
    .groupBy(rollup.endpoint, rollup.day, rollup.model, rollup.serviceTier);
}

/** Days without a complete rollup, from the ledger, with each day × key × endpoint × model's own prefix. */
export function liveCache(db: Db, keyId: string | undefined, spans: [number, number][]) {
  const where = liveRows({ keyId }, spans)!;
  const prefixes = prefixSizes(db, where, true);
  const when = (value: unknown) => sql`case when ${isOwn} then ${value} else 0 end`;
  return db
    .select({
      endpoint: ledger.endpoint,
      day: ledgerDay.as("day"),
      model: ledger.model,
      tier: ledger.serviceTier,
      inputTokens: sum(when(ledger.inputTokens), "input_tokens"),
      cachedTokens: sum(when(ledger.cachedTokens), "cached_tokens"),
      ...prefixMetrics(prefixes),
    })
    .from(ledger)
    .leftJoin(prefixes, prefixJoin(prefixes, true))
    .where(and(where, isOwn))
    .groupBy(ledger.endpoint, ledgerDay, ledger.model, ledger.serviceTier);
}

interface CacheTotals {
  inputTokens: number;
  cachedTokens: number;
  prefixTokens: number;
  prefixMissedTokens: number;
  savingPico: bigint;
}
const NONE: CacheTotals = { inputTokens: 0, cachedTokens: 0, prefixTokens: 0, prefixMissedTokens: 0, savingPico: 0n };

/** What one missed prefix token would have saved: the input price less the cached-input price, at the day's start. */
function perTokenSaving(prices: readonly PriceRow[], s: CacheSums): Pico {
  const at = dayStartMs(s.day);
  const price = priceAt(prices, s.model, s.tier, at) ?? priceAt(prices, s.model, DEFAULT_TIER, at);
  return price ? price.inputPico - price.cachedInputPico : 0;
}

function add(t: CacheTotals, s: CacheSums, prices: readonly PriceRow[]): CacheTotals {
  return {
    inputTokens: t.inputTokens + s.inputTokens,
    cachedTokens: t.cachedTokens + s.cachedTokens,
    prefixTokens: Math.max(t.prefixTokens, s.prefixTokens),
    prefixMissedTokens: t.prefixMissedTokens + s.prefixMissedTokens,
    savingPico: t.savingPico + BigInt(s.prefixMissedTokens) * BigInt(perTokenSaving(prices, s)),
  };
}

export const cacheSchema = z.strictObject({
  input_tokens: z.int(),
  cached_tokens: z.int(),
  uncached_input_tokens: z.int(),
  cache_hit_ratio: z.number(),
  prefix_tokens: z.int().meta({ description: "The fixed prompt prefix, measured: the most cached tokens any call had" }),
  prefix_uncached_tokens: z.int().meta({ description: "Prefix tokens billed uncached" }),
  prefix_saving_usd: usdSchema.meta({ description: "What caching the whole prefix on every call would have saved (a lower bound)" }),
});

const cacheJson = (t: CacheTotals): z.infer<typeof cacheSchema> => ({
  input_tokens: t.inputTokens,
  cached_tokens: t.cachedTokens,
  uncached_input_tokens: t.inputTokens - t.cachedTokens,
  cache_hit_ratio: t.inputTokens === 0 ? 0 : t.cachedTokens / t.inputTokens,
  prefix_tokens: t.prefixTokens,
  prefix_uncached_tokens: t.prefixMissedTokens,
  prefix_saving_usd: usd(t.savingPico),
});

/**
 * Prompt-cache efficiency per endpoint over from..to: the hit ratio, the input billed uncached,
 * and what caching the whole fixed prefix on every call would have saved: the prefix tokens
 * billed uncached (see prefix.ts) at the input price less the cached-input price of their model
 * and tier on their day. Complete days from the rollup, the others live from the ledger, in one batch.
 */
export async function queryCache(db: Db, q: { from: string; to: string; keyId: string | undefined }, prices: readonly PriceRow[]) {
  const spans = await liveSpansOf(db, q.from, q.to);
  const rolled = rolledCache(db, q);
  const parts = spans.length ? await db.batch([rolled, liveCache(db, q.keyId, spans)]) : [await rolled];
  const byEndpoint = new Map<string, CacheTotals>();
  for (const s of parts.flat() as CacheSums[]) byEndpoint.set(s.endpoint, add(byEndpoint.get(s.endpoint) ?? NONE, s, prices));
  const endpoints = [...byEndpoint.keys()].sort();
  const totals = parts.flat().reduce<CacheTotals>((t, s) => add(t, s as CacheSums, prices), NONE);
  return {
    rows: endpoints.map((endpoint) => ({ endpoint, ...cacheJson(byEndpoint.get(endpoint)!) })),
    totals: cacheJson(totals),
  };
}
