import { and, between, eq, gte, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { joinMoney, moneySum } from "../db/money";
import { apiKeys, keySpend } from "../db/schema";
import type { Env } from "../env";
import { exactDecimal, picoFromUsd, usd } from "../metering/money";
import { addDays } from "../spend/days";
import { type NewAlert, recordAlerts } from "./events";

const TRAILING_DAYS = 7;
const DAYS = BigInt(TRAILING_DAYS);
const DEFAULT_FACTOR_MICRO = 3_000_000n;
const DEFAULT_MIN_PICO = 1_000_000_000_000n;

/** ANOMALY_FACTOR (default 3, up to six decimals; 0 turns anomaly alerts off) in millionths, and ANOMALY_MIN_USD in pico-USD. */
export function anomalyConfig(env: Pick<Env, "ANOMALY_FACTOR" | "ANOMALY_MIN_USD">): { factorMicro: bigint; minPico: bigint } {
  const parsed = (value: string | undefined, read: (n: number) => bigint | null) =>
    value === undefined || value.trim() === "" ? null : read(Number(value));
  return {
    factorMicro: parsed(env.ANOMALY_FACTOR, (n) => exactDecimal(n, 6)) ?? DEFAULT_FACTOR_MICRO,
    minPico: parsed(env.ANOMALY_MIN_USD, picoFromUsd) ?? DEFAULT_MIN_PICO,
  };
}

/**
 * `spend_anomaly`: a key's spend on a UTC day D is an anomaly when it is at least ANOMALY_MIN_USD
 * and more than ANOMALY_FACTOR times its trailing mean, the key's spend over the 7 whole UTC days
 * before D (D-7..D-1, a day without spend counting 0) divided by 7. Compared exactly in integers:
 * 7 · spent · 10^6 > factor · 10^6 · trailing sum. Spend is `key_spend` (the ledger's own sums,
 * shadow calls included, as the budget counts them). Once per key and day.
 */
export async function detectAnomalies(db: Db, env: Env, days: string[], now: number): Promise<number> {
  const { factorMicro, minPico } = anomalyConfig(env);
  if (factorMicro === 0n) return 0;
  const found: NewAlert[] = [];
  for (const day of days) {
    const spentOver = and(eq(keySpend.day, day), gte(keySpend.costPico, Number(minPico)));
    const spenders = await db
      .select({ key: { id: apiKeys.id, name: apiKeys.name }, ...moneySum(keySpend.costPico, "spent") })
      .from(keySpend)
      .innerJoin(apiKeys, eq(apiKeys.id, keySpend.keyId))
      .where(spentOver)
      .groupBy(keySpend.keyId);
    if (spenders.length === 0) continue;
    const [from, to] = [addDays(day, -TRAILING_DAYS), addDays(day, -1)];
    const trailing = await db
      .select({ keyId: keySpend.keyId, ...moneySum(keySpend.costPico, "trailing") })
      .from(keySpend)
      .where(and(between(keySpend.day, from, to), inArray(keySpend.keyId, db.select({ id: keySpend.keyId }).from(keySpend).where(spentOver))))
      .groupBy(keySpend.keyId);
    const trailingOf = new Map(trailing.map((row) => [row.keyId, joinMoney(row, "trailing")]));
    for (const { key, ...row } of spenders) {
      const spentPico = joinMoney(row, "spent");
      const trailingPico = trailingOf.get(key.id) ?? 0n;
      if (spentPico < minPico || spentPico * DAYS * 1_000_000n <= factorMicro * trailingPico) continue;
      found.push({
        type: "spend_anomaly",
        key,
        period: day,
        threshold: 0,
        spentPico,
        budgetPico: null,
        details: {
          // The mean to the nearest pico-dollar (the comparison above is exact).
          trailing_mean_usd: usd((trailingPico * 2n + DAYS) / (2n * DAYS)),
          trailing_from: from,
          trailing_to: to,
          factor: Number(factorMicro) / 1e6,
          min_usd: usd(minPico),
        },
      });
    }
  }
  return found.length === 0 ? 0 : recordAlerts(db, found, now);
}
