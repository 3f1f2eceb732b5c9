import type { Db } from "../db/client";
import { prices } from "../db/schema";

/** The tiers OpenAI bills at: the Batch API's `batch` is never asked for online. */
export const TIERS = ["default", "flex", "priority", "batch"] as const;
export type Tier = (typeof TIERS)[number];
export const DEFAULT_TIER: Tier = "default";

/** pico-USD per token; cache writes at the input price when `cacheWritePico` is null. */
export interface TokenPrice {
  inputPico: number;
  cachedInputPico: number;
  outputPico: number;
  cacheWritePico: number | null;
}

/** One row of the price table: a model's price at a tier, in force from `effectiveFrom` (epoch ms). */
export interface PriceRow extends TokenPrice {
  model: string;
  tier: string;
  effectiveFrom: number;
  createdAt: number;
}

/**
 * The tier a request's or an answer's `service_tier` is billed at. OpenAI serves `fast` as (and
 * reports it as) `priority`, and `auto` (or none) as the project's default.
 */
export function billedTier(serviceTier: string | null | undefined): string {
  if (!serviceTier || serviceTier === "auto") return DEFAULT_TIER;
  return serviceTier === "fast" ? "priority" : serviceTier;
}

/** The price of `model` at `tier` in force at `time`: the latest row effective at or before it. */
export function priceAt(table: readonly PriceRow[], model: string, tier: string, time: number): PriceRow | undefined {
  let best: PriceRow | undefined;
  for (const p of table) {
    if (p.model === model && p.tier === tier && p.effectiveFrom <= time && (!best || p.effectiveFrom > best.effectiveFrom)) best = p;
  }
  return best;
}

/** The models with a price in force at `time`, at any tier: the only ones nanometer will call. */
export function pricedModels(table: readonly PriceRow[], time: number): Set<string> {
  return new Set(table.filter((p) => p.effectiveFrom <= time).map((p) => p.model));
}

/**
 * The price table is read from D1 at most once a minute per isolate: prices change rarely, calls
 * often. A price added here is seen at once by this isolate (`forgetPrices`) and by the others
 * within PRICE_CACHE_MS, which is why the README says to post a price that must bill every call
 * from a given moment at least that long ahead.
 */
export const PRICE_CACHE_MS = 60_000;
let cached: { rows: PriceRow[]; loadedAt: number } | undefined;

export async function loadPrices(db: Db, now = Date.now()): Promise<PriceRow[]> {
  if (cached && now - cached.loadedAt < PRICE_CACHE_MS) return cached.rows;
  const rows = await db.select().from(prices);
  cached = { rows, loadedAt: now };
  return rows;
}

export function forgetPrices(): void {
  cached = undefined;
}

/** Adds a price row; false when the model and tier already have a price from that very moment. */
export async function addPrice(db: Db, row: PriceRow): Promise<boolean> {
  const inserted = await db.insert(prices).values(row).onConflictDoNothing().returning({ model: prices.model });
  forgetPrices();
  return inserted.length > 0;
}
