import { type Attribution, attributionColumns, NO_ATTRIBUTION } from "../attribution/attribution";
import type { NewLedgerRow } from "../db/schema";
import type { Hold } from "../keys/budget";
import { type Cost, meter, miniProjection, NO_USAGE, type Usage } from "./cost";
import { billedTier, type PriceRow } from "./prices";

export type Endpoint = "intent" | "route" | "extract" | "tool" | "rerank" | "summarize" | "chat.completions" | "responses";

/** What the ledger says went wrong: an ApiError, or an outcome the caller never saw as an error. */
export interface LedgerError {
  type: string;
  message: string;
}

/** How one attempt's answer fared. */
export const OUTCOMES = ["ok", "invalid", "refused", "low_confidence", "error"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Attempt {
  model: string;
  upstream: string;
  /** The tier the answer reported, as billed (billedTier). */
  tier: string;
  usage: Usage;
  cost: Cost;
  outcome: Outcome;
  /** Why the attempt's answer was not used, for its ledger row. */
  error?: LedgerError;
  /** What the row should say although the attempt succeeded: its tier had no price. */
  note?: LedgerError;
}

/** A shadow call: mini asked the same request after the caller had nano's answer. */
export interface ShadowCall {
  upstream: string;
  /** The tier mini's answer reported. */
  serviceTier: string | null | undefined;
  usage: Usage;
  agreement: boolean | null;
  /** What nano's answer to the request cost, the other half of the pair. */
  pairCostPico: number;
}

const unpriced = (tier: string, model: string): LedgerError => ({
  type: "tier_unpriced",
  message: `the answer's tier ${tier} has no price for ${model}; priced at default`,
});
const rowError = (e: LedgerError | null) => (e ? `${e.type}: ${e.message}` : null);

const ZERO_COST: Cost = { costPico: 0, miniCostPico: 0 };
const OUTCOME_STATUS: Record<Outcome, number> = { ok: 200, low_confidence: 200, invalid: 422, refused: 422, error: 502 };

/**
 * One caller request and every upstream attempt it made. It turns usage into cost and into
 * ledger rows (one per billed attempt, or one for a request that failed before any usage).
 */
export class MeteredRequest {
  private readonly attempts: Attempt[] = [];
  /** The budget reservation the request holds until it ends (keys/budget.ts); null without a budget. */
  hold: Hold | null = null;
  /** The call's tags and end user, on each of its rows (set when the meter opens). */
  attribution: Attribution = NO_ATTRIBUTION;

  constructor(
    readonly requestId: string,
    readonly keyId: string,
    readonly endpoint: Endpoint,
    private readonly prices: readonly PriceRow[],
    /** The tier the request asked for, as billed: the tier of a row with no answer. */
    readonly tier: string,
    /** When the request began: its rows' time, and the moment whose prices bill it (a batch's line: when the batch ended). */
    readonly startedAt = Date.now(),
  ) {}

  /**
   * Bills one upstream attempt that returned usage, at the tier its answer reported (`default`
   * when it reported none, or one without a price, which its row then says). Its outcome is ok
   * until the answer is checked.
   */
  bill(model: string, upstream: string, usage: Usage, serviceTier: string | null | undefined): Attempt {
    const tier = billedTier(serviceTier);
    const { tierUnpriced, ...cost } = meter(this.prices, model, tier, usage, this.startedAt);
    const attempt: Attempt = { model, upstream, tier, usage, cost, outcome: "ok" };
    if (tierUnpriced) attempt.note = unpriced(tier, model);
    this.attempts.push(attempt);
    return attempt;
  }

  /** Records an attempt that returned no usage (the upstream failed), at zero cost. */
  fail(model: string, error: LedgerError): Attempt {
    const attempt: Attempt = { model, upstream: "none", tier: this.tier, usage: NO_USAGE, cost: ZERO_COST, outcome: "error", error };
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
        cacheWriteTokens: sum.cacheWriteTokens + a.usage.cacheWriteTokens,
        outputTokens: sum.outputTokens + a.usage.outputTokens,
        reasoningTokens: sum.reasoningTokens + a.usage.reasoningTokens,
      }),
      NO_USAGE,
    );
  }

  /** What the request cost, and its mini projection (cost.ts miniProjection: an escalation projects mini's attempt alone). */
  get cost(): Cost {
    const projected = miniProjection(this.attempts);
    return this.attempts.reduce(
      (sum, a, i) => ({ costPico: sum.costPico + a.cost.costPico, miniCostPico: sum.miniCostPico + projected[i]! }),
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
      : [{ model: fallbackModel, upstream: "none", tier: this.tier, usage: NO_USAGE, cost: ZERO_COST, outcome: "error" }];
    const projected = miniProjection(attempts);
    return attempts.map((a, i) => {
      const last = i === attempts.length - 1;
      const errorOfRow = (last ? error : a.error) ?? a.note ?? null;
      return {
        ...this.rowBase(i + 1, { ...a, cost: { ...a.cost, miniCostPico: projected[i]! } }, latencyMs),
        status: last ? status : OUTCOME_STATUS[a.outcome],
        error: rowError(errorOfRow),
        outcome: a.outcome,
      };
    });
  }

  /** The shadow call's row: numbered after the request's own attempts, real money shown apart. */
  shadowRow(model: string, call: ShadowCall, latencyMs: number): NewLedgerRow {
    const tier = billedTier(call.serviceTier);
    const { tierUnpriced, ...cost } = meter(this.prices, model, tier, call.usage, this.startedAt);
    return {
      ...this.rowBase(Math.max(1, this.attempts.length) + 1, { model, upstream: call.upstream, tier, usage: call.usage, cost }, latencyMs),
      status: 200,
      error: tierUnpriced ? rowError(unpriced(tier, model)) : null,
      outcome: "ok",
      shadow: 1,
      agreement: call.agreement === null ? null : Number(call.agreement),
      pairCostPico: call.pairCostPico,
    };
  }

  private rowBase(attempt: number, a: Pick<Attempt, "model" | "upstream" | "tier" | "usage" | "cost">, latencyMs: number) {
    return {
      requestId: this.requestId,
      attempt,
      time: this.startedAt,
      keyId: this.keyId,
      endpoint: this.endpoint,
      model: a.model,
      upstream: a.upstream,
      serviceTier: a.tier,
      inputTokens: a.usage.inputTokens,
      cachedTokens: a.usage.cachedTokens,
      cacheWriteTokens: a.usage.cacheWriteTokens,
      outputTokens: a.usage.outputTokens,
      reasoningTokens: a.usage.reasoningTokens,
      costPico: a.cost.costPico,
      miniCostPico: a.cost.miniCostPico,
      latencyMs,
      ...attributionColumns(this.attribution),
    };
  }
}
