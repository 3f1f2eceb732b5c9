import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledger, rollup } from "../db/schema";
import { DAY_MS, dayStartMs } from "./days";
import { addMetrics, COUNTS, type Metrics, MOMENTS, MONEY, ZERO } from "./metrics";
import { keptPrefixSizes, prefixJoin, prefixMetrics } from "./prefix";
import { exactSums, inColumnOrder, isOwn, ledgerSumsOf, readSums, rolledValues, snake } from "./sums";

/**
 * The daily check's parts: the ledger summed again in chunks, compared with the rollup the
 * ledger's triggers keep (migration 0016), and what differs.
 */

/** At most this many ledger rows per chunk: each of the check's statements reads one chunk, far inside D1's limits. */
export const CHUNK_ROWS = 50_000;

export type Span = [start: number, end: number];

const ROLLUP_KEY = [rollup.day, rollup.keyId, rollup.endpoint, rollup.model, rollup.serviceTier];

/** A day's [start, end) millisecond spans of at most `chunkRows` ledger rows each (a millisecond's rows stay together). */
export async function dayChunks(db: Db, day: string, chunkRows = CHUNK_ROWS): Promise<Span[]> {
  const end = dayStartMs(day) + DAY_MS;
  const chunks: Span[] = [];
  for (let from = dayStartMs(day); ; ) {
    const [next] = await db
      .select({ time: ledger.time })
      .from(ledger)
      .where(and(gte(ledger.time, from), lt(ledger.time, end)))
      .orderBy(ledger.time)
      .limit(1)
      .offset(chunkRows);
    if (!next) return [...chunks, [from, end]];
    const to = Math.max(next.time, from + 1);
    chunks.push([from, to]);
    from = to;
  }
}

/** Ledger rows of a chunk, as the snapshot saw them (ids up to `upTo`). */
export const chunkRows = ([start, end]: Span, upTo: number) => and(gte(ledger.time, start), lt(ledger.time, end), sql`${ledger.id} <= ${upTo}`)!;

export interface GroupSums {
  keyId: string;
  endpoint: string;
  model: string;
  serviceTier: string;
  sums: Metrics;
  prefixTokens: number;
}

export const groupName = (g: Omit<GroupSums, "sums" | "prefixTokens">) => [g.keyId, g.endpoint, g.model, g.serviceTier].join("\u0000");

/** One chunk of the day's ledger summed per rollup group, with each group's most cached tokens of one own call. */
export function chunkSums(db: Db, span: Span, upTo: number) {
  const { groupModel, groupTier, terms } = ledgerSumsOf(upTo);
  return db
    .select({
      keyId: ledger.keyId,
      endpoint: ledger.endpoint,
      model: groupModel.as("model"),
      serviceTier: groupTier.as("service_tier"),
      prefixTokens: sql<number>`coalesce(max(case when ${isOwn} then ${ledger.cachedTokens} end), 0)`.mapWith(Number).as("prefix_tokens"),
      ...exactSums(terms),
    })
    .from(ledger)
    .where(chunkRows(span, upTo))
    .groupBy(ledger.endpoint, ledger.keyId, groupModel, groupTier);
}

/** A day's rollup rows as kept, read exactly. */
export function keptRows(db: Db, day: string) {
  const { keyId, endpoint, model, serviceTier, prefixTokens } = rollup;
  return db
    .select({ keyId, endpoint, model, serviceTier, prefixTokens, ...rolledValues(rollup) })
    .from(rollup)
    .where(eq(rollup.day, day));
}

type SumsRow = Omit<GroupSums, "sums"> & Record<string, unknown>;
const toGroup = (row: SumsRow): GroupSums => {
  const { keyId, endpoint, model, serviceTier, prefixTokens, ...rest } = readSums<SumsRow>(row);
  return { keyId, endpoint, model, serviceTier, prefixTokens, sums: Object.fromEntries([...COUNTS, ...MOMENTS, ...MONEY].map((m) => [m, rest[m]])) as Metrics };
};

/** Rows read with `chunkSums` or `keptRows`, merged per group. */
export function mergeGroups(into: Map<string, GroupSums>, rows: SumsRow[]): Map<string, GroupSums> {
  for (const row of rows) {
    const group = toGroup(row);
    const name = groupName(group);
    const known = into.get(name);
    into.set(name, known ? { ...known, sums: addMetrics(known.sums, group.sums), prefixTokens: Math.max(known.prefixTokens, group.prefixTokens) } : group);
  }
  return into;
}

