import type { NewLedgerRow } from "../db/schema";
import { type Cost, type DatedPrice, meter, NO_USAGE, type Usage, utcDay } from "./cost";

export type Endpoint = "intent" | "route" | "extract" | "tool" | "rerank" | "summarize" | "chat.completions";

/** What the ledger says went wrong: an ApiError, or an outcome the caller never saw as an error. */
export interface LedgerError {
  type: string;
  message: string;
}

/** How one attempt's answer fared. */
export type Outcome = "ok" | "invalid" | "refused" | "low_confidence" | "error";

export interface Attempt {
  model: string;
  upstream: string;
  usage: Usage;
  cost: Cost;
  outcome: Outcome;
  /** Why the attempt's answer was not used, for its ledger row. */
  error?: LedgerError;
}

/** A shadow call: mini asked the same request after the caller had nano's answer. */
export interface ShadowCall {
  upstream: string;
  usage: Usage;
  agreement: boolean | null;
  /** What nano's answer to the request cost, the other half of the pair. */
  pairCostNano: number;
}

const ZERO_COST: Cost = { costNano: 0, miniCostNano: 0 };
const OUTCOME_STATUS: Record<Outcome, number> = { ok: 200, low_confidence: 200, invalid: 422, refused: 422, error: 502 };

/**
 * One caller request and every upstream attempt it made. It turns usage into cost and into
 * ledger rows (one per billed attempt, or one for a request that failed before any usage).
 */
export class MeteredRequest {
  readonly startedAt = Date.now();
  readonly day = utcDay(this.startedAt);
  private readonly attempts: Attempt[] = [];

  constructor(
    readonly requestId: string,
    readonly keyId: string,
    readonly endpoint: Endpoint,
    private readonly prices: readonly DatedPrice[],
  ) {}

  /** Bills one upstream attempt that returned usage; its outcome is ok until the answer is checked. */
  bill(model: string, upstream: string, usage: Usage): Attempt {
    const attempt: Attempt = { model, upstream, usage, cost: meter(this.prices, model, usage, this.day), outcome: "ok" };
    this.attempts.push(attempt);
    return attempt;
  }

  /** Records an attempt that returned no usage (the upstream failed), at zero cost. */
  fail(model: string, error: LedgerError): Attempt {
    const attempt: Attempt = { model, upstream: "none", usage: NO_USAGE, cost: ZERO_COST, outcome: "error", error };
    this.attempts.push(attempt);
    return attempt;
  }

  get attemptList(): readonly Attempt[] {
    return this.attempts;
  }

  get usage(): Usage {
    return this.attempts.reduce(
      (sum, a) => ({
        inputTokens: sum.inputTokens + a.usage.inputTokens,
        cachedTokens: sum.cachedTokens + a.usage.cachedTokens,
        outputTokens: sum.outputTokens + a.usage.outputTokens,
        reasoningTokens: sum.reasoningTokens + a.usage.reasoningTokens,
      }),
      NO_USAGE,
    );
  }

  get cost(): Cost {
    return this.attempts.reduce(
      (sum, a) => ({ costNano: sum.costNano + a.cost.costNano, miniCostNano: sum.miniCostNano + a.cost.miniCostNano }),
      ZERO_COST,
    );
  }

  latencyMs(now = Date.now()): number {
    return Math.max(0, now - this.startedAt);
  }

  /**
   * The ledger rows for how the request ended. Every attempt is a row, with its own outcome; the
   * last one carries the final status. A request with no attempt still gets one row, at zero cost.
   */
  ledgerRows(status: number, error: LedgerError | null, fallbackModel: string): NewLedgerRow[] {
    const latencyMs = this.latencyMs();
    const attempts: Attempt[] = this.attempts.length
      ? this.attempts
      : [{ model: fallbackModel, upstream: "none", usage: NO_USAGE, cost: ZERO_COST, outcome: "error" }];
    return attempts.map((a, i) => {
      const last = i === attempts.length - 1;
      const rowError = last ? error : (a.error ?? null);
      return {
        ...this.rowBase(i + 1, a.model, a.upstream, a.usage, a.cost, latencyMs),
        status: last ? status : OUTCOME_STATUS[a.outcome],
        error: rowError ? `${rowError.type}: ${rowError.message}` : null,
        outcome: a.outcome,
      };
    });
  }

  /** The shadow call's row: numbered after the request's own attempts, real money shown apart. */
  shadowRow(model: string, call: ShadowCall, latencyMs: number): NewLedgerRow {
    const cost = meter(this.prices, model, call.usage, this.day);
    return {
      ...this.rowBase(Math.max(1, this.attempts.length) + 1, model, call.upstream, call.usage, cost, latencyMs),
      status: 200,
      error: null,
      outcome: "ok",
      shadow: 1,
      agreement: call.agreement === null ? null : Number(call.agreement),
      pairCostNano: call.pairCostNano,
    };
  }

  private rowBase(attempt: number, model: string, upstream: string, usage: Usage, cost: Cost, latencyMs: number) {
    return {
      requestId: this.requestId,
      attempt,
      time: this.startedAt,
      keyId: this.keyId,
      endpoint: this.endpoint,
      model,
      upstream,
      inputTokens: usage.inputTokens,
      cachedTokens: usage.cachedTokens,
      outputTokens: usage.outputTokens,
      reasoningTokens: usage.reasoningTokens,
      costNano: cost.costNano,
      miniCostNano: cost.miniCostNano,
      latencyMs,
    };
  }
}
