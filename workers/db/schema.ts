import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Money columns hold integer pico-USD (1e-12 USD): every price given with six decimals in USD per
 * 1M tokens is a whole number of pico-USD per token, so every cost is exact. Budgets, given with
 * six decimals, are micro-USD, so that one past $9007 is still below 2^53. Times are epoch
 * milliseconds, UTC.
 */

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** SHA-256 of the key, hex. The key itself is shown once and never stored. */
    keyHash: text("key_hash").notNull(),
    /** The first characters of the key, to recognise it in listings. */
    keyPrefix: text("key_prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** Budgets in micro-USD (their unit, so any budget is a whole number a double holds exactly); the UTC day's. */
    dailyBudgetMicro: integer("daily_budget_micro"),
    /** The UTC calendar month's budget. */
    monthlyBudgetMicro: integer("monthly_budget_micro"),
    rpm: integer("rpm"),
  },
  (t) => [uniqueIndex("api_keys_key_hash").on(t.keyHash)],
);

/**
 * Per-token prices in pico-USD of a model at a service tier, in force from `effective_from` on
 * (epoch ms) until the next row of the same model and tier; a new price is a new row, so history
 * is never repriced.
 */
export const prices = sqliteTable(
  "prices",
  {
    model: text("model").notNull(),
    /** default, flex, priority or batch. */
    tier: text("tier").notNull(),
    effectiveFrom: integer("effective_from").notNull(),
    inputPico: integer("input_pico").notNull(),
    cachedInputPico: integer("cached_input_pico").notNull(),
    outputPico: integer("output_pico").notNull(),
    /** Null: cache-write tokens cost what other input tokens cost. */
    cacheWritePico: integer("cache_write_pico"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.model, t.tier, t.effectiveFrom] })],
);

/** The ledger: one row per upstream attempt that was billed, or per request that failed before any. */
export const ledger = sqliteTable(
  "ledger",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: text("request_id").notNull(),
    attempt: integer("attempt").notNull(),
    time: integer("time").notNull(),
    keyId: text("key_id").notNull(),
    endpoint: text("endpoint").notNull(),
    model: text("model").notNull(),
    upstream: text("upstream").notNull(),
    status: integer("status").notNull(),
    error: text("error"),
    inputTokens: integer("input_tokens").notNull(),
    cachedTokens: integer("cached_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    reasoningTokens: integer("reasoning_tokens").notNull(),
    costPico: integer("cost_pico").notNull(),
    miniCostPico: integer("mini_cost_pico").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    /** How this attempt's answer fared: ok, invalid, refused, low_confidence or error. */
    outcome: text("outcome").notNull().default("ok"),
    /** 1 for a shadow call: mini asked the same request after the caller had nano's answer. */
    shadow: integer("shadow").notNull().default(0),
    /** Shadow rows: whether mini's answer agreed with nano's (1/0), null where not judged. */
    agreement: integer("agreement"),
    /** Shadow rows: the cost of nano's answer to the same request, the pair's other half. */
    pairCostPico: integer("pair_cost_pico"),
    /** The tier the upstream's answer reported (default when it reported none). */
    serviceTier: text("service_tier").notNull().default("default"),
    /** Input tokens written to the prompt cache (inside input_tokens, beside cached_tokens). */
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
    /** The Batch API batch whose result line this row bills (request_id is `<batch id>:<custom_id>`); null online. */
    batchId: text("batch_id"),
    /** The call's tags as canonical JSON (names sorted), `{"feature":"autocomplete"}`; null when it had none. */
    tags: text("tags"),
    /** Who the call was for: x-nanometer-user, else the body's safety_identifier or user; null when none said. */
    endUser: text("end_user"),
  },
  (t) => [
    // A retried write of the same attempt is a no-op, never a duplicate.
    uniqueIndex("ledger_request_attempt").on(t.requestId, t.attempt),
    index("ledger_key_time").on(t.keyId, t.time, t.id),
    index("ledger_time").on(t.time),
    // Partial: online rows (nearly all) carry no batch and cost this index nothing.
    index("ledger_batch").on(t.batchId).where(sql`${t.batchId} is not null`),
  ],
);

/** A rollup group's columns: the UTC day (YYYY-MM-DD), key, endpoint, model and tier. */
const rolledGroup = () => ({
  day: text("day").notNull(),
  keyId: text("key_id").notNull(),
  endpoint: text("endpoint").notNull(),
  model: text("model").notNull(),
  serviceTier: text("service_tier").notNull(),
});

