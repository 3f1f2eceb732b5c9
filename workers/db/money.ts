import { type SQL, sql, type SQLWrapper } from "drizzle-orm";

/**
 * Money read out of D1 exactly. D1 hands integers to JavaScript as doubles, exact only below 2^53
 * pico-USD ($9007), and SQLite's integer sum() fails past 2^63 ($9.2M). So money is read, and
 * summed, in two parts that each stay small: whole micro-USD (value / 10^6) and the pico-USD
 * below them (value % 10^6), joined again as a bigint. A year of $50M is 5·10^13 micro-USD.
 */
const SPLIT = 1_000_000;

/** The two SQL parts of a money expression's sum over a group, aliased `<name>_hi` and `<name>_lo`. */
export function moneySum(value: SQLWrapper, name: string) {
  return {
    [`${name}Hi`]: sql<number>`coalesce(sum(${value} / ${sql.raw(String(SPLIT))}), 0)`.mapWith(Number).as(`${name}_hi`),
    [`${name}Lo`]: sql<number>`coalesce(sum(${value} % ${sql.raw(String(SPLIT))}), 0)`.mapWith(Number).as(`${name}_lo`),
  };
}

/** Joins the parts `moneySum` read into the exact amount. */
export function joinMoney(row: Record<string, unknown>, name: string): bigint {
  return joinParts(row[`${name}Hi`] as number, row[`${name}Lo`] as number);
}

/** An amount from its two summed parts: whole micro-USD, and pico-USD (either may be negative or past 10^6). */
export const joinParts = (hi: number, lo: number): bigint => BigInt(hi) * BigInt(SPLIT) + BigInt(lo);

/** A money expression's two parts on one row, `<name>_hi` and `<name>_lo`, for a query that sums rows of several sources. */
export function moneyParts(value: SQLWrapper, name: string) {
  return {
    [`${name}Hi`]: sql<number>`${value} / ${sql.raw(String(SPLIT))}`.as(`${name}_hi`),
    [`${name}Lo`]: sql<number>`${value} % ${sql.raw(String(SPLIT))}`.as(`${name}_lo`),
  };
}

/** ORDER BY terms that sort sums of parts (`sum(hi)`, `sum(lo)`) by the exact amount: whole micro-USD, then the rest. */
export const moneyOrder = (hiSum: SQLWrapper, loSum: SQLWrapper): [SQL, SQL] => [
  sql`${hiSum} + ${loSum} / ${sql.raw(String(SPLIT))}`,
  sql`${loSum} % ${sql.raw(String(SPLIT))}`,
];
