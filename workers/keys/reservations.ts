/**
 * A key's budgets as the KeyGate Durable Object keeps them, pure: what it has spent this UTC day
 * and month, and what calls in flight have reserved. A call is admitted only if its largest
 * possible cost fits beside both; when it ends, its reservation becomes its real cost. So however
 * many calls run at once, spent + reserved never passes a budget. Amounts are pico-USD bigints.
 */

export type Period = "day" | "month";
export const PERIODS: readonly Period[] = ["day", "month"];

/** The UTC day (YYYY-MM-DD) or month (YYYY-MM) of a time. */
export function periodOf(period: Period, time: number): string {
  return new Date(time).toISOString().slice(0, period === "day" ? 10 : 7);
}

/** When a period that contains `time` ends (the next UTC midnight, or the first of next month). */
export function periodEnd(period: Period, time: number): number {
  const d = new Date(time);
  return period === "day"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export interface Reservation {
  pico: bigint;
  /** The day and month it was admitted in: its real cost belongs to them. */
  day: string;
  month: string;
  /** A call that never came back (its Worker died) stops holding the budget then. */
  expiresAt: number;
}

export interface BudgetState {
  day: string;
  daySpent: bigint;
  month: string;
  monthSpent: bigint;
  reservations: Record<string, Reservation>;
  /**
   * Every call of the key, with a budget or without, has been counted in this state since it was
   * read from the ledger. A state stored without it (counting only calls made under a budget) is
   * read from the ledger again.
   */
  countsEveryCall?: true;
}

export type Budgets = Record<Period, bigint | null>;

export type Admission =
  | { kind: "admitted" }
  /** It cannot fit, even if every call in flight cost nothing: until the period ends. */
  | { kind: "refused"; period: Period; spent: bigint; budget: bigint }
  /** It may fit once calls in flight end below their reservations. */
  | { kind: "full"; period: Period };

const current = (state: BudgetState, period: Period) => (period === "day" ? state.day : state.month);
const spentIn = (state: BudgetState, period: Period) => (period === "day" ? state.daySpent : state.monthSpent);

/** What calls in flight hold in the current `period`. */
export function reservedIn(state: BudgetState, period: Period): bigint {
  let sum = 0n;
  for (const r of Object.values(state.reservations)) if (r[period] === current(state, period)) sum += r.pico;
  return sum;
}

/** Whether a call that may cost `pico` fits every budget the key has. */
export function admission(state: BudgetState, budgets: Budgets, pico: bigint): Admission {
  for (const period of PERIODS) {
    const budget = budgets[period];
    if (budget === null) continue;
    const spent = spentIn(state, period);
    if (spent + pico > budget) return { kind: "refused", period, spent, budget };
    if (spent + reservedIn(state, period) + pico > budget) return { kind: "full", period };
  }
  return { kind: "admitted" };
}

/**
 * The state in the periods of `day` and `month`: one that has ended starts again at zero, since
 * the spend of the new one is all still to be counted here (a call begun in the old one counts
 * there, as its ledger row does).
 */
export function rollTo(state: BudgetState, day: string, month: string): BudgetState {
  return {
    ...state,
    day,
    daySpent: state.day === day ? state.daySpent : 0n,
    month,
    monthSpent: state.month === month ? state.monthSpent : 0n,
  };
}

/** Adds a real cost to the periods it belongs to, where they are still the current ones. */
export function addSpend(state: BudgetState, pico: bigint, day: string, month: string): void {
  if (day === state.day) state.daySpent += pico;
  if (month === state.month) state.monthSpent += pico;
}

/** Drops reservations past their expiry: their calls will never settle them. */
export function dropExpired(state: BudgetState, now: number): void {
  for (const [id, r] of Object.entries(state.reservations)) if (r.expiresAt <= now) delete state.reservations[id];
}