/** What every rollup table sums per group (workers/spend/metrics.ts, written by spend/sums.ts). */
const rolledMetrics = () => ({
  requests: integer("requests").notNull(),
  errors: integer("errors").notNull(),
  inputTokens: integer("input_tokens").notNull(),
  cachedTokens: integer("cached_tokens").notNull(),
  outputTokens: integer("output_tokens").notNull(),
  reasoningTokens: integer("reasoning_tokens").notNull(),
  cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
  costPico: integer("cost_pico").notNull(),
  miniCostPico: integer("mini_cost_pico").notNull(),
  /** Requests escalated to mini: an own attempt after the first, on gpt-5.4-mini. */
  escalations: integer("escalations").notNull().default(0),
  shadowRequests: integer("shadow_requests").notNull().default(0),
  shadowCostPico: integer("shadow_cost_pico").notNull().default(0),
  /** Shadow rows whose agreement was judged, and those that agreed. */
  judged: integer("judged").notNull().default(0),
  agreed: integer("agreed").notNull().default(0),
  /**
   * The ratio estimator's moments over shadow pairs: x is nano's cost of the request
   * (`pair_cost_pico`), y mini's shadow cost of it. Σx and Σy are money, exact integers.
   */
  pairs: integer("pairs").notNull().default(0),
  pairNanoCostPico: integer("pair_nano_cost_pico").notNull().default(0),
  pairMiniCostPico: integer("pair_mini_cost_pico").notNull().default(0),
  // Σx², Σy², Σxy are statistics, not money: squares of pico-USD pass 2^53 at once (and SQLite's
  // integer sum overflows at 2^63), so they are REAL; the interval needs no more.
  pairNanoSq: real("pair_nano_sq").notNull().default(0),
  pairMiniSq: real("pair_mini_sq").notNull().default(0),
  pairCross: real("pair_cross").notNull().default(0),
});

/**
 * The ledger summed per UTC day × key × endpoint × model × tier, kept row by row by the ledger's
 * insert triggers (migration 0016) and checked and mended by the daily check (spend/rollup.ts),
 * which also writes prefix_missed_tokens; never written by anything else. A request
 * counts once, in the group of its last own attempt (the row that carries its final status); an
 * error is a request whose final status is 400 or more. Tokens and money sum every own attempt.
 * Shadow rows (mini asked again to measure it) are real money but not the request's own spend:
 * they are summed apart, in the group of the model and tier of the request's attempt 1.
 */
export const rollup = sqliteTable(
  "rollup",
  {
    ...rolledGroup(),
    ...rolledMetrics(),
    /** Own rows only: the most cached tokens of one call, a lower bound of the group's fixed prompt prefix. */
    prefixTokens: integer("prefix_tokens").notNull().default(0),
    /** Own rows only: Σ min(input − cached, prefix_tokens − cached), the prefix tokens billed uncached. */
    prefixMissedTokens: integer("prefix_missed_tokens").notNull().default(0),
  },
  (t) => [
    // A WITHOUT ROWID table (migration 0015, hand SQL: Drizzle cannot say it), so its rows are stored
    // in this key's order: one key's days are one range of pages, not a row lookup each.
    primaryKey({ columns: [t.keyId, t.day, t.endpoint, t.model, t.serviceTier] }),
    // Every key's rows of a range of days (by key; the daily check's day).
    index("rollup_day").on(t.day),
  ],
);

/**
 * Kept by triggers on `rollup` (migration 0016), beside it: every key's rows of a day summed per endpoint ×
 * model × tier, so that the admin's spend over many keys reads one row where `rollup` has one per
 * key (a year of 100 keys: 100 times fewer rows to sum).
 */
export const rollupAll = sqliteTable(
  "rollup_all",
  {
    day: text("day").notNull(),
    endpoint: text("endpoint").notNull(),
    model: text("model").notNull(),
    serviceTier: text("service_tier").notNull(),
    ...rolledMetrics(),
  },
  (t) => [primaryKey({ columns: [t.day, t.endpoint, t.model, t.serviceTier] })],
);

/**
 * Kept by triggers on `rollup` (migration 0017), beside it: a key's rows of a day summed over
 * their service tiers, so that one key's spend not by tier reads one row per endpoint × model
 * where `rollup` has one per tier (a year's day-by-day answer sums half the rows).
 */
