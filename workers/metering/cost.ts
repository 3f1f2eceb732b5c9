/**
 * The accounting, in one place: usage × price = cost, in integer pico-USD (money.ts). Nothing
 * else multiplies tokens by prices.
 */
import { z } from "zod";
import { type Pico, usd, usdSchema } from "./money";
import { DEFAULT_TIER, type PriceRow, priceAt, type TokenPrice } from "./prices";

export const DEFAULT_MODEL = "gpt-5.4-nano";
export const MINI_MODEL = "gpt-5.4-mini";

/** Token counts as the SPEC names them: cached and cache-write ⊆ input, reasoning ⊆ output. */
export interface Usage {
  inputTokens: number;
  cachedTokens: number;
  /** Input tokens written to the prompt cache (never more than the uncached input). */
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export const NO_USAGE: Usage = { inputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };

export interface Cost {
  costPico: number;
  miniCostPico: number;
}

const count = (n: unknown): number => (Number.isSafeInteger(n) && (n as number) > 0 ? (n as number) : 0);

/** Usage from its parts, each bounded by what contains it: never more cached than input, nor reasoning than output. */
export function usageOf(input: unknown, cached: unknown, cacheWrite: unknown, output: unknown, reasoning: unknown): Usage {
  const inputTokens = count(input);
  const cachedTokens = Math.min(count(cached), inputTokens);
  const outputTokens = count(output);
  return {
    inputTokens,
    cachedTokens,
    cacheWriteTokens: Math.min(count(cacheWrite), inputTokens - cachedTokens),
    outputTokens,
    reasoningTokens: Math.min(count(reasoning), outputTokens),
  };
}

/** The Chat Completions usage object (all of it optional in the wild). */
export interface ChatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export function usageFromChat(u: ChatUsage | null | undefined): Usage {
  const details = u?.prompt_tokens_details;
  return usageOf(u?.prompt_tokens, details?.cached_tokens, details?.cache_write_tokens, u?.completion_tokens, u?.completion_tokens_details?.reasoning_tokens);
}

/** The Responses API usage object (also what Batch API lines of /v1/responses carry). */
export interface ResponsesUsage {
  input_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  output_tokens?: number | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export function usageFromResponses(u: ResponsesUsage | null | undefined): Usage {
  const details = u?.input_tokens_details;
  return usageOf(u?.input_tokens, details?.cached_tokens, details?.cache_write_tokens, u?.output_tokens, u?.output_tokens_details?.reasoning_tokens);
}

/**
 * cost = (input − cached − cache_write)·in + cached·cached_in + cache_write·write + output·out,
 * where write is the cache-write price, or the input price when the row has none; reasoning
 * tokens are inside output and billed once, as output.
 */
export function costPico(usage: Usage, price: TokenPrice): number {
  const uncached = usage.inputTokens - usage.cachedTokens - usage.cacheWriteTokens;
  return (
    uncached * price.inputPico +
    usage.cachedTokens * price.cachedInputPico +
    usage.cacheWriteTokens * (price.cacheWritePico ?? price.inputPico) +
    usage.outputTokens * price.outputPico
  );
}

export class MissingPriceError extends Error {
  constructor(readonly model: string, readonly tier: string, readonly time: number) {
    super(`no ${tier} price for model ${model} at ${new Date(time).toISOString()}`);
    this.name = "MissingPriceError";
  }
}

export interface Metered extends Cost {
  /** The answer's tier has no price for the model: it was priced at `default` instead. */
  tierUnpriced: boolean;
}

/**
 * The cost of `usage` on `model` at the tier the answer reported, at `time`, and what the same
 * tokens would have cost on mini at the same tier (mini's default price when it has none there).
 * An unpriced tier is priced at default and says so; a model without a default price throws.
 */
export function meter(prices: readonly PriceRow[], model: string, tier: string, usage: Usage, time: number): Metered {
  const price = priceAt(prices, model, tier, time);
  const fallback = price ?? priceAt(prices, model, DEFAULT_TIER, time);
  const mini = priceAt(prices, MINI_MODEL, tier, time) ?? priceAt(prices, MINI_MODEL, DEFAULT_TIER, time);
  if (!fallback) throw new MissingPriceError(model, DEFAULT_TIER, time);
  if (!mini) throw new MissingPriceError(MINI_MODEL, DEFAULT_TIER, time);
  return { costPico: costPico(usage, fallback), miniCostPico: costPico(usage, mini), tierUnpriced: !price };
}

/**
 * What each of a request's own attempts adds to its mini projection (what the request would have
 * cost had it asked mini directly): its tokens at mini's prices, except in a request escalated to
 * mini (its first attempt on another model, a later one on mini). There, asked of mini directly,
 * the other model's attempts would not have happened: the projection is the mini attempts alone,
 * so an escalation's saving is minus what the other model's attempts cost.
 */
export function miniProjection(attempts: readonly { model: string; cost: Cost }[]): number[] {
  const escalated = attempts.length > 1 && attempts[0]!.model !== MINI_MODEL && attempts.some((a) => a.model === MINI_MODEL);
  return attempts.map((a) => (escalated && a.model !== MINI_MODEL ? 0 : a.cost.miniCostPico));
}

/** A call's most tokens, in and out (metering/bounds.ts), on a model. */
export interface CallBound {
  model: string;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The largest a call can cost: every input token at the dearest input price (input, cached or
 * cache-write) and every output token at the output price, at the asked tier or default,
 * whichever is dearer (an answer may report either). What a budget reserves.
 */
export function maxCostPico(prices: readonly PriceRow[], tier: string, bound: CallBound, time: number): bigint {
  const rows = [priceAt(prices, bound.model, tier, time), priceAt(prices, bound.model, DEFAULT_TIER, time)].filter((p) => p !== undefined);
  if (rows.length === 0) throw new MissingPriceError(bound.model, tier, time);
  const input = Math.max(...rows.map((p) => Math.max(p.inputPico, p.cachedInputPico, p.cacheWritePico ?? 0)));
  const output = Math.max(...rows.map((p) => p.outputPico));
  return BigInt(bound.inputTokens) * BigInt(input) + BigInt(bound.outputTokens) * BigInt(output);
}

export const costSchema = z
  .strictObject({
    usd: usdSchema,
    mini_usd: usdSchema,
    saved_usd: usdSchema,
  })
  .meta({ id: "Cost", description: "What the call cost, what gpt-5.4-mini would have cost for the same tokens, and the difference" });

export const usageSchema = z
  .strictObject({
    input_tokens: z.int(),
    cached_tokens: z.int(),
    cache_write_tokens: z.int(),
    output_tokens: z.int(),
    reasoning_tokens: z.int(),
  })
  .meta({ id: "Usage", description: "Tokens of every attempt together: cached and cache-write are part of input, reasoning part of output" });

export function costJson(cost: { costPico: Pico; miniCostPico: Pico }) {
  const saved = BigInt(cost.miniCostPico) - BigInt(cost.costPico);
  return { usd: usd(cost.costPico), mini_usd: usd(cost.miniCostPico), saved_usd: usd(saved) };
}

export function usageJson(u: Usage) {
  return {
    input_tokens: u.inputTokens,
    cached_tokens: u.cachedTokens,
    cache_write_tokens: u.cacheWriteTokens,
    output_tokens: u.outputTokens,
    reasoning_tokens: u.reasoningTokens,
  };
}

/** The UTC day of an epoch-milliseconds time, YYYY-MM-DD. */
export function utcDay(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}
