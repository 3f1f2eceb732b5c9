import { budgetCrossed } from "../alerts/thresholds";
import type { Db } from "../db/client";
import type { ApiKey } from "../db/schema";
import type { InsertedRow } from "../metering/ledger";
import { type Env, numberVar } from "../env";
import { ApiError } from "../errors";
import { PICO_PER_MICRO, usdDecimal } from "../metering/money";
import type { GateSnapshot, ReserveResult } from "./key-gate";
import { spentIn } from "./key-spend";
import { type Budgets, type Period, periodEnd, periodOf } from "./reservations";

/**
 * Budgets, daily and monthly (UTC), held by reservations in the key's KeyGate: before a model
 * call its largest possible cost is reserved, atomically, against what the key has spent and
 * what its calls in flight hold; when the call ends the reservation becomes its real cost. So
 * under any concurrency the billed spend never passes a budget, except by what a passthrough call
 * writes beyond the output it reserved. Keys without a budget reserve nothing, but their calls'
 * costs are counted in the gate all the same, by the writer of their ledger rows as it inserts
 * them (metering/ledger.ts writeAndCount), so a budget set later, or while calls are in flight,
 * starts from what the key has really spent, and such a call makes no gate call of its own.
 */

const picoOf = (micro: number | null) => (micro === null ? null : BigInt(micro) * PICO_PER_MICRO);
/** A key's budgets in pico-USD (stored in micro-USD, their unit, exact at any size). */
export const budgetsOf = (key: ApiKey): Budgets => ({ day: picoOf(key.dailyBudgetMicro), month: picoOf(key.monthlyBudgetMicro) });
export const hasBudget = (key: ApiKey) => key.dailyBudgetMicro !== null || key.monthlyBudgetMicro !== null;

export const gateOf = (env: Pick<Env, "KEY_GATE">, keyId: string) => env.KEY_GATE.get(env.KEY_GATE.idFromName(keyId));

/** How long a call may wait for room held by calls in flight before it is refused. */
const MAX_WAIT_MS = 10_000;
/** A reservation outlives any call (the upstream deadline and a long stream) before it is dropped. */
export const RESERVATION_TTL_MS = 15 * 60_000;

/** A reservation a call holds until it settles. */
export interface Hold {
  keyId: string;
  id: string;
}

/**
 * Reserves `pico` for a call of `key`, or throws 402: at once when it cannot fit before the
 * period ends, after waiting (up to the deadline) when calls in flight hold the room it needs.
 * `wait: false` (a shadow call, which may simply not happen) never waits. Null without a budget.
 * A refusal that no settling call could lift is the budget's 100%: recorded for the alerts, off
 * the caller's clock (`background`).
 */
export async function reserve(
  env: Env,
  db: Db,
  background: Pick<ExecutionContext, "waitUntil">,
  key: ApiKey,
  id: string,
  pico: bigint,
  wait = true,
  ttlMs = RESERVATION_TTL_MS,
): Promise<Hold | null> {
  if (!hasBudget(key)) return null;
  const budgets = budgetsOf(key);
  const waitMs = wait ? Math.min(MAX_WAIT_MS, numberVar(env.UPSTREAM_TIMEOUT_MS, 30_000)) : 0;
  let result: ReserveResult;
  try {
    result = await gateOf(env, key.id).reserve({ keyId: key.id, id, pico, budgets, ttlMs, waitMs });
  } catch (err) {
    // The gate out of reach: fall back to the ledger's spend, without a reservation (the old check).
    console.error("key gate unavailable, budget checked against the ledger", err instanceof Error ? err.message : typeof err);
    return ledgerCheck(db, key, budgets, pico);
  }
  if (!result.ok) {
    const now = Date.now();
    if (!result.full && result.budget !== null) {
      const use = { key, period: periodOf(result.period, now), spentPico: result.spent, budgetPico: result.budget, refused: true };
      background.waitUntil(budgetCrossed(db, use));
    }
    throw refusal(result, now);
  }
  return { keyId: key.id, id };
}

