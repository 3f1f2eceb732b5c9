import { and, desc, eq, gte, isNotNull, lte, type SQL, sql, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type { Db } from "../db/client";
import { joinMoney, joinParts, moneyOrder, moneyParts } from "../db/money";
import { ledger, rollupDays, rollupUserDays } from "../db/schema";
import { usd, usdDecimal } from "../metering/money";
import { cell } from "./csv";
import { isComplete } from "./rollup";
import { liveRows, liveSpansOf, rolledDays } from "./spend";
import { metricsSchema } from "./spend-json";
import { ledgerTerms, snake } from "./sums";

/** What /v1/spend/users sums per end user: plain sums (the shadow comparison stays in /v1/spend). */
const COUNTS = ["requests", "errors", "inputTokens", "cachedTokens", "cacheWriteTokens", "outputTokens", "reasoningTokens"] as const;
const MONEY = ["costPico", "miniCostPico"] as const;
type Terms = Record<(typeof COUNTS)[number] | (typeof MONEY)[number], SQLWrapper>;

export interface UsersQuery {
  from: string;
  to: string;
  keyId: string | undefined;
  limit: number;
}

/** One row per rolled day or call: its key, end user, counts, and money in two parts (db/money.ts) to sum exactly. */
function values(keyId: SQL, endUser: SQL, of: Terms) {
  return {
    keyId: keyId.as("key_id"),
    endUser: endUser.as("end_user"),
    ...Object.fromEntries(COUNTS.map((m) => [m, sql`${of[m]}`.as(snake(m))])),
    ...Object.assign({}, ...MONEY.map((m) => moneyParts(of[m], snake(m)))),
  } as Record<string, SQL.Aliased>;
}

const d = alias(rollupUserDays, "d");
const ofKey = (q: UsersQuery) => (q.keyId === undefined ? undefined : eq(d.keyId, q.keyId));

/**
 * Each complete day's threshold at `depth`: the cost of its depth-th costliest end user (of one
 * key, or all); null on a day with fewer, whose every end user is then read.
 */
function thresholds(db: Db, q: UsersQuery, depth: number) {
  const nth = db.select({ cost: d.costPico }).from(d).where(and(eq(d.day, rollupDays.day), ofKey(q))).orderBy(desc(d.costPico)).limit(1).offset(depth - 1);
  return db
    .select({ day: rollupDays.day, cost: sql<number | null>`(${nth})`.as("threshold") })
    .from(rollupDays)
    .where(and(gte(rollupDays.day, q.from), lte(rollupDays.day, q.to), isComplete))
    .as("thresholds");
}

/**
 * One round at `depth`, in one batch: the candidates (on each complete day, the end users at or
 * above its threshold; every end user of the live days), their exact sums over the whole range,
 * costliest first, and the bound: no other end user can cost as much as the sum of the thresholds.
 */
function round(db: Db, q: UsersQuery, spans: [number, number][], depth: number) {
  const t = thresholds(db, q, depth);
  // CROSS JOIN keeps SQLite's join order: each day's threshold first, then that day's rows above it
  // (rollup_user_days_cost), never the range's rows each checked against its day's threshold.
  const seen = db
    .selectDistinct({ keyId: d.keyId, endUser: d.endUser })
    .from(t)
    .crossJoin(d)
    .where(and(eq(d.day, t.day), ofKey(q), gte(d.costPico, sql`coalesce(${t.cost}, 0)`)));
  const liveCalls = and(liveRows(q, spans), isNotNull(ledger.endUser));
  const liveUsers = db.selectDistinct({ keyId: ledger.keyId, endUser: sql<string>`${ledger.endUser}`.as("end_user") }).from(ledger).where(liveCalls);
  const candidates = (spans.length ? seen.union(liveUsers) : seen).as("candidates");
  const u = rollupUserDays;
  // And each candidate's days read by the primary key (key_id, end_user, day).
  const rolled = db
    .select(values(sql`${u.keyId}`, sql`${u.endUser}`, u))
    .from(candidates)
    .crossJoin(u)
    .where(and(eq(u.keyId, candidates.keyId), eq(u.endUser, candidates.endUser), rolledDays(db, q, u)));
  const live = db.select(values(sql`${ledger.keyId}`, sql`${ledger.endUser}`, ledgerTerms)).from(ledger).where(liveCalls);
  const calls = (spans.length ? rolled.unionAll(live) : rolled).as("calls");
  const total = (name: string) => sql<number>`sum(${sql.raw(`"calls"."${name}"`)})`.mapWith(Number);
  const sums = db
    .select({
      keyId: sql<string>`"calls"."key_id"`,
      endUser: sql<string>`"calls"."end_user"`,
      ...Object.fromEntries(COUNTS.map((m) => [m, total(snake(m))])),
      ...Object.fromEntries(MONEY.flatMap((m) => [[`${m}Hi`, total(`${snake(m)}_hi`)], [`${m}Lo`, total(`${snake(m)}_lo`)]])),
    })
    .from(calls)
    .groupBy(sql`"calls"."key_id"`, sql`"calls"."end_user"`)
    .orderBy(...moneyOrder(total("cost_pico_hi"), total("cost_pico_lo")).map((term) => desc(term)), sql`"calls"."key_id"`, sql`"calls"."end_user"`)
    .limit(q.limit);
  const bound = db.select({ hi: sql<number>`coalesce(sum(${t.cost} / 1000000), 0)`, lo: sql<number>`coalesce(sum(${t.cost} % 1000000), 0)` }).from(t);
  return db.batch([sums, bound]);
}

/**
 * The end users who cost the most in from..to (each key's own: an end user is named by its key),
 * exactly, without summing every end user of the range: each day's rows are read costliest first,
 * as deep as needed (Fagin's threshold algorithm). When the last of the first `limit` costs at
 * least the bound, no end user left out can come before it; else the rounds go 4× deeper, until
 * every day is read whole.
 */
export async function topUsers(db: Db, q: UsersQuery) {
  const spans = await liveSpansOf(db, q.from, q.to);
  for (let depth = q.limit; ; depth *= 4) {
    const [rows, [bound]] = await round(db, q, spans, depth);
    const users = rows.map((row) => ({
      ...(row as typeof row & Record<(typeof COUNTS)[number], number>),
      costPico: joinMoney(row, "costPico"),
      miniCostPico: joinMoney(row, "miniCostPico"),
    }));
    const boundPico = joinParts(bound!.hi, bound!.lo);
    const last = users[q.limit - 1];
    if (boundPico === 0n || (last !== undefined && last.costPico >= boundPico)) return users;
  }
}

export type UserSpend = Awaited<ReturnType<typeof topUsers>>[number];

/** The spend fields an end user's row has: its calls' plain sums (the shadow comparison stays in /v1/spend). */
const USER_FIELDS = { requests: true, errors: true, input_tokens: true, cached_tokens: true, cache_write_tokens: true, output_tokens: true, reasoning_tokens: true, cost_usd: true, mini_cost_usd: true, saved_usd: true } as const;

export const userSpendSchema = z
  .strictObject({ key_id: z.string(), end_user: z.string(), ...metricsSchema.pick(USER_FIELDS).shape })
  .meta({ id: "UserSpend", description: "One end user of one key: its calls' plain sums from..to" });

export const userJson = (u: UserSpend): z.infer<typeof userSpendSchema> => ({
  key_id: u.keyId,
  end_user: u.endUser,
  requests: u.requests,
  errors: u.errors,
  input_tokens: u.inputTokens,
  cached_tokens: u.cachedTokens,
  cache_write_tokens: u.cacheWriteTokens,
  output_tokens: u.outputTokens,
  reasoning_tokens: u.reasoningTokens,
  cost_usd: usd(u.costPico),
  mini_cost_usd: usd(u.miniCostPico),
  saved_usd: usd(u.miniCostPico - u.costPico),
});

/** The same rows as RFC 4180 CSV, money with all twelve decimals. */
export function usersCsv(users: UserSpend[]): string {
  const header = ["key_id", "end_user", "requests", "errors", "input_tokens", "cached_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens", "cost_usd", "mini_cost_usd", "saved_usd"];
  const counts = (u: UserSpend) => [u.requests, u.errors, u.inputTokens, u.cachedTokens, u.cacheWriteTokens, u.outputTokens, u.reasoningTokens].map(String);
  const money = (u: UserSpend) => [u.costPico, u.miniCostPico, u.miniCostPico - u.costPico].map((p) => usdDecimal(p, 12));
  const lines = users.map((u) => [cell(u.keyId), cell(u.endUser), ...counts(u), ...money(u)].join(","));
  return [header.join(","), ...lines].map((line) => `${line}\r\n`).join("");
}