export const rollupAllTiers = sqliteTable(
  "rollup_all_tiers",
  {
    day: text("day").notNull(),
    keyId: text("key_id").notNull(),
    endpoint: text("endpoint").notNull(),
    model: text("model").notNull(),
    ...rolledMetrics(),
  },
  (t) => [
    // WITHOUT ROWID (migration 0017, hand SQL), stored in key order as `rollup` is.
    primaryKey({ columns: [t.keyId, t.day, t.endpoint, t.model] }),
    // The daily check's day, remade.
    index("rollup_all_tiers_day").on(t.day),
  ],
);

/**
 * Written only by the daily check (spend/rollup.ts), beside `rollup`: each tag a call carries, summed per rollup group ×
 * tag name × value (a call with two tags counts under each). Calls without a tag of a name are
 * not here: their sums are `rollup`'s less these (workers/spend/dimension.ts).
 */
export const rollupTags = sqliteTable(
  "rollup_tags",
  {
    ...rolledGroup(),
    tagName: text("tag_name").notNull(),
    tagValue: text("tag_value").notNull(),
    ...rolledMetrics(),
  },
  (t) => [
    // group_by=tag:<name> and tag=<name>:<value> over days (the days' IN list makes each day a seek).
    primaryKey({ columns: [t.day, t.tagName, t.tagValue, t.keyId, t.endpoint, t.model, t.serviceTier] }),
    index("rollup_tags_key_day").on(t.keyId, t.day, t.tagName, t.tagValue),
  ],
);

/**
 * Written only by the daily check (spend/rollup.ts), beside `rollup`: calls with an end user, summed per rollup group ×
 * end user, and each group's calls without one as the end user '' (on a day that has any).
 */
export const rollupUsers = sqliteTable(
  "rollup_users",
  {
    ...rolledGroup(),
    endUser: text("end_user").notNull(),
    ...rolledMetrics(),
  },
  // group_by=user and user=<end user> over days (the days' IN list makes each day a seek).
  (t) => [primaryKey({ columns: [t.day, t.endUser, t.keyId, t.endpoint, t.model, t.serviceTier] })],
);

/**
 * Written only by the daily check, from `rollup_users`: each key's end users' day, one row each, for
 * the top end users by cost (spend/users.ts): each day's are read costliest first, and only as
 * deep as the answer needs.
 */
export const rollupUserDays = sqliteTable(
  "rollup_user_days",
  {
    day: text("day").notNull(),
    keyId: text("key_id").notNull(),
    endUser: text("end_user").notNull(),
    requests: integer("requests").notNull(),
    errors: integer("errors").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    cachedTokens: integer("cached_tokens").notNull(),
    cacheWriteTokens: integer("cache_write_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    reasoningTokens: integer("reasoning_tokens").notNull(),
    costPico: integer("cost_pico").notNull(),
    miniCostPico: integer("mini_cost_pico").notNull(),
  },
  (t) => [
    // One end user's days, for the exact sums of the candidates.
    primaryKey({ columns: [t.keyId, t.endUser, t.day] }),
    // A day's end users costliest first: of every key (admin), and of one key.
    index("rollup_user_days_cost").on(t.day, t.costPico),
    index("rollup_user_days_key_cost").on(t.keyId, t.day, t.costPico),
  ],
);

/** The days the daily check has checked, and when: a day checked after it ended reads its prefix and attribution figures from the rollups (0 while a check runs). */
export const rollupDays = sqliteTable("rollup_days", {
  day: text("day").primaryKey(),
  rolledAt: integer("rolled_at").notNull(),
});

/**
 * Each key's spend per UTC day, for the budget check: one primary-key read on the hot path
 * instead of a sum over the ledger. Kept only by the `ledger_key_spend` trigger (migrations
 * 0004 and 0007), atomically with each ledger insert; never written by the application.
 */
export const keySpend = sqliteTable(
  "key_spend",
  {
    keyId: text("key_id").notNull(),
    /** UTC day, YYYY-MM-DD, of the ledger rows' `time`. */
    day: text("day").notNull(),
    costPico: integer("cost_pico").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.day] })],
);

/**
 * Objects kept upstream on a key's behalf (stored responses, files, batches): who owns each, so
 * that every route reading or changing one answers 404 to any other key (keys/owned.ts). Objects
 * billed when they end (background responses, batches) are open until then: `settled_at` is null
 * while nanometer still has to meter them, and the cron polls exactly those.
 */
