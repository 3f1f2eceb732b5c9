import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { type LedgerRow, ledger } from "../db/schema";
import { badRequest } from "../errors";
import { usd, usdSchema } from "../metering/money";
import { endUserText } from "../attribution/tags";
import { parseTagFilter, tagFilterDescription, userFilterDescription } from "./attribution-params";
import { DAY_MS, daySchema, dayStartMs } from "./days";
import { ledgerTag } from "./dimension";

export const requestsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(100).optional(),
  endpoint: z.string().max(50).optional(),
  model: z.string().max(100).optional(),
  service_tier: z.string().max(50).optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  request_id: z.string().max(700).optional(),
  batch_id: z.string().max(200).optional().meta({ description: "Only the rows of this Batch API batch" }),
  tag: z.string().max(200).transform(parseTagFilter).optional().meta({ description: tagFilterDescription }),
  user: endUserText.min(1).optional().meta({ description: userFilterDescription }),
  key_id: z.string().max(100).optional(),
  from: daySchema.optional(),
  to: daySchema.optional(),
});
export type RequestsQuery = z.infer<typeof requestsQuery>;

/** The cursor is the last row's position in (time desc, id desc) order. */
const encodeCursor = (r: LedgerRow) => btoa(`${r.time}:${r.id}`);
function decodeCursor(cursor: string): { time: number; id: number } {
  const [time, id] = (() => {
    try {
      return atob(cursor).split(":").map(Number);
    } catch {
      return [];
    }
  })();
  if (!Number.isSafeInteger(time) || !Number.isSafeInteger(id)) throw badRequest("cursor is not one this API gave", "cursor");
  return { time: time as number, id: id as number };
}


/** Ledger rows newest first, for one key (`keyId`) or for all (admin, keyId undefined). */
export async function listLedger(db: Db, q: RequestsQuery, keyId: string | undefined) {
  const where: (SQL | undefined)[] = [
    keyId === undefined ? undefined : eq(ledger.keyId, keyId),
    q.endpoint === undefined ? undefined : eq(ledger.endpoint, q.endpoint),
    q.model === undefined ? undefined : eq(ledger.model, q.model),
    q.service_tier === undefined ? undefined : eq(ledger.serviceTier, q.service_tier),
    q.status === undefined ? undefined : eq(ledger.status, q.status),
    q.request_id === undefined ? undefined : eq(ledger.requestId, q.request_id),
    q.batch_id === undefined ? undefined : eq(ledger.batchId, q.batch_id),
    q.tag === undefined ? undefined : eq(ledgerTag(q.tag.name), q.tag.value),
    q.user === undefined ? undefined : eq(ledger.endUser, q.user),
    q.from === undefined ? undefined : gte(ledger.time, dayStartMs(q.from)),
    q.to === undefined ? undefined : lt(ledger.time, dayStartMs(q.to) + DAY_MS),
  ];
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(or(lt(ledger.time, c.time), and(eq(ledger.time, c.time), lt(ledger.id, c.id))));
  }
  const rows = await db
    .select()
    .from(ledger)
    .where(and(...where))
    .orderBy(desc(ledger.time), desc(ledger.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { data: page.map(ledgerJson), next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}

export const ledgerRowSchema = z
  .strictObject({
    id: z.int(),
    request_id: z.string(),
    attempt: z.int(),
    time: z.iso.datetime(),
    key_id: z.string(),
    endpoint: z.string(),
    model: z.string(),
    service_tier: z.string(),
    batch_id: z.string().nullable(),
    upstream: z.string().meta({ description: "The upstream's own id of the call" }),
    status: z.int(),
    error: z.string().nullable(),
    input_tokens: z.int(),
    cached_tokens: z.int(),
    output_tokens: z.int(),
    reasoning_tokens: z.int(),
    cache_write_tokens: z.int(),
    cost_usd: usdSchema,
    mini_cost_usd: usdSchema,
    latency_ms: z.int(),
    outcome: z.string(),
    shadow: z.boolean(),
    agreement: z.boolean().nullable(),
    tags: z.record(z.string(), z.string()).nullable().meta({ description: "The call's tags, name → value; null for none" }),
    end_user: z.string().nullable().meta({ description: "The end user the call was for; null for none" }),
  })
  .meta({ id: "LedgerRow", description: "One billed upstream attempt" });

export function ledgerJson(r: LedgerRow): z.infer<typeof ledgerRowSchema> {
  return {
    id: r.id,
    request_id: r.requestId,
    attempt: r.attempt,
    time: new Date(r.time).toISOString(),
    key_id: r.keyId,
    endpoint: r.endpoint,
    model: r.model,
    service_tier: r.serviceTier,
    batch_id: r.batchId,
    upstream: r.upstream,
    status: r.status,
    error: r.error,
    input_tokens: r.inputTokens,
    cached_tokens: r.cachedTokens,
    output_tokens: r.outputTokens,
    reasoning_tokens: r.reasoningTokens,
    cache_write_tokens: r.cacheWriteTokens,
    cost_usd: usd(r.costPico),
    mini_cost_usd: usd(r.miniCostPico),
    latency_ms: r.latencyMs,
    outcome: r.outcome,
    shadow: r.shadow === 1,
    agreement: r.agreement === null ? null : r.agreement === 1,
    tags: r.tags === null ? null : (JSON.parse(r.tags) as Record<string, string>),
    end_user: r.endUser,
  };
}
