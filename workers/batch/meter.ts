import { eq, sql } from "drizzle-orm";
import type { Batch } from "openai/resources/batches";
import type { Db } from "../db/client";
import { batchMetering, type OwnedObject } from "../db/schema";
import type { Env } from "../env";
import { releaseHold } from "../keys/budget";
import { settle } from "../keys/owned";
import { loadPrices } from "../metering/prices";
import { TASKS } from "../tasks/routes";
import { forgetLineUsers } from "./attribution";
import { textLines } from "./jsonl";
import { type BatchContext, type ChunkWriter, ledgerWriter } from "./line-rows";
import { batchMeta, recordResultFiles } from "./owners";
import { readResultLine, type ResultLine } from "./result-line";
import { taskResultWriter } from "./task-results";
import { endedAt, fileContent } from "./upstream";

/**
 * The one writer of a terminal batch's ledger rows, called by the owner's GET and by the cron's
 * poll. It reads the output file, then the error file, line by line, CHUNK_LINES at a time: each
 * chunk's rows go through writeLedgerRows (idempotent on request_id `<batch id>:<custom_id>`,
 * attempt 1), then the line reached is saved in batch_metering. Interrupted anywhere, the next run
 * starts from the saved line; a chunk written but not yet saved is written again as a no-op. Two
 * runs at once write the same rows, and the unique index keeps one. Once both files are read the
 * batch is settled and never read again.
 */

/** Lines per chunk: one D1 batch of inserts (writeLedgerRows keeps each inside D1's bound-value limit). */
const CHUNK_LINES = 500;
/** Lines one invocation meters at most, over all batches: the rest resumes on the next run. */
export const LINES_PER_RUN = 50_000;

export interface LineBudget {
  lines: number;
}
export const lineBudget = (): LineBudget => ({ lines: LINES_PER_RUN });

/** running: not terminal yet; partial: the budget ran out (resumes later); settled: every line is in the ledger. */
export type MeterState = "running" | "partial" | "settled";

const PROGRESS = {
  outputLines: sql`max(${batchMetering.outputLines}, excluded.output_lines)`,
  errorLines: sql`max(${batchMetering.errorLines}, excluded.error_lines)`,
};
type Progress = keyof typeof PROGRESS;

async function progressOf(db: Db, batchId: string): Promise<Record<Progress, number>> {
  const [row] = await db.select().from(batchMetering).where(eq(batchMetering.batchId, batchId));
  return row ?? { outputLines: 0, errorLines: 0 };
}

/** Saves the line reached in one file; it only ever rises, whichever of two runs saves last. */
async function saveProgress(db: Db, batchId: string, file: Progress, lines: number): Promise<void> {
  await db
    .insert(batchMetering)
    .values({ batchId, [file]: lines })
    .onConflictDoUpdate({ target: batchMetering.batchId, set: { [file]: PROGRESS[file] } });
}

/** Meters one result file from line `from` on; false when the budget ran out first. */
async function meterFile(ctx: BatchContext, fileId: string, file: Progress, from: number, write: ChunkWriter, budget: LineBudget): Promise<boolean> {
  const { body, upstream } = await fileContent(ctx.env, fileId);
  let number = 0;
  let chunk: ResultLine[] = [];
  const flush = async () => {
    await write(chunk, upstream);
    await saveProgress(ctx.db, ctx.batchId, file, number);
    budget.lines -= chunk.length;
    chunk = [];
  };
  for await (const text of textLines(body)) {
    number += 1;
    if (number <= from || text.trim() === "") continue;
    const line = readResultLine(text, ctx.meta.job);
    if (line) chunk.push(line);
    else console.error("batch result line without a custom_id", ctx.batchId, fileId, number);
    if (chunk.length >= CHUNK_LINES) {
      await flush();
      if (budget.lines <= 0) return false;
    }
  }
  if (chunk.length > 0 || number > from) await flush();
  return true;
}

/** Meters the batch if it is terminal and not yet settled. */
export async function meterBatch(
  env: Env,
  db: Db,
  owned: OwnedObject,
  batch: Batch,
  budget: LineBudget,
): Promise<MeterState> {
  if (owned.settledAt !== null) return "settled";
  const ended = endedAt(batch);
  if (ended === null) return "running";
  await recordResultFiles(env, db, batch, owned);
  const ctx: BatchContext = {
    env,
    db,
    batchId: batch.id,
    keyId: owned.keyId,
    meta: batchMeta(owned),
    prices: await loadPrices(db),
    endedAt: ended,
    latencyMs: Math.max(0, ended - batch.created_at * 1000),
  };
  const write = ctx.meta.job in TASKS ? taskResultWriter(ctx) : ledgerWriter(ctx);
  const progress = await progressOf(db, batch.id);
  const files: [string | undefined, Progress][] = [
    [batch.output_file_id, "outputLines"],
    [batch.error_file_id, "errorLines"],
  ];
  for (const [fileId, file] of files) {
    if (fileId && !(await meterFile(ctx, fileId, file, progress[file], write, budget))) return "partial";
  }
  // Every line is in the ledger (and in its key's budget, row by row): the creating call's hold ends.
  if (await settle(db, "batch", batch.id)) {
    await releaseHold(env, owned.keyId, owned.requestId, ended);
    await forgetLineUsers(db, batch.id);
  }
  return "settled";
}
