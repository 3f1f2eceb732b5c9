import type { Db } from "../db/client";
import { prices } from "../db/schema";
import type { DatedPrice } from "./cost";

const TTL_MS = 60_000;
let cached: { prices: DatedPrice[]; loadedAt: number } | undefined;

/** The price table, read from D1 at most once a minute per isolate: prices change rarely, calls often. */
export async function loadPrices(db: Db, now = Date.now()): Promise<DatedPrice[]> {
  if (cached && now - cached.loadedAt < TTL_MS) return cached.prices;
  const rows = await db.select().from(prices);
  cached = { prices: rows, loadedAt: now };
  return rows;
}

/** The models that have a price: the only ones nanometer will call, since it could not bill others. */
export function pricedModels(table: readonly DatedPrice[]): Set<string> {
  return new Set(table.map((p) => p.model));
}
