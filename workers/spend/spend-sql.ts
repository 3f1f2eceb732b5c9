import { sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { joinParts } from "../db/money";
import { COUNTS, type Metrics, MOMENTS, MONEY, type Stratum } from "./metrics";
import type { Group, liveSpend, rolledSpend, SpendRow } from "./spend";
import { sumsOver } from "./sums";

/** The sources have the same columns (spend.ts); their tables differ. */
type Source = ReturnType<typeof liveSpend> | ReturnType<typeof rolledSpend>;

/** What the measured projection reads of each endpoint × model (spend-json.ts), in this order. */
const STRATUM = ["endpoint", "model", "costPico_hi", "costPico_lo", "pairs", "pairNanoCostPico_hi", "pairNanoCostPico_lo", "pairMiniCostPico_hi", "pairMiniCostPico_lo", "pair_nano_sq", "pair_mini_sq", "pair_cross"] as const;

const column = (from: string, name: string) => sql.raw(`"${from}"."${name}"`);
const groupsOf = (from: string, by: Group[]) => Object.fromEntries(by.map((g) => [g, sql<string | null>`${column(from, g)}`.as(g)]));

/**
 * The sources' rows summed in SQL, in one statement: UNION ALL, summed per group × endpoint ×
 * model (`read`: a group's rolled and live rows together), then per group (`by`) with its
 * endpoint × model strata as one JSON array. Only the answer's rows leave D1, and money stays in
 * exact parts to the end (db/money.ts); the pair moments, statistics, as SQLite writes a REAL.
 */
export function mergedSpendQuery(db: Db, sources: Source[], read: Group[], by: Group[]) {
  const [first, second, ...rest] = sources as ReturnType<typeof liveSpend>[];
  const parts = (second ? unionAll(first!, second, ...rest) : first!).as("parts");
  const strata = db
    .select({ ...groupsOf("parts", read), ...sumsOver("parts") })
    .from(parts)
    .groupBy(...read.map((g) => column("parts", g)))
    .as("strata");
  const json = sql.raw(STRATUM.map((name) => `"strata"."${name}"`).join(", "));
  // The sums as one JSON array a row: D1 hands each value to JavaScript on its own, and these are many.
  const sums = sql.join(Object.values(sumsOver("strata")).map((sum) => sum.getSQL()), sql`, `);
  const top = db
    .select({ ...groupsOf("strata", by), sums: sql<string>`json_array(${sums})`.as("sums"), strata: sql<string>`json_group_array(json_array(${json}))`.as("strata_json") })
    .from(strata);
  return by.length ? top.groupBy(...by.map((g) => column("strata", g))) : top;
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

export async function mergedSpend(db: Db, sources: Source[], read: Group[], by: Group[]): Promise<SpendRow[]> {
  const rows = await mergedSpendQuery(db, sources, read, by);
  return rows.map(({ sums, strata, ...groups }) => ({
    ...(groups as Partial<Record<Group, string | null>>),
    ...metricsFrom(JSON.parse(sums) as number[]),
    strata: strataOf(strata),
  }));
}

/** Each endpoint × model's sums that the measured projection reads, keyed as metrics.ts keys strata; those without cost or pairs left out. */
function strataOf(json: string): Record<string, Stratum> {
  const strata: Record<string, Stratum> = {};
  for (const values of JSON.parse(json) as [string, string, ...number[]][]) {
    const [endpoint, model, costHi, costLo, pairs, nanoHi, nanoLo, miniHi, miniLo, pairNanoSq, pairMiniSq, pairCross] = values as [string, string, number, number, number, number, number, number, number, number, number, number];
    if (costHi === 0 && costLo === 0 && pairs === 0) continue;
    strata[JSON.stringify([endpoint, model])] = {
      costPico: joinParts(costHi, costLo),
      pairs,
      pairNanoCostPico: joinParts(nanoHi, nanoLo),
      pairMiniCostPico: joinParts(miniHi, miniLo),
      pairNanoSq,
      pairMiniSq,
      pairCross,
    };
  }
  return strata;
}
