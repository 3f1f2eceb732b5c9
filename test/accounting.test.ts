import { describe, expect, it } from "vitest";
import { costJson, costPico, meter, MissingPriceError, NO_USAGE, usageFromChat, utcDay } from "../workers/metering/cost";
import { exactDecimal, picoFromUsd, usd, usdDecimal } from "../workers/metering/money";
import { billedTier, priceAt, type PriceRow } from "../workers/metering/prices";
import { expectedPico, picoPerToken, SPEC_PRICES } from "./support/spec-prices";

const LAUNCH = Date.UTC(2026, 0, 1);

/** The SPEC's seeded table, built here from the SPEC's own decimals. */
const TABLE: PriceRow[] = Object.entries(SPEC_PRICES).flatMap(([model, tiers]) =>
  Object.entries(tiers).map(([tier, [input, cached, output]]) => ({
    model,
    tier,
    effectiveFrom: LAUNCH,
    createdAt: LAUNCH,
    inputPico: Number(picoPerToken(input)),
    cachedInputPico: Number(picoPerToken(cached)),
    outputPico: Number(picoPerToken(output)),
    cacheWritePico: null,
  })),
);
const NANO = priceAt(TABLE, "gpt-5.4-nano", "default", LAUNCH)!;
const usage = (u: Partial<typeof NO_USAGE>) => ({ ...NO_USAGE, ...u });
const tokens = (u: ReturnType<typeof usage>) => ({
  input_tokens: u.inputTokens,
  cached_tokens: u.cachedTokens,
  cache_write_tokens: u.cacheWriteTokens,
  output_tokens: u.outputTokens,
});

describe("accounting: cost = (input − cached − write)·in + cached·cached_in + write·write + output·out, in pico-USD", () => {
  it("prices uncached input, cached input and output at their own rates", () => {
    expect(costPico(usage({ inputTokens: 2000, cachedTokens: 1536, outputTokens: 300 }), NANO)).toBe(464 * 200_000 + 1536 * 20_000 + 300 * 1_250_000);
  });

  it("bills cached tokens at the cached rate, a tenth of the uncached one", () => {
    const uncached = costPico(usage({ inputTokens: 1024 }), NANO);
    const cached = costPico(usage({ inputTokens: 1024, cachedTokens: 1024 }), NANO);
    expect(cached * 10).toBe(uncached);
  });

  it("counts reasoning tokens once, inside output", () => {
    expect(costPico(usage({ inputTokens: 100, outputTokens: 500, reasoningTokens: 400 }), NANO)).toBe(100 * 200_000 + 500 * 1_250_000);
  });

  it("prices cache writes at the row's cache-write price, or at the input price when it has none", () => {
    const u = usage({ inputTokens: 3000, cachedTokens: 1024, cacheWriteTokens: 1152, outputTokens: 10 });
    expect(costPico(u, NANO)).toBe(Number(expectedPico(tokens(u))));
    expect(costPico(u, { ...NANO, cacheWritePico: 250_000 })).toBe(Number(expectedPico(tokens(u), "gpt-5.4-nano", "default", "0.25")));
    expect(costPico(u, { ...NANO, cacheWritePico: 250_000 }) - costPico(u, NANO)).toBe(1152 * 50_000);
  });

  it("projects the same tokens at mini, and the saving, exact to the pico-dollar", () => {
    const u = usage({ inputTokens: 1500, cachedTokens: 1024, outputTokens: 77, reasoningTokens: 64 });
    const cost = meter(TABLE, "gpt-5.4-nano", "default", u, LAUNCH);
    expect(cost).toEqual({ costPico: Number(expectedPico(tokens(u))), miniCostPico: Number(expectedPico(tokens(u), "gpt-5.4-mini")), tierUnpriced: false });
    expect(JSON.parse(JSON.stringify(costJson(cost)))).toEqual({ usd: 0.00021193, mini_usd: 0.0007803, saved_usd: 0.00056837 });
  });

  it("a mini call projects to itself and saves nothing", () => {
    const cost = meter(TABLE, "gpt-5.4-mini", "default", usage({ inputTokens: 10, outputTokens: 10 }), LAUNCH);
    expect(cost.miniCostPico).toBe(cost.costPico);
    expect(JSON.stringify(costJson(cost).saved_usd)).toBe("0");
  });
});

