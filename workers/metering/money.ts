/**
 * Money is integer pico-USD (1e-12 USD). One call's cost is a safe JS integer (below 2^53 pico,
 * $9007); sums of many are bigint, so a year of any deployment's spend adds up exactly. USD
 * appears only at the edges: as an exact decimal JSON number, or a CSV cell.
 */

import { z } from "zod";

export const PICO_PER_USD = 1_000_000_000_000n;
const PICO_DIGITS = 12;

/** An amount in pico-USD: a number for one call, a bigint for sums. */
export type Pico = number | bigint;

export const toBig = (pico: Pico): bigint => (typeof pico === "bigint" ? pico : BigInt(pico));

/** pico-USD as a decimal string of USD with every digit, trailing zeros dropped: 1234500000 → "0.0012345". */
export function usdDecimal(pico: Pico, minDecimals = 0): string {
  const value = toBig(pico);
  const abs = value < 0n ? -value : value;
  const whole = abs / PICO_PER_USD;
  let fraction = (abs % PICO_PER_USD).toString().padStart(PICO_DIGITS, "0").replace(/0+$/, "");
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, "0");
  return `${value < 0n ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** A JSON number that serializes with every digit (JSON.stringify never rounds it). */
export type UsdJson = RawJSON;

/**
 * pico-USD as a JSON number of USD, exact to 1e-12 whatever its size: `JSON.rawJSON` writes the
 * decimal as it is, where a double would round a total past $9007 at the twelfth decimal.
 * Parsed as a double it is the double nearest the exact amount.
 */
export function usd(pico: Pico): UsdJson {
  return JSON.rawJSON(usdDecimal(pico));
}

/**
 * A USD amount in an answer's schema: a JSON number to every reader (so the document says
 * `type: number`), typed as the UsdJson that handlers write with `usd()`.
 */
export const usdSchema = z.number().meta({ description: "USD, exact to 1e-12 (a pico-dollar)" }) as unknown as z.ZodType<UsdJson, UsdJson>;

/** A nullable amount as USD JSON. */
export const usdOrNull = (pico: Pico | null | undefined): UsdJson | null => (pico === null || pico === undefined ? null : usd(pico));

/**
 * A USD amount given as a JSON number (so as a double) to pico-USD units of `10^-decimals` USD:
 * the double's shortest decimal form is read digit by digit, so 0.0375 is exactly 0.0375. Null
 * when it has more than `decimals` decimals, is negative or not finite.
 */
export function exactDecimal(value: number, decimals: number): bigint | null {
  if (!Number.isFinite(value) || value < 0) return null;
  const [mantissa = "", exponentText] = String(value).toLowerCase().split("e");
  const [whole = "0", fraction = ""] = mantissa.split(".");
  const exponent = Number(exponentText ?? 0);
  const digits = whole + fraction;
  const point = whole.length + exponent; // the decimal point's position in `digits`
  const after = digits.length - point; // decimals written
  if (after > decimals && /[^0]/.test(digits.slice(Math.max(0, point + decimals)))) return null;
  const scaled = point + decimals >= digits.length ? digits.padEnd(point + decimals, "0") : digits.slice(0, Math.max(0, point + decimals));
  return BigInt(scaled || "0");
}

export const PICO_PER_MICRO = 1_000_000n;

/**
 * A USD amount (a budget) in micro-USD; null past six decimals. Up to $10^9 it is a whole number
 * below 2^53, which a double and D1 both hold exactly (its pico-USD past $9007 are not).
 */
export const microFromUsd = (value: number): bigint | null => exactDecimal(value, 6);

/** A USD amount in pico-USD; null past six decimals (a micro-dollar). */
export function picoFromUsd(value: number): bigint | null {
  const micro = microFromUsd(value);
  return micro === null ? null : micro * PICO_PER_MICRO;
}

/** A price in USD per 1M tokens, to pico-USD per token (the same digits); null past six decimals. */
export const picoPerTokenFromUsdPer1M = (value: number): bigint | null => exactDecimal(value, 6);
