import { DurableObject } from "cloudflare:workers";
import { dbFor } from "../db/client";
import type { Env } from "../env";
import { gcra, type Verdict } from "./gcra";
import { spentIn } from "./key-spend";
import { addSpend, admission, type BudgetState, type Budgets, dropExpired, type Period, periodOf, reservedIn, rollTo } from "./reservations";

export interface ReserveRequest {
  keyId: string;
  /** The reservation's id: the request id (or a shadow call's). */
  id: string;
  pico: bigint;
  budgets: Budgets;
  /** How long the call may hold it before it is dropped as abandoned. */
  ttlMs: number;
  /** How long to wait for room that calls in flight hold; 0 answers at once. */
  waitMs: number;
}

export type ReserveResult = { ok: true } | { ok: false; period: Period; spent: bigint; budget: bigint | null; full: boolean };

export interface GateSnapshot {
  day: string;
  daySpent: bigint;
  dayReserved: bigint;
  month: string;
  monthSpent: bigint;
  monthReserved: bigint;
}

const STATE = "budget";

/**
 * The per-key gate (one instance per API key, `idFromName(key.id)`): its rate limit and its
 * budgets. It is the one place where every call of a key meets, whichever isolate or colo serves
 * it, and it runs one event at a time, so both are exact with no lock.
 *
 * The rate limit (gcra.ts) is in memory only: after 60 s of quiet the bucket is full whatever was
 * stored, so storage would buy nothing but a durable write per call. Cloudflare's rate limiting
 * binding cannot carry a per-key rpm, and D1 counters would put a write on every call.
 *
 * The budgets are durable (the SQLite storage of the object): the spend of the current UTC day
 * and month and the reservations of calls in flight (reservations.ts). The spend is read from the
 * ledger (`key_spend`) once, when the object has none (a new key's is empty), and then grows by
 * each call's real cost: as its reservation settles, or, for a call that held none (its key had
 * no budget when it began, or a batch line metered later), as recordSpend. Every call of the key
 * counts, budget or not, so whatever happens to the budget the state stays the ledger's, and a
 * new period starts at zero. Every ledger row of the key goes with one such increment.
 */
export class KeyGate extends DurableObject<Env> {
  private readonly rate = { tat: 0 };
  private state: BudgetState | undefined;
  private readonly waiting = new Set<() => void>();

  /** Admits one call under `rpm` or says how long until one would be. Synchronous, so atomic. */
  take(rpm: number): Verdict {
    return gcra(this.rate, rpm, Date.now());
  }

  /** Reserves `pico` if it fits every budget, waiting up to `waitMs` for room held by calls in flight. */
  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const deadline = Date.now() + req.waitMs;
    for (;;) {
      const state = await this.current(req.keyId);
      dropExpired(state, Date.now());
      const verdict = admission(state, req.budgets, req.pico);
      if (verdict.kind === "admitted") {
        state.reservations[req.id] = { pico: req.pico, day: state.day, month: state.month, expiresAt: Date.now() + req.ttlMs };
        await this.save();
        return { ok: true };
      }
      if (verdict.kind === "refused") return { ok: false, ...verdict, full: false };
      if (Date.now() >= deadline) return { ok: false, period: verdict.period, spent: 0n, budget: null, full: true };
      await this.roomOrDeadline(deadline);
    }
  }

  /** Ends a reservation with the call's real cost (0 for a call that failed before any usage). */
  async settle(keyId: string, id: string, pico: bigint, time: number): Promise<GateSnapshot> {
    const state = await this.current(keyId);
    const held = state.reservations[id];
    delete state.reservations[id];
    addSpend(state, pico, held?.day ?? periodOf("day", time), held?.month ?? periodOf("month", time));
    await this.save();
    for (const wake of this.waiting) wake();
    return snapshot(state);
  }

  /** Spend that held no reservation (a call begun without a budget, a line the poller metered), added to its periods. */
  async recordSpend(keyId: string, pico: bigint, time: number): Promise<GateSnapshot> {
    const state = await this.current(keyId);
    addSpend(state, pico, periodOf("day", time), periodOf("month", time));
    await this.save();
    return snapshot(state);
  }

  async snapshot(keyId: string): Promise<GateSnapshot> {
    return snapshot(await this.current(keyId));
  }

  /** The state for now: read from the ledger once, and moved on to the current day and month. */
  private async current(keyId: string): Promise<BudgetState> {
    const now = Date.now();
    const [day, month] = [periodOf("day", now), periodOf("month", now)];
    if (this.state?.day !== day || this.state.month !== month) {
      // No other event runs meanwhile: no call can be admitted against a stale period.
      await this.ctx.blockConcurrencyWhile(async () => {
        const stored = this.state ?? (await this.ctx.storage.get<BudgetState>(STATE));
        this.state = stored?.countsEveryCall ? rollTo(stored, day, month) : await this.fromLedger(keyId, day, month, stored);
        await this.save();
      });
    }
    return this.state!;
  }

  private async fromLedger(keyId: string, day: string, month: string, stored: BudgetState | undefined): Promise<BudgetState> {
    const db = dbFor(this.env.DB);
    return {
      day,
      daySpent: await spentIn(db, keyId, "day", day),
      month,
      monthSpent: await spentIn(db, keyId, "month", month),
      reservations: stored?.reservations ?? {},
      countsEveryCall: true,
    };
  }

  private save(): Promise<void> {
    return this.ctx.storage.put(STATE, this.state);
  }

  private roomOrDeadline(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      this.waiting.add(done);
    });
  }
}

function snapshot(state: BudgetState): GateSnapshot {
  return {
    day: state.day,
    daySpent: state.daySpent,
    dayReserved: reservedIn(state, "day"),
    month: state.month,
    monthSpent: state.monthSpent,
    monthReserved: reservedIn(state, "month"),
  };
}
