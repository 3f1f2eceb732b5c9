import { z } from "zod";
import type { Db } from "../db/client";
import { usd, usdSchema } from "../metering/money";
import { addDays } from "./days";
import type { AttributionQuery } from "./dimension";
import { querySpend } from "./spend";

export const PROJECTION_BASIS_DAYS = 7;
const MONTH_DAYS = 30;

export const projectionSchema = z
  .strictObject({
    basis_days: z.int(),
    basis_from: z.iso.date(),
    basis_to: z.iso.date(),
    monthly_usd: usdSchema,
    monthly_mini_usd: usdSchema,
    monthly_saved_usd: usdSchema,
  })
  .meta({ id: "Projection", description: "A month (30 days) at the rate of the last 7 whole UTC days, at nano and at mini" });

/**
 * The monthly run-rate at nano and, for the same tokens, at mini: the last 7 whole UTC days
 * (today excluded, it is not over) × 30/7. Scoped like the spend it comes with.
 */
export async function projection(db: Db, today: string, keyId: string | undefined, attribution?: AttributionQuery): Promise<z.infer<typeof projectionSchema>> {
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
