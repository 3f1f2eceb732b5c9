import { and, eq, ne, notExists, type SQL, sql } from "drizzle-orm";
import { QueryBuilder, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { ledger, rollup, rollupTags, rollupUsers } from "../db/schema";
import type { Group, RolledTable } from "./spend";

/**
 * Attribution in the spend API: one tag name, or the end user. Each has a rollup table of its own
 * (one row per value a group's calls carry, and one for its calls without a value), so the rows
 * of a group_by=tag:<name> are that table's. A query reads one dimension: tags and end users are
 * rolled up apart, so their joint distribution (a tag's spend per end user) is not kept.
 */
export type Dimension = { kind: "tag"; name: string } | { kind: "user" };

export interface AttributionQuery {
  dimension: Dimension;
  /** Only the calls with this value (tag=<name>:<value>, user=); else every call, grouped by value. */
  only?: string | undefined;
}

/** Where one side of a spend query reads: its table, the columns its groups read, what it keeps. */
export interface Side {
  table: RolledTable;
  groups: Partial<Record<Group, SQLiteColumn | SQL>>;
  where: SQL | undefined;
  /** A table-valued function joined to each row, which then counts once per row it yields (a ledger row's tags). */
  each?: SQL;
}

export const dimensionGroup = (d: Dimension): Group => (d.kind === "tag" ? "tag" : "user");

/** A tag's value in a ledger row's canonical JSON (names hold no quote: attribution/tags.ts). */
export const ledgerTag = (name: string) => sql<string | null>`json_extract(${ledger.tags}, ${`$."${name}"`})`;

/** A value as a group: '' (stored for the calls without one, rollup-attribution.ts) reads as null. */
const valueOf = (column: SQLiteColumn) => sql<string | null>`nullif(${column}, '')`;

/**
 * The dimension's sides: its rollup table (values, and '' for the calls without one, on the days
 * that have any); `rollup` on the days that have none (`without`: a condition on its rows); the
 * ledger on the others.
 */
export function dimensionSides({ dimension, only }: AttributionQuery): { rolled: Side; without: SQL; live: Omit<Side, "table"> } {
  const keep = (value: SQLiteColumn | SQL) => (only === undefined ? undefined : sql`${value} = ${only}`);
  const noRow = (table: typeof rollupTags | typeof rollupUsers, where?: SQL) =>
    notExists(new QueryBuilder().select({ one: sql`1` }).from(table).where(and(eq(table.day, rollup.day), where)));
  if (dimension.kind === "tag") {
    const live = ledgerTag(dimension.name);
    const named = eq(rollupTags.tagName, dimension.name);
    return {
      rolled: { table: rollupTags, groups: { tag: valueOf(rollupTags.tagValue) }, where: and(named, keep(rollupTags.tagValue)) },
      without: noRow(rollupTags, named),
      live: { groups: { tag: live }, where: keep(live) },
    };
  }
  return {
    rolled: { table: rollupUsers, groups: { user: valueOf(rollupUsers.endUser) }, where: keep(rollupUsers.endUser) },
    without: noRow(rollupUsers),
    live: { groups: { user: ledger.endUser }, where: keep(ledger.endUser) },
  };
}

/**
 * Tag names as the group `tag` (GET /v1/spend/tags): a call counts under each tag name it carries.
 * Rolled days: `rollup_tags` without its rows of the calls lacking a name (''); live days: each
 * ledger row once per tag of its canonical JSON.
 */
export const tagNameSides = (): { rolled: Side; live: Omit<Side, "table"> } => ({
  rolled: { table: rollupTags, groups: { tag: rollupTags.tagName }, where: ne(rollupTags.tagValue, "") },
  live: { groups: { tag: sql<string>`tag.key` }, where: undefined, each: sql`json_each(${ledger.tags}) as tag` },
});
