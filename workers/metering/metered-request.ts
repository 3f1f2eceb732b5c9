import type { NewLedgerRow } from "../db/schema";
import { type Cost, type DatedPrice, meter, NO_USAGE, type Usage, utcDay } from "./cost";

export type Endpoint = "intent" | "route" | "extract" | "tool" | "rerank" | "summarize" | "chat.completions";

/** What the ledger says went wrong: an ApiError, or an outcome the caller never saw as an error. */
export interface LedgerError {
  type: string;
  message: string;
}

export interface Attempt {
  model: string;
  upstream: string;
  usage: Usage;
  cost: Cost;
}

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

  /** Bills one upstream attempt that returned usage. */
  bill(model: string, upstream: string, usage: Usage): Attempt {
    const attempt = { model, upstream, usage, cost: meter(this.prices, model, usage, this.day) };
    this.attempts.push(attempt);
    return attempt;
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
      { costNano: 0, miniCostNano: 0 },
    );
  }

  latencyMs(now = Date.now()): number {
    return Math.max(0, now - this.startedAt);
  }

  /**
   * The ledger rows for how the request ended. Every billed attempt is a row; the last one
   * carries the final status. A request with no billed attempt still gets one row, at zero cost.
   */
  ledgerRows(status: number, error: LedgerError | null, fallbackModel: string, fallbackUpstream: string): NewLedgerRow[] {
    const time = Date.now();
    const latencyMs = this.latencyMs(time);
    const attempts: Attempt[] = this.attempts.length
      ? this.attempts
      : [{ model: fallbackModel, upstream: fallbackUpstream, usage: NO_USAGE, cost: { costNano: 0, miniCostNano: 0 } }];
    return attempts.map((a, i) => {
      const last = i === attempts.length - 1;
      return {
        requestId: this.requestId,
        attempt: i + 1,
        time: this.startedAt,
        keyId: this.keyId,
        endpoint: this.endpoint,
        model: a.model,
        upstream: a.upstream,
        status: last ? status : 200,
        error: last && error ? `${error.type}: ${error.message}` : null,
        inputTokens: a.usage.inputTokens,
        cachedTokens: a.usage.cachedTokens,
        outputTokens: a.usage.outputTokens,
        reasoningTokens: a.usage.reasoningTokens,
        costNano: a.cost.costNano,
        miniCostNano: a.cost.miniCostNano,
        latencyMs,
      };
    });
  }
}
