import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledger, rollup } from "../db/schema";
import { isOwn, ledgerDay } from "./sums";

/**
 * The fixed prompt prefix, measured from the ledger. The Worker has no tokenizer, so it takes the
 * most cached tokens any own call of a group (UTC day × key × endpoint × model) had: the upstream
 * cached that many tokens, so at least that much of the prompt was a prefix the calls shared. A
 * lower bound: a group whose calls never hit (a prefix under 1024 tokens, or one that expired
 * between calls) shows a prefix of 0 and nothing to gain.
 */
export function prefixSizes(db: Db, where: SQL, byDay: boolean) {
  return db
    .select({
      keyId: ledger.keyId,
      endpoint: ledger.endpoint,
      model: ledger.model,
      ...(byDay ? { day: ledgerDay.as("prefix_day") } : {}),
      prefix: sql<number>`max(${ledger.cachedTokens})`.as("prefix"),
    })
    .from(ledger)
    .where(and(where, isOwn))
    .groupBy(ledger.keyId, ledger.endpoint, ledger.model, ...(byDay ? [ledgerDay] : []))
    .as("prefixes");
}

/** The same sizes as the rollup keeps them (prefix_tokens per tier, its maximum), for one day's groups. */
export function keptPrefixSizes(db: Db, day: string) {
  return db
    .select({ keyId: rollup.keyId, endpoint: rollup.endpoint, model: rollup.model, prefix: sql<number>`max(${rollup.prefixTokens})`.as("prefix") })
    .from(rollup)
    .where(eq(rollup.day, day))
    .groupBy(rollup.keyId, rollup.endpoint, rollup.model)
    .as("prefixes");
}

type Prefixes = ReturnType<typeof prefixSizes> | ReturnType<typeof keptPrefixSizes>;

/** Each ledger row with its group's prefix size. */
export function prefixJoin(prefixes: Prefixes, byDay: boolean): SQL {
  return and(
    eq(prefixes.keyId, ledger.keyId),
    eq(prefixes.endpoint, ledger.endpoint),
    eq(prefixes.model, ledger.model),
    byDay ? sql`${(prefixes as ReturnType<typeof prefixSizes>).day} = ${ledgerDay}` : undefined,
  )!;
}

/**
 * The prefix size, and the prefix tokens billed uncached: per own call, min(input − cached,
 * prefix − cached), what a cache hit on the whole prefix would have moved to the cached price.
 */
export function prefixMetrics(prefixes: Prefixes) {
  const missed = sql`min(${ledger.inputTokens} - ${ledger.cachedTokens}, max(0, ${prefixes.prefix} - ${ledger.cachedTokens}))`;
  return {
    prefixTokens: sql<number>`coalesce(max(case when ${isOwn} then ${ledger.cachedTokens} end), 0)`.mapWith(Number).as("prefix_tokens"),
    prefixMissedTokens: sql<number>`coalesce(sum(case when ${isOwn} then ${missed} else 0 end), 0)`.mapWith(Number).as("prefix_missed_tokens"),
  };
}
