import type { Db } from "../db/client";
import { recordAlerts } from "./events";

/** Percent of a budget that raise an event as spend passes them; 100 is raised by the first refused call. */
const SPEND_THRESHOLDS = [50, 80] as const;
const REFUSED = 100;

export interface BudgetUse {
  key: { id: string; name: string };
  /** The budget's period: a UTC day (YYYY-MM-DD) or month (YYYY-MM). */
  period: string;
  spentPico: bigint;
  budgetPico: bigint;
  /** True where the budget has just refused a call. */
  refused: boolean;
}

/** Events this isolate has recorded (or found recorded): a key past 80% does not write on each call. */
const known = new Set<string>();
const KNOWN_MAX = 10_000;

/** The thresholds this use has reached: 50 and 80 by spend, 100 only on a refusal. */
function reached(use: Pick<BudgetUse, "spentPico" | "budgetPico" | "refused">): number[] {
  const bySpend = SPEND_THRESHOLDS.filter((percent) => use.spentPico * 100n >= BigInt(percent) * use.budgetPico);
  return use.refused ? [...bySpend, REFUSED] : bySpend;
}

/**
 * What the budget path calls: records a `budget_threshold` event for every threshold this use has
 * reached, once per key, period and threshold however often or concurrently it is called. It only
 * records; delivery runs from the cron. Never throws: a failed write is logged, and the next call
 * (or the cron's sweep) records it again.
 */
export async function budgetCrossed(db: Db, use: BudgetUse, now = Date.now()): Promise<void> {
  const memo = (percent: number) => `${use.key.id}|${use.period}|${percent}`;
  const fresh = reached(use).filter((percent) => !known.has(memo(percent)));
  if (fresh.length === 0) return;
  try {
    await recordAlerts(
      db,
      fresh.map((threshold) => ({ type: "budget_threshold", key: use.key, period: use.period, threshold, spentPico: use.spentPico, budgetPico: use.budgetPico })),
      now,
    );
    if (known.size > KNOWN_MAX) known.clear();
    for (const percent of fresh) known.add(memo(percent));
  } catch (err) {
    console.error("budget alert not recorded", use.key.id, use.period, err instanceof Error ? err.message : String(err));
  }
}
