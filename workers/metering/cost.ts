/**
 * The accounting, in one place. Money is integer nano-USD (1e-9 USD); USD appears only at the
 * edge of the API, as `usd()`.
 */

export const DEFAULT_MODEL = "gpt-5.4-nano";
export const MINI_MODEL = "gpt-5.4-mini";

/** Token counts as the SPEC names them: cached ⊆ input, reasoning ⊆ output. */
export interface Usage {
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export const NO_USAGE: Usage = { inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 };

/** nano-USD per token. */
export interface TokenPrice {
  inputNano: number;
  cachedInputNano: number;
  outputNano: number;
}

export interface DatedPrice extends TokenPrice {
  model: string;
  /** UTC day, YYYY-MM-DD, from which this price applies. */
  effectiveFrom: string;
}

export interface Cost {
  costNano: number;
  miniCostNano: number;
}

/** The OpenAI usage object, as Chat Completions returns it (all of it optional in the wild). */
export interface OpenAIUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

const count = (n: number | null | undefined): number => (Number.isSafeInteger(n) && (n as number) > 0 ? (n as number) : 0);

/** Reads OpenAI's usage; cached tokens never exceed input, reasoning never exceeds output. */
export function usageFromOpenAI(u: OpenAIUsage | null | undefined): Usage {
  const inputTokens = count(u?.prompt_tokens);
  const outputTokens = count(u?.completion_tokens);
  return {
    inputTokens,
    cachedTokens: Math.min(count(u?.prompt_tokens_details?.cached_tokens), inputTokens),
    outputTokens,
    reasoningTokens: Math.min(count(u?.completion_tokens_details?.reasoning_tokens), outputTokens),
  };
}

/** cost = (input − cached)·in + cached·cached_in + output·out; reasoning is inside output. */
export function costNano(usage: Usage, price: TokenPrice): number {
  return (
    (usage.inputTokens - usage.cachedTokens) * price.inputNano +
    usage.cachedTokens * price.cachedInputNano +
    usage.outputTokens * price.outputNano
  );
}

/** The price of `model` in force on `day` (YYYY-MM-DD): the latest effective on or before it. */
export function priceOn(prices: readonly DatedPrice[], model: string, day: string): TokenPrice | undefined {
  let best: DatedPrice | undefined;
  for (const p of prices) {
    if (p.model === model && p.effectiveFrom <= day && (!best || p.effectiveFrom > best.effectiveFrom)) best = p;
  }
  return best;
}

export class MissingPriceError extends Error {
  constructor(readonly model: string, readonly day: string) {
    super(`no price for model ${model} on ${day}`);
    this.name = "MissingPriceError";
  }
}

/** The cost of `usage` on `model` and what the same tokens would have cost on mini. */
export function meter(prices: readonly DatedPrice[], model: string, usage: Usage, day: string): Cost {
  const price = priceOn(prices, model, day);
  const mini = priceOn(prices, MINI_MODEL, day);
  if (!price) throw new MissingPriceError(model, day);
  if (!mini) throw new MissingPriceError(MINI_MODEL, day);
  return { costNano: costNano(usage, price), miniCostNano: costNano(usage, mini) };
}

/** nano-USD to a JSON number of USD, exact to 1e-9. */
export function usd(nano: number): number {
  return nano / 1e9;
}

export function costJson(cost: Cost) {
  return { usd: usd(cost.costNano), mini_usd: usd(cost.miniCostNano), saved_usd: usd(cost.miniCostNano - cost.costNano) };
}

export function usageJson(u: Usage) {
  return {
    input_tokens: u.inputTokens,
    cached_tokens: u.cachedTokens,
    output_tokens: u.outputTokens,
    reasoning_tokens: u.reasoningTokens,
  };
}

/** The UTC day of an epoch-milliseconds time, YYYY-MM-DD. */
export function utcDay(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}