export const ownedObjects = sqliteTable(
  "owned_objects",
  {
    /** response, file or batch. */
    kind: text("kind").notNull(),
    /** The upstream's id of the object. */
    id: text("id").notNull(),
    keyId: text("key_id").notNull(),
    /** The nanometer request that created it. */
    requestId: text("request_id").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When its spend was settled: at once for what costs nothing later; null while it is open. */
    settledAt: integer("settled_at"),
    /** What metering it later needs, as JSON (the model and tier asked for, a batch's job). */
    meta: text("meta"),
    /** When the cron last asked the upstream about it while open: each key's least recently polled go first. */
    polledAt: integer("polled_at"),
  },
  (t) => [primaryKey({ columns: [t.kind, t.id] }), index("owned_objects_key").on(t.keyId, t.kind, t.createdAt), index("owned_objects_open").on(t.kind, t.settledAt)],
);

/**
 * Alert events (workers/alerts/): budget thresholds crossed and spend anomalies, each recorded once
 * per (type, key, period, threshold) and delivered to ALERT_WEBHOOK_URL by the poll cron. `body` is
 * the event's exact JSON, so every retry sends the same bytes under the same id.
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    /** budget_threshold or spend_anomaly. */
    type: text("type").notNull(),
    keyId: text("key_id").notNull(),
    /** The budget's period: a UTC day (YYYY-MM-DD) or month (YYYY-MM); an anomaly's UTC day. */
    period: text("period").notNull(),
    /** Percent of the budget (50, 80, 100); 0 for an anomaly (not null, so the unique key holds). */
    threshold: integer("threshold").notNull(),
    spentPico: integer("spent_pico").notNull(),
    budgetPico: integer("budget_pico"),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Delivery attempts begun, each claimed atomically before it is sent. */
    attempts: integer("attempts").notNull().default(0),
    /** When the cron may (re)try it; null once delivered. */
    nextAttemptAt: integer("next_attempt_at"),
    deliveredAt: integer("delivered_at"),
    /** The last attempt's HTTP status (null when it got none) and error. */
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    /** Every attempt's outcome, oldest first: JSON [{at, status, error, ms}]. */
    history: text("history").notNull().default("[]"),
  },
  (t) => [
    // "Once each per period", under any concurrency: a second insert of the same event is a no-op.
    uniqueIndex("alerts_once").on(t.type, t.keyId, t.period, t.threshold),
    index("alerts_created").on(t.createdAt, t.id),
    index("alerts_key_created").on(t.keyId, t.createdAt, t.id),
    index("alerts_due").on(t.nextAttemptAt),
  ],
);

/**
 * How far the metering of a terminal batch has got: the lines of its output and error files
 * already written to the ledger (blank lines included), so an interrupted run resumes there.
 * Only ever raised; the ledger's unique (request_id, attempt) makes a repeated line a no-op.
 */
/**
 * The end user a Batch API input line names (its body's safety_identifier or user), for the lines
 * that name one, kept from the batch's creation until its lines are metered.
 */
export const batchLineUsers = sqliteTable(
  "batch_line_users",
  {
    batchId: text("batch_id").notNull(),
    customId: text("custom_id").notNull(),
    endUser: text("end_user").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.customId] })],
);

export const batchMetering = sqliteTable("batch_metering", {
  batchId: text("batch_id").primaryKey(),
  outputLines: integer("output_lines").notNull().default(0),
  errorLines: integer("error_lines").notNull().default(0),
});

/**
 * The items of a task batch (POST /v1/batches/tasks), in the caller's order (`seq`): the body
 * each line was built from, kept until its result line is read with the task's own parse, then
 * the result (GET /v1/batches/{id}/results). `status` is null until then; the input is dropped
 * once the result is written.
 */
export const taskBatchItems = sqliteTable(
  "task_batch_items",
  {
    batchId: text("batch_id").notNull(),
    customId: text("custom_id").notNull(),
    seq: integer("seq").notNull(),
    /** The item's body as the caller sent it (JSON), validated again by the task when its result is read. */
    input: text("input"),
    status: integer("status"),
    model: text("model"),
    /** The task's answer fields (JSON), when the answer passed its check. */
    output: text("output"),
    /** `{type, message}` (JSON) when the line failed. */
    error: text("error"),
    /** The SPEC's usage object (JSON). */
    usage: text("usage"),
    costPico: integer("cost_pico"),
    miniCostPico: integer("mini_cost_pico"),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.customId] }), uniqueIndex("task_batch_items_seq").on(t.batchId, t.seq)],
);

export type ApiKey = typeof apiKeys.$inferSelect;
export type LedgerRow = typeof ledger.$inferSelect;
export type NewLedgerRow = typeof ledger.$inferInsert;
export type OwnedObject = typeof ownedObjects.$inferSelect;
export type NewOwnedObject = typeof ownedObjects.$inferInsert;
export type Alert = typeof alerts.$inferSelect;
