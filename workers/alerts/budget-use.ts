import { and, asc, eq, inArray, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { joinMoney, moneySum } from "../db/money";
import { type ApiKey, apiKeys, keySpend } from "../db/schema";
import { nextUtcMidnight, spentOn } from "../keys/budget";
import { utcDay } from "../metering/cost";
import { budgetCrossed } from "./thresholds";

/**
 * Budget use read from `key_spend` (the day's spend, kept by the ledger's trigger), for the
 * thresholds and for GET /v1/spend/budgets. Only daily budgets exist so far: a key's budgets are
 * the periods listed by `budgetsOf`.
 */

/** A key's budgets in force at `now`: its period (the UTC day) and amount. */
function budgetsOf(key: Pick<ApiKey, "dailyBudgetPico">, now: number): { period: string; budgetPico: bigint; resetsAt: number }[] {
  if (key.dailyBudgetPico === null) return [];
  return [{ period: utcDay(now), budgetPico: BigInt(key.dailyBudgetPico), resetsAt: nextUtcMidnight(now) }];
}

/**
 * After a key's ledger rows are written (off the caller's clock): the thresholds its spend has
 * now reached. `at` is the rows' time, so a call that began before midnight counts on its day.
 */
export async function afterSpend(db: Db, key: ApiKey, at: number): Promise<void> {
  for (const { period, budgetPico } of budgetsOf(key, at)) {
    // A failed read records nothing now; the cron's sweep records what it missed.
    const spentPico = await spentOn(db, key.id, period).catch(() => 0n);
    await budgetCrossed(db, { key, period, spentPico, budgetPico, refused: false });
  }
}

/** Active keys with a daily budget and their spend on `days` (only keys with spend on a day). */
function dailyUse(db: Db, days: string[], where?: SQL) {
  return db
    .select({ key: { id: apiKeys.id, name: apiKeys.name }, budget: apiKeys.dailyBudgetPico, day: keySpend.day, ...moneySum(keySpend.costPico, "spent") })
    .from(keySpend)
    .innerJoin(apiKeys, eq(apiKeys.id, keySpend.keyId))
    .where(and(inArray(keySpend.day, days), isNotNull(apiKeys.dailyBudgetPico), isNull(apiKeys.revokedAt), where))
    .groupBy(keySpend.keyId, keySpend.day);
}

/**
 * The cron's sweep: every key whose spend on `days` has reached a threshold of its daily budget,
 * whatever wrote that spend (an online call, a shadow call, a batch metered by the cron).
 */
export async function sweepBudgets(db: Db, days: string[], now: number): Promise<void> {
  const rows = await dailyUse(db, days, sql`${keySpend.costPico} * 2 >= ${apiKeys.dailyBudgetPico}`);
  for (const row of rows) {
    await budgetCrossed(db, { key: row.key, period: row.day, spentPico: joinMoney(row, "spent"), budgetPico: BigInt(row.budget!), refused: false }, now);
  }
}

export interface BudgetState {
  key: { id: string; name: string };
  period: string;
  budgetPico: bigint;
  spentPico: bigint;
  resetsAt: number;
}

/** Every budget in force for one key (`keyId`) or for every active key, with its spend so far. */
export async function budgetStates(db: Db, keyId: string | undefined, now: number): Promise<BudgetState[]> {
  const keys = await db
    .select()
    .from(apiKeys)
    .where(and(isNull(apiKeys.revokedAt), isNotNull(apiKeys.dailyBudgetPico), keyId === undefined ? undefined : eq(apiKeys.id, keyId)))
    .orderBy(asc(apiKeys.name), asc(apiKeys.id));
  const todays = await dailyUse(db, [utcDay(now)], keyId === undefined ? undefined : eq(keySpend.keyId, keyId));
  const spent = new Map(todays.map((row) => [row.key.id, joinMoney(row, "spent")]));
  return keys.flatMap((key) =>
    budgetsOf(key, now).map((budget) => ({ key: { id: key.id, name: key.name }, ...budget, spentPico: spent.get(key.id) ?? 0n })),
  );
}
