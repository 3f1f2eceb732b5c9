import { and, asc, eq, isNotNull, isNull, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ApiKey, apiKeys } from "../db/schema";
import { budgetsOf } from "../keys/budget";
import type { GateSnapshot } from "../keys/key-gate";
import { spentIn } from "../keys/key-spend";
import { PERIODS, type Period, periodEnd, periodOf } from "../keys/reservations";
import { budgetCrossed } from "./thresholds";

/** A key's budgets in force at `now`: each period (the UTC day, the UTC month) with its amount. */
function budgetsAt(key: ApiKey, now: number): { period: Period; value: string; budgetPico: bigint; resetsAt: number }[] {
  const budgets = budgetsOf(key);
  return PERIODS.flatMap((period) => {
    const budgetPico = budgets[period];
    return budgetPico === null ? [] : [{ period, value: periodOf(period, now), budgetPico, resetsAt: periodEnd(period, now) }];
  });
}

/**
 * After a call settles (off the caller's clock): the thresholds its key's spend has now reached,
 * from the spend its gate holds for the current day and month.
 */
export async function afterSettle(db: Db, key: ApiKey, gate: GateSnapshot): Promise<void> {
  const spent: Record<string, bigint> = { [gate.day]: gate.daySpent, [gate.month]: gate.monthSpent };
  for (const { value, budgetPico } of budgetsAt(key, Date.now())) {
    const spentPico = spent[value];
    if (spentPico !== undefined) await budgetCrossed(db, { key, period: value, spentPico, budgetPico, refused: false });
  }
}

const budgeted = (keyId?: string) =>
  and(isNull(apiKeys.revokedAt), or(isNotNull(apiKeys.dailyBudgetMicro), isNotNull(apiKeys.monthlyBudgetMicro)), keyId === undefined ? undefined : eq(apiKeys.id, keyId));

/**
 * The cron's sweep at `now`: every budgeted key's spend (from the ledger's `key_spend`) in the
 * periods of now and of a poll ago (what landed after the last poll of a day or month that has
 * just ended), whatever wrote it (an online call, a shadow call, a batch metered by the cron).
 */
export async function sweepBudgets(db: Db, now: number, pollMs: number): Promise<void> {
  const times = [now, now - pollMs];
  const keys = await db.select().from(apiKeys).where(budgeted());
  for (const key of keys) {
    const seen = new Set<string>();
    for (const b of times.flatMap((time) => budgetsAt(key, time))) {
      if (seen.has(b.value)) continue;
      seen.add(b.value);
      const spentPico = await spentIn(db, key.id, b.period, b.value);
      await budgetCrossed(db, { key, period: b.value, spentPico, budgetPico: b.budgetPico, refused: false }, now);
    }
  }
}

export interface BudgetState {
  key: { id: string; name: string };
  period: string;
  budgetPico: bigint;
  spentPico: bigint;
  resetsAt: number;
}

/** Every budget in force for one key (`keyId`) or for every active key, with the ledger's spend so far. */
export async function budgetStates(db: Db, keyId: string | undefined, now: number): Promise<BudgetState[]> {
  const keys = await db.select().from(apiKeys).where(budgeted(keyId)).orderBy(asc(apiKeys.name), asc(apiKeys.id));
  const states: BudgetState[] = [];
  for (const key of keys) {
    for (const b of budgetsAt(key, now)) {
      const spentPico = await spentIn(db, key.id, b.period, b.value);
      states.push({ key: { id: key.id, name: key.name }, period: b.value, budgetPico: b.budgetPico, spentPico, resetsAt: b.resetsAt });
    }
  }
  return states;
}
