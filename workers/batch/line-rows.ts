import type { Attribution } from "../attribution/attribution";
import type { Db } from "../db/client";
import type { NewLedgerRow } from "../db/schema";
import type { Env } from "../env";
import { recordInserted } from "../keys/budget";
import { writeLedgerRows } from "../metering/ledger";
import { type LedgerError, MeteredRequest } from "../metering/metered-request";
import type { PriceRow } from "../metering/prices";
import { lineAttribution, lineUsers } from "./attribution";
import { BATCH_TIER } from "./input-check";
import type { BatchMeta } from "./owners";
import type { ResultLine } from "./result-line";

/** What billing a batch's lines needs. */
export interface BatchContext {
  env: Env;
  db: Db;
  batchId: string;
  keyId: string;
  meta: BatchMeta;
  prices: readonly PriceRow[];
  /** When the batch ended: its rows' time, and the moment whose prices bill them. */
  endedAt: number;
  /** How long the batch ran, the latency its rows report. */
  latencyMs: number;
}

/** Writes one chunk of result lines (the ledger rows, and what else the job keeps). */
export type ChunkWriter = (lines: ResultLine[], upstream: string) => Promise<void>;

const USAGE_MISSING: LedgerError = { type: "usage_missing", message: "the batch line's answer carried no usage" };

/** A line's meter, billed at the batch tier when it reports usage, attributed as the batch and the line's body say. */
export function meterLine(ctx: BatchContext, line: ResultLine, upstream: string, body: Partial<Attribution>): MeteredRequest {
  const meter = new MeteredRequest(`${ctx.batchId}:${line.customId}`, ctx.keyId, ctx.meta.job, ctx.prices, BATCH_TIER, ctx.endedAt);
  meter.attribution = lineAttribution(ctx.meta, body);
  if (line.usage) meter.bill(ctx.meta.model, upstream, line.usage, BATCH_TIER);
  return meter;
}

/** A line's ledger row, carrying its batch; an answer without usage says so (cost 0, never silently). */
export function batchRows(ctx: BatchContext, meter: MeteredRequest, status: number, error: LedgerError | null): NewLedgerRow[] {
  const rowError = error ?? (meter.attemptList.length === 0 ? USAGE_MISSING : null);
  return meter.ledgerRows(status, rowError, ctx.meta.model).map((row) => ({ ...row, batchId: ctx.batchId, latencyMs: ctx.latencyMs }));
}

/** Chat Completions and Responses batches: each line's row, as the upstream answered it. */
export const ledgerWriter =
  (ctx: BatchContext): ChunkWriter =>
  async (lines, upstream) => {
    const users = await lineUsers(ctx.db, ctx.batchId, lines.map((line) => line.customId));
    const rows = lines.flatMap((line) => batchRows(ctx, meterLine(ctx, line, upstream, { endUser: users.get(line.customId) ?? null }), line.status, line.error));
    await recordInserted(ctx.env, await writeLedgerRows(ctx.db, rows));
  };

