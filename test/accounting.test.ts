import { describe, expect, it } from "vitest";
import {
  costJson,
  costNano,
  type DatedPrice,
  meter,
  MissingPriceError,
  priceOn,
  usageFromOpenAI,
  utcDay,
} from "../workers/metering/cost";

const PRICES: DatedPrice[] = [
  { model: "gpt-5.4-nano", effectiveFrom: "2026-01-01", inputNano: 200, cachedInputNano: 20, outputNano: 1250 },
  { model: "gpt-5.4-mini", effectiveFrom: "2026-01-01", inputNano: 750, cachedInputNano: 75, outputNano: 4500 },
];
const NANO = PRICES[0]!;

describe("accounting: cost = (input − cached)·in + cached·cached_in + output·out", () => {
  it("prices uncached input, cached input and output at their own rates", () => {
    const usage = { inputTokens: 2000, cachedTokens: 1536, outputTokens: 300, reasoningTokens: 0 };
    expect(costNano(usage, NANO)).toBe(464 * 200 + 1536 * 20 + 300 * 1250);
  });

  it("bills cached tokens at the cached rate, below the uncached one", () => {
    const uncached = costNano({ inputTokens: 1024, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 }, NANO);
    const cached = costNano({ inputTokens: 1024, cachedTokens: 1024, outputTokens: 0, reasoningTokens: 0 }, NANO);
    expect(cached).toBe(1024 * 20);
    expect(cached * 10).toBe(uncached);
  });

  it("counts reasoning tokens once, inside output", () => {
    const withReasoning = { inputTokens: 100, cachedTokens: 0, outputTokens: 500, reasoningTokens: 400 };
    expect(costNano(withReasoning, NANO)).toBe(100 * 200 + 500 * 1250);
  });

  it("projects the same tokens at mini and the saving, exact to the nano-dollar", () => {
    const usage = { inputTokens: 1500, cachedTokens: 1024, outputTokens: 77, reasoningTokens: 64 };
    const cost = meter(PRICES, "gpt-5.4-nano", usage, "2026-11-26");
    expect(cost.costNano).toBe(476 * 200 + 1024 * 20 + 77 * 1250);
    expect(cost.miniCostNano).toBe(476 * 750 + 1024 * 75 + 77 * 4500);
    expect(costJson(cost)).toEqual({
      usd: 0.00021193,
      mini_usd: 0.0007803,
      saved_usd: 0.00056837,
    });
  });

  it("a mini call projects to itself and saves nothing", () => {
    const usage = { inputTokens: 10, cachedTokens: 0, outputTokens: 10, reasoningTokens: 0 };
    const cost = meter(PRICES, "gpt-5.4-mini", usage, "2026-11-26");
    expect(cost.miniCostNano).toBe(cost.costNano);
    expect(costJson(cost).saved_usd).toBe(0);
  });
});

describe("accounting: usage from OpenAI", () => {
  it("reads cached and reasoning details", () => {
    expect(
      usageFromOpenAI({
        prompt_tokens: 1200,
        completion_tokens: 90,
        prompt_tokens_details: { cached_tokens: 1152 },
        completion_tokens_details: { reasoning_tokens: 64 },
      }),
    ).toEqual({ inputTokens: 1200, cachedTokens: 1152, outputTokens: 90, reasoningTokens: 64 });
  });

  it("treats missing details as zero and never lets cached exceed input or reasoning exceed output", () => {
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 5 })).toEqual({
      inputTokens: 10,
      cachedTokens: 0,
      outputTokens: 5,
      reasoningTokens: 0,
    });
    expect(
      usageFromOpenAI({
        prompt_tokens: 10,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 50 },
        completion_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual({ inputTokens: 10, cachedTokens: 10, outputTokens: 5, reasoningTokens: 5 });
    expect(usageFromOpenAI(null)).toEqual({ inputTokens: 0, cachedTokens: 0, outputTokens: 0, reasoningTokens: 0 });
  });
});

describe("accounting: dated prices", () => {
  const changed: DatedPrice[] = [...PRICES, { ...NANO, effectiveFrom: "2026-12-01", inputNano: 100 }];

  it("uses the price in force on the call's day, so a price change never rewrites history", () => {
    expect(priceOn(changed, "gpt-5.4-nano", "2026-11-30")?.inputNano).toBe(200);
    expect(priceOn(changed, "gpt-5.4-nano", "2026-12-01")?.inputNano).toBe(100);
  });

  it("refuses to price a model it has no price for, rather than billing 0", () => {
    const usage = { inputTokens: 1, cachedTokens: 0, outputTokens: 1, reasoningTokens: 0 };
    expect(() => meter(PRICES, "gpt-unknown", usage, "2026-11-26")).toThrow(MissingPriceError);
    expect(() => meter(PRICES, "gpt-5.4-nano", usage, "2025-12-31")).toThrow(MissingPriceError);
  });

  it("puts a call at 23:59:59.999 UTC in its own day", () => {
    expect(utcDay(Date.UTC(2026, 10, 26, 23, 59, 59, 999))).toBe("2026-11-26");
    expect(utcDay(Date.UTC(2026, 10, 27, 0, 0, 0, 0))).toBe("2026-11-27");
  });
});