/** Ends a hold with the call's real cost, off the caller's clock. Never throws. */
export async function settle(env: Pick<Env, "KEY_GATE">, hold: Hold, pico: bigint, time: number): Promise<GateSnapshot | null> {
  try {
    return await gateOf(env, hold.keyId).settle(hold.keyId, hold.id, pico, time);
  } catch (err) {
    console.error("key gate unavailable, settle lost (the reservation expires)", err instanceof Error ? err.message : typeof err);
    return null;
  }
}

/**
 * Starts a new key's gate from its ledger while that is empty, so that no later read of the
 * ledger can race the first call's row (counted twice, in the ledger read and as it settles).
 */
export async function openGate(env: Env, keyId: string): Promise<void> {
  try {
    await gateOf(env, keyId).snapshot(keyId);
  } catch (err) {
    console.error("key gate unavailable, it starts from the ledger on first use", err instanceof Error ? err.message : typeof err);
  }
}

/** Adds spend made without a reservation (a call begun without a budget, a line metered by the poller) to the key's periods. */
export async function recordSpend(env: Pick<Env, "KEY_GATE">, keyId: string, pico: bigint, time: number): Promise<GateSnapshot | null> {
  if (pico === 0n) return null;
  try {
    return await gateOf(env, keyId).recordSpend(keyId, pico, time);
  } catch (err) {
    console.error("key gate unavailable, spend not recorded", err instanceof Error ? err.message : typeof err);
    return null;
  }
}

/**
 * Spend metered after its call had ended (a background response billed when it finished, a
 * batch's lines): the rows a write really inserted, added to their keys' gates, each row once
 * however many writers raced (only the write that inserted a row answers it); with `holdId`,
 * ending the reservation the call has held since it began.
 */
export async function recordInserted(env: Pick<Env, "KEY_GATE">, inserted: readonly InsertedRow[], holdId?: string): Promise<void> {
  const billed = holdId === undefined ? inserted.filter((row) => row.costPico !== 0) : inserted;
  const groups = new Map<string, { keyId: string; time: number; pico: bigint }>();
  for (const row of billed) {
    // One gate call per key and day (its month follows from the day).
    const group = `${row.keyId}|${periodOf("day", row.time)}`;
    const sum = groups.get(group) ?? { keyId: row.keyId, time: row.time, pico: 0n };
    groups.set(group, { ...sum, pico: sum.pico + BigInt(row.costPico) });
  }
  for (const { keyId, time, pico } of groups.values()) {
    if (holdId === undefined) await recordSpend(env, keyId, pico, time);
    else await settle(env, { keyId, id: holdId }, pico, time);
  }
}

/** Ends a hold that metering has already counted row by row (a batch's, once every line is in the ledger), whatever the key's budget is now. */
export async function releaseHold(env: Env, keyId: string, holdId: string, time: number): Promise<void> {
  await settle(env, { keyId, id: holdId }, 0n, time);
}

async function ledgerCheck(db: Db, key: ApiKey, budgets: Budgets, pico: bigint): Promise<null> {
  const now = Date.now();
  for (const period of ["day", "month"] as const) {
    const budget = budgets[period];
    if (budget === null) continue;
    const spent = await spentIn(db, key.id, period, periodOf(period, now));
    if (spent + pico > budget) throw refusal({ ok: false, period, spent, budget, full: false }, now);
  }
  return null;
}

const NAMES: Record<Period, string> = { day: "daily", month: "monthly" };

/** 402 `budget_exceeded`, with `retry-after` at the period's reset (a second when calls in flight hold the room). */
export function refusal(result: Extract<ReserveResult, { ok: false }>, now: number): ApiError {
  if (result.full) {
    return new ApiError(402, "budget_exceeded", `the rest of this key's ${NAMES[result.period]} budget is held by calls in flight; retry shortly`, {
      headers: { "retry-after": "1" },
    });
  }
  const reset = periodEnd(result.period, now);
  const seconds = Math.max(1, Math.ceil((reset - now) / 1000));
  return new ApiError(
    402,
    "budget_exceeded",
    `this call may cost more than is left of this key's ${NAMES[result.period]} budget of $${usdDecimal(result.budget ?? 0n)} ` +
      `($${usdDecimal(result.spent)} spent); it resets at ${new Date(reset).toISOString()}`,
    { headers: { "retry-after": String(seconds) } },
  );
}