/** The moments are floating point, summed in another order: equal within rounding. */
const closeEnough = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1);

export interface Difference {
  group: Omit<GroupSums, "sums" | "prefixTokens">;
  /** Per differing column: what the rollup kept, and what the ledger sums to. */
  columns: Record<string, { kept: string; ledger: string }>;
  /** What to add to the kept sums to reach the ledger's. */
  delta: Metrics;
  prefixTokens: number;
}

/** Each group whose kept sums differ from the ledger's, with the delta that mends it. */
export function differences(kept: Map<string, GroupSums>, summed: Map<string, GroupSums>): Difference[] {
  const found: Difference[] = [];
  for (const name of new Set([...kept.keys(), ...summed.keys()])) {
    const k = kept.get(name);
    const s = summed.get(name);
    const group = (s ?? k)!;
    const [ks, ss] = [k?.sums ?? ZERO, s?.sums ?? ZERO];
    const columns: Difference["columns"] = {};
    const delta = { ...ZERO };
    for (const m of COUNTS) delta[m] = ss[m] - ks[m];
    for (const m of MONEY) delta[m] = ss[m] - ks[m];
    for (const m of [...COUNTS, ...MONEY]) if (ks[m] !== ss[m]) columns[snake(m)] = { kept: String(ks[m]), ledger: String(ss[m]) };
    for (const m of MOMENTS) {
      if (!closeEnough(ks[m], ss[m])) columns[snake(m)] = { kept: String(ks[m]), ledger: String(ss[m]) };
      delta[m] = ss[m] - ks[m];
    }
    const [kp, sp] = [k?.prefixTokens ?? 0, s?.prefixTokens ?? 0];
    if (kp !== sp) columns.prefix_tokens = { kept: String(kp), ledger: String(sp) };
    if (Object.keys(columns).length) found.push({ group: { keyId: group.keyId, endpoint: group.endpoint, model: group.model, serviceTier: group.serviceTier }, columns, delta, prefixTokens: sp });
  }
  return found;
}

/** The mend of one difference: its delta added to the group's row (made if missing), its prefix size set. */
export function mend(db: Db, day: string, d: Difference) {
  const added = Object.fromEntries([...COUNTS, ...MONEY, ...MOMENTS].map((m) => [m, sql`${rollup[m]} + excluded.${sql.raw(snake(m))}`]));
  // A bigint past 2^53 is bound as text and read back as an integer.
  const value = (v: number | bigint) => (typeof v === "bigint" ? sql`cast(${v.toString()} as integer)` : v);
  const values = Object.fromEntries(Object.entries(d.delta).map(([m, v]) => [m, value(v)]));
  return db
    .insert(rollup)
    .values(inColumnOrder(rollup, { day, ...d.group, ...values, prefixTokens: d.prefixTokens, prefixMissedTokens: 0 }) as typeof rollup.$inferInsert)
    .onConflictDoUpdate({ target: ROLLUP_KEY, set: { ...added, prefixTokens: d.prefixTokens } });
}

const ZERO_FIELDS = Object.fromEntries([...COUNTS, ...MONEY, ...MOMENTS].map((m) => [m, sql<number>`0`.as(snake(m))])) as Record<keyof Metrics, SQL.Aliased<number>>;

/**
 * A chunk's own calls' prefix tokens billed uncached (prefix.ts), added to its groups'
 * prefix_missed_tokens, with the day's prefix sizes as the rollup keeps them.
 */
export function addMissedPrefix(db: Db, day: string, span: Span, upTo: number) {
  const prefixes = keptPrefixSizes(db, day);
  const select = db
    .select(
      inColumnOrder(rollup, {
        day: sql<string>`${day}`.as("day"),
        keyId: ledger.keyId,
        endpoint: ledger.endpoint,
        model: ledger.model,
        serviceTier: ledger.serviceTier,
        ...ZERO_FIELDS,
        prefixTokens: sql<number>`0`.as("prefix_tokens"),
        prefixMissedTokens: prefixMetrics(prefixes).prefixMissedTokens,
      }),
    )
    .from(ledger)
    .leftJoin(prefixes, prefixJoin(prefixes, false))
    .where(and(chunkRows(span, upTo), isOwn))
    .groupBy(ledger.endpoint, ledger.keyId, ledger.model, ledger.serviceTier);
  return db
    .insert(rollup)
    .select(select)
    .onConflictDoUpdate({ target: ROLLUP_KEY, set: { prefixMissedTokens: sql`${rollup.prefixMissedTokens} + excluded.prefix_missed_tokens` } });
}
