import { sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { joinParts } from "../db/money";
import { COUNTS, type Metrics, MOMENTS, MONEY, type Stratum } from "./metrics";
import type { Group, liveSpend, rolledSpend, SpendRow } from "./spend";
import { sumsOver } from "./sums";

/** The sources have the same columns (spend.ts); their tables differ. */
type Source = ReturnType<typeof liveSpend> | ReturnType<typeof rolledSpend>;

/** What the measured projection reads of each endpoint × model (spend-json.ts), in this order; without pairs, the first COST_ONLY. */
const STRATUM = ["endpoint", "model", "costPico_hi", "costPico_lo", "pairs", "pairNanoCostPico_hi", "pairNanoCostPico_lo", "pairMiniCostPico_hi", "pairMiniCostPico_lo", "pair_nano_sq", "pair_mini_sq", "pair_cross"] as const;
const COST_ONLY = 4;

const column = (from: string, name: string) => sql.raw(`"${from}"."${name}"`);
const groupsOf = (from: string, by: Group[]) => Object.fromEntries(by.map((g) => [g, sql<string | null>`${column(from, g)}`.as(g)]));

/**
 * Where a group's endpoint × model strata are summed: in SQL (a second GROUP BY), or in
 * JavaScript from the sources' rows sent as they are (`strataOf`). The second is cheaper when each
 * stratum of a group has only a few rows to merge (a day's rollup rows, one per tier), the first
 * when it has many (a year's days, ledger rows).
 */
export type StrataIn = "sql" | "js";

/**
 * The sources' rows summed in SQL, in one statement: UNION ALL, summed per group (`by`) with its
 * endpoint × model strata as one JSON array; those strata summed first in SQL (`read`: a group's
 * rolled and live rows together) or later in JavaScript (`strataIn`). Only the answer's rows leave
 * D1, and money stays in exact parts to the end (db/money.ts); the pair moments, statistics, as
 * SQLite writes a REAL.
 */
export function mergedSpendQuery(db: Db, sources: Source[], read: Group[], by: Group[], strataIn: StrataIn = "sql") {
  const [first, second, ...rest] = sources as ReturnType<typeof liveSpend>[];
  const parts = (second ? unionAll(first!, second, ...rest) : first!).as("parts");
  const strata =
    strataIn === "js"
      ? parts
      : db
          .select({ ...groupsOf("parts", read), ...sumsOver("parts") })
          .from(parts)
          .groupBy(...read.map((g) => column("parts", g)))
          .as("strata");
  const from = strataIn === "js" ? "parts" : "strata";
  const [withCost, withPairs] = [STRATUM.slice(0, COST_ONLY), STRATUM].map((names) => names.map((name) => `"${from}"."${name}"`).join(", "));
  // A stratum without shadow pairs sends its cost alone: building JSON is most of this statement's time.
  const json = sql.raw(`CASE WHEN "${from}"."pairs" = 0 THEN json_array(${withCost}) ELSE json_array(${withPairs}) END`);
  // The sums as one JSON array a row: D1 hands each value to JavaScript on its own, and these are many.
  const sums = sql.join(Object.values(sumsOver(from)).map((sum) => sum.getSQL()), sql`, `);
  const top = db
    .select({ ...groupsOf(from, by), sums: sql<string>`json_array(${sums})`.as("sums"), strata: sql<string>`json_group_array(${json})`.as("strata_json") })
    .from(strata);
  return by.length ? top.groupBy(...by.map((g) => column(from, g))) : top;
}

/** Where each sum sits in a row's JSON array. */
const SUMS = Object.keys(sumsOver("strata"));
const at = Object.fromEntries(SUMS.map((name, i) => [name, i]));

function metricsFrom(values: number[]): Metrics {
  const m = {} as Record<string, number | bigint>;
  for (const name of [...COUNTS, ...MOMENTS]) m[name] = values[at[name]!]!;
  for (const name of MONEY) m[name] = joinParts(values[at[`${name}Hi`]!]!, values[at[`${name}Lo`]!]!);
  return m as Metrics;
}

export async function mergedSpend(db: Db, sources: Source[], read: Group[], by: Group[], strataIn: StrataIn = "sql"): Promise<SpendRow[]> {
  const rows = await mergedSpendQuery(db, sources, read, by, strataIn);
  return rows.map(({ sums, strata, ...groups }) => ({
    ...(groups as Partial<Record<Group, string | null>>),
    ...metricsFrom(JSON.parse(sums) as number[]),
    strata: strataOf(strata),
  }));
}

/** A stratum as the SQL sends it: [endpoint, model, ...its sums in STRATUM's order], only its cost when it has no pairs. */
type StratumEntry = [endpoint: string, model: string, ...sums: number[]];

/** Strata keys, JSON [endpoint, model], made once per pair: a year by day sends thousands of entries over a handful of pairs. */
const stratumKeys = new Map<string, Map<string, string>>();
const MAX_KEYS = 1_000;

function stratumKey(endpoint: string, model: string): string {
  let byModel = stratumKeys.get(endpoint);
  if (!byModel) {
    if (stratumKeys.size >= MAX_KEYS) stratumKeys.clear();
    stratumKeys.set(endpoint, (byModel = new Map()));
  }
  let key = byModel.get(model);
  if (key === undefined) {
    if (byModel.size >= MAX_KEYS) byModel.clear();
    byModel.set(model, (key = JSON.stringify([endpoint, model])));
  }
  return key;
}

/** The sum at `i` of an entry (0 past its end: a cost-only entry has no pair sums). */
const sumAt = (entry: StratumEntry, i: number) => (entry[i] as number | undefined) ?? 0;
/** Money parts joined, the zero shared (most strata have no pairs). */
const money = (hi: number, lo: number) => (hi === 0 && lo === 0 ? 0n : joinParts(hi, lo));

/**
 * Each endpoint × model's sums that the measured projection reads, keyed as metrics.ts keys
 * strata; those without cost or pairs left out. A stratum's rows (strataIn "js") are added up as
 * numbers first, as SQL would: the money parts stay far below 2^53 over a group's few rows.
 * Written for a year by day (365 groups of a dozen strata each): no array or key made per entry.
 */
function strataOf(json: string): Record<string, Stratum> {
  const merged = new Map<string, StratumEntry>();
  for (const entry of JSON.parse(json) as StratumEntry[]) {
    const key = stratumKey(entry[0], entry[1]);
    const sums = merged.get(key);
    if (!sums) merged.set(key, entry);
    else for (let i = 2; i < Math.max(sums.length, entry.length); i++) sums[i] = sumAt(sums, i) + sumAt(entry, i);
  }
  const strata: Record<string, Stratum> = {};
  for (const [key, e] of merged) {
    const pairs = sumAt(e, 4);
    if (e[2] === 0 && e[3] === 0 && pairs === 0) continue;
    strata[key] = {
      costPico: money(sumAt(e, 2), sumAt(e, 3)),
      pairs,
      pairNanoCostPico: money(sumAt(e, 5), sumAt(e, 6)),
      pairMiniCostPico: money(sumAt(e, 7), sumAt(e, 8)),
      pairNanoSq: sumAt(e, 9),
      pairMiniSq: sumAt(e, 10),
      pairCross: sumAt(e, 11),
    };
  }
  return strata;
}
