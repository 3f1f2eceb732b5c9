import { and, eq } from "drizzle-orm";
import { budgetCrossed } from "../alerts/thresholds";
import type { Db } from "../db/client";
import { joinMoney, moneySum } from "../db/money";
import { type ApiKey, keySpend } from "../db/schema";
import { ApiError } from "../errors";
import { utcDay } from "../metering/cost";
import { usdDecimal } from "../metering/money";

/**
 * Daily budgets. A key's spend for the UTC day is one row of `key_spend`, which an SQLite trigger
 * keeps in step with every ledger insert (migration 0004): the check is a primary-key read, and
 * only keys that have a budget pay it.
 *
 * A call is admitted while the day's recorded spend is below the budget, so the overshoot is at
 * most what is in flight: the calls admitted before the first of them lands in the ledger (each
 * call's rows are written right after its answer). A refused call makes no upstream call and
 * writes no ledger row: it cost nothing, and a client that keeps calling after its budget is
 * spent must not be able to grow the ledger.
 */

/** What a key has spent on a UTC day, in pico-USD. */
export async function spentOn(db: Db, keyId: string, day: string): Promise<bigint> {
  const [row] = await db
    .select(moneySum(keySpend.costPico, "spent"))
    .from(keySpend)
    .where(and(eq(keySpend.keyId, keyId), eq(keySpend.day, day)));
  return row ? joinMoney(row, "spent") : 0n;
}

/** The next UTC midnight after `now`, in epoch milliseconds: when a day's budget starts afresh. */
export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

/** Throws 402 `budget_exceeded` once the key has spent its daily budget; a no-op without one. */
export async function checkBudget(db: Db, key: ApiKey, now = Date.now()): Promise<void> {
  if (key.dailyBudgetPico === null) return;
  const budget = BigInt(key.dailyBudgetPico);
  const spent = await spentOn(db, key.id, utcDay(now));
  if (spent < budget) return;
  await budgetCrossed(db, { key, period: utcDay(now), spentPico: spent, budgetPico: budget, refused: true }); // the 100% alert
  const reset = nextUtcMidnight(now);
  const seconds = Math.max(1, Math.ceil((reset - now) / 1000));
  throw new ApiError(
    402,
    "budget_exceeded",
    `this key has spent its daily budget of $${usdDecimal(budget)} ($${usdDecimal(spent)} today); it resets at ${new Date(reset).toISOString()}`,
    { headers: { "retry-after": String(seconds) } },
  );
}