describe("accounting: tiers", () => {
  const u = usage({ inputTokens: 2048, cachedTokens: 1024, outputTokens: 333 });

  it("prices each seeded tier at its own price, and mini at mini's price of the same tier", () => {
    for (const tier of ["default", "flex", "batch"]) {
      const cost = meter(TABLE, "gpt-5.4-nano", tier, u, LAUNCH);
      expect(cost.costPico, tier).toBe(Number(expectedPico(tokens(u), "gpt-5.4-nano", tier)));
      expect(cost.miniCostPico, tier).toBe(Number(expectedPico(tokens(u), "gpt-5.4-mini", tier)));
    }
    expect(meter(TABLE, "gpt-5.4-nano", "flex", u, LAUNCH).costPico * 2).toBe(meter(TABLE, "gpt-5.4-nano", "default", u, LAUNCH).costPico);
  });

  it("holds mini's batch cached input, 37.5 nano-USD a token, exactly", () => {
    expect(priceAt(TABLE, "gpt-5.4-mini", "batch", LAUNCH)?.cachedInputPico).toBe(37_500);
    expect(meter(TABLE, "gpt-5.4-mini", "batch", usage({ inputTokens: 1, cachedTokens: 1 }), LAUNCH).costPico).toBe(37_500);
  });

  it("prices an answer at an unpriced tier at default, and says so", () => {
    const cost = meter(TABLE, "gpt-5.4-nano", "priority", u, LAUNCH);
    expect(cost).toEqual({ ...meter(TABLE, "gpt-5.4-nano", "default", u, LAUNCH), tierUnpriced: true });
  });

  it("bills `fast` as priority, `auto` and none as default", () => {
    expect([billedTier("fast"), billedTier("auto"), billedTier(null), billedTier(undefined), billedTier("flex")]).toEqual([
      "priority",
      "default",
      "default",
      "default",
      "flex",
    ]);
  });
});

describe("accounting: prices in force by time", () => {
  const change = Date.UTC(2026, 10, 27, 14, 30);
  const changed: PriceRow[] = [...TABLE, { ...NANO, effectiveFrom: change, inputPico: 100_000 }];

  it("uses the price in force when the call began, so a change in the middle of a day never rewrites history", () => {
    expect(priceAt(changed, "gpt-5.4-nano", "default", change - 1)?.inputPico).toBe(200_000);
    expect(priceAt(changed, "gpt-5.4-nano", "default", change)?.inputPico).toBe(100_000);
    expect(priceAt(changed, "gpt-5.4-nano", "flex", change)?.inputPico).toBe(100_000);
  });

  it("refuses to price a model it has no price for, rather than billing 0", () => {
    const u = usage({ inputTokens: 1, outputTokens: 1 });
    expect(() => meter(TABLE, "gpt-unknown", "default", u, LAUNCH)).toThrow(MissingPriceError);
    expect(() => meter(TABLE, "gpt-5.4-nano", "default", u, LAUNCH - 1)).toThrow(MissingPriceError);
  });

  it("puts a call at 23:59:59.999 UTC in its own day", () => {
    expect(utcDay(Date.UTC(2026, 10, 26, 23, 59, 59, 999))).toBe("2026-11-26");
    expect(utcDay(Date.UTC(2026, 10, 27, 0, 0, 0, 0))).toBe("2026-11-27");
  });
});

describe("accounting: usage from OpenAI", () => {
  it("reads cached, cache-write and reasoning details", () => {
    expect(
      usageFromChat({
        prompt_tokens: 1200,
        completion_tokens: 90,
        prompt_tokens_details: { cached_tokens: 1024, cache_write_tokens: 128 },
        completion_tokens_details: { reasoning_tokens: 64 },
      }),
    ).toEqual({ inputTokens: 1200, cachedTokens: 1024, cacheWriteTokens: 128, outputTokens: 90, reasoningTokens: 64 });
  });

  it("treats missing details as zero and never lets a part exceed what holds it", () => {
    expect(usageFromChat({ prompt_tokens: 10, completion_tokens: 5 })).toEqual(usage({ inputTokens: 10, outputTokens: 5 }));
    expect(
      usageFromChat({
        prompt_tokens: 10,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 8, cache_write_tokens: 9 },
        completion_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual({ inputTokens: 10, cachedTokens: 8, cacheWriteTokens: 2, outputTokens: 5, reasoningTokens: 5 });
    expect(usageFromChat(null)).toEqual(NO_USAGE);
  });
});

describe("money: exact decimals", () => {
  it("writes pico-USD as USD with every digit, in JSON too", () => {
    expect(usdDecimal(134_850_000)).toBe("0.00013485");
    expect(usdDecimal(1n)).toBe("0.000000000001");
    expect(usdDecimal(-1_500_000_000_000n)).toBe("-1.5");
    expect(usdDecimal(200_000, 12)).toBe("0.000000200000");
    expect(JSON.stringify({ total: usd(50_000_000_000_000_000_123n) })).toBe('{"total":50000000.000000000123}');
    expect(JSON.parse(JSON.stringify(usd(134_850_000)))).toBe(134_850_000 / 1e12);
  });

  it("reads a price or budget given as a JSON number digit by digit, refusing what it cannot hold", () => {
    expect(exactDecimal(0.0375, 6)).toBe(37_500n);
    expect(exactDecimal(1.25, 6)).toBe(1_250_000n);
    expect(exactDecimal(0.000001, 6)).toBe(1n);
    expect(exactDecimal(123.456789, 6)).toBe(123_456_789n);
    expect(exactDecimal(1e-7, 6)).toBeNull();
    expect(exactDecimal(0.1234567, 6)).toBeNull();
    expect(exactDecimal(-1, 6)).toBeNull();
    expect(exactDecimal(0, 6)).toBe(0n);
    expect(picoFromUsd(1e-6)).toBe(1_000_000n);
    expect(picoFromUsd(5)).toBe(5_000_000_000_000n);
    expect(picoFromUsd(1e-9)).toBeNull();
  });
});
