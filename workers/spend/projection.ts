import type { Db } from "../db/client";
import { usd } from "../metering/money";
import { addDays } from "./days";
import type { AttributionQuery } from "./dimension";
import { querySpend } from "./spend";

export const PROJECTION_BASIS_DAYS = 7;
const MONTH_DAYS = 30;

/**
 * The monthly run-rate at nano and, for the same tokens, at mini: the last 7 whole UTC days
 * (today excluded, it is not over) × 30/7. Scoped like the spend it comes with.
 */
export async function projection(db: Db, today: string, keyId: string | undefined, attribution?: AttributionQuery) {
  const from = addDays(today, -PROJECTION_BASIS_DAYS);
  const to = addDays(today, -1);
  const { totals } = await querySpend(db, { from, to, groupBy: [], keyId, attribution });
  // × 30/7, rounded half up to a whole pico-USD.
  const monthly = (pico: bigint) => (pico * BigInt(2 * MONTH_DAYS) + BigInt(PROJECTION_BASIS_DAYS)) / BigInt(2 * PROJECTION_BASIS_DAYS);
  const [nano, mini] = [monthly(totals.costPico), monthly(totals.miniCostPico)];
  return {
    basis_days: PROJECTION_BASIS_DAYS,
    basis_from: from,
    basis_to: to,
    monthly_usd: usd(nano),
    monthly_mini_usd: usd(mini),
    monthly_saved_usd: usd(mini - nano),
  };
}
