import { and, eq, inArray, isNull } from "drizzle-orm";
import type { ChatCompletion } from "openai/resources/chat/completions";
import { taskBatchItems } from "../db/schema";
import { toApiError } from "../errors";
import { usageJson } from "../metering/cost";
import { recordInserted } from "../keys/budget";
import { writeLedgerRows } from "../metering/ledger";
import type { LedgerError, MeteredRequest } from "../metering/metered-request";
import { escalationPolicy, judge } from "../tasks/escalation";
import { TASKS, type TaskName } from "../tasks/routes";
import type { Task, TaskInput } from "../tasks/task";
import { type BatchContext, batchRows, type ChunkWriter, meterLine } from "./line-rows";
import type { ResultLine } from "./result-line";

/** D1 binds at most 100 values a statement: the batch id and this many custom ids. */
const IDS_PER_READ = 99;

interface TaskResult {
  meter: MeteredRequest;
  status: number;
  output: object | null;
  error: LedgerError | null;
}

/**
 * One task line, read as the online endpoint reads its answer: the task's own parse, judged as
 * escalation.ts judges it (a failed check is a 422, billed). An answer that cannot be read at all
 * gets the status it would online.
 */
function readTaskLine(ctx: BatchContext, task: Task<any, object>, line: ResultLine, itemJson: string, upstream: string): TaskResult {
  const item = JSON.parse(itemJson) as TaskInput;
  const meter = meterLine(ctx, line, upstream, { tags: item.tags ?? {}, endUser: item.user || null });
  if (!line.answer) return { meter, status: line.status, output: null, error: line.error };
  const completion = line.answer as unknown as ChatCompletion;
  try {
    const input = task.input.parse(item);
    const judged = judge(task, () => task.parse(completion, input), escalationPolicy(ctx.env, input).below);
    const attempt = meter.attemptList[0];
    if (attempt) attempt.outcome = judged.outcome;
    if ("output" in judged) return { meter, status: 200, output: judged.output, error: null };
    if (attempt) attempt.error = judged.failure;
    return { meter, status: judged.failure.status, output: null, error: judged.failure };
  } catch (err) {
    const failure = toApiError(err);
    return { meter, status: failure.status, output: null, error: failure };
  }
}

/** The items of these custom ids still without a result, with their bodies. */
async function pendingItems(ctx: BatchContext, customIds: string[]): Promise<Map<string, string>> {
  const reads = [];
  for (let i = 0; i < customIds.length; i += IDS_PER_READ) {
    const ids = customIds.slice(i, i + IDS_PER_READ);
    reads.push(
      ctx.db
        .select({ customId: taskBatchItems.customId, input: taskBatchItems.input })
        .from(taskBatchItems)
        .where(and(eq(taskBatchItems.batchId, ctx.batchId), inArray(taskBatchItems.customId, ids), isNull(taskBatchItems.status))),
    );
  }
  const [first, ...rest] = reads;
  const found = first ? await ctx.db.batch([first, ...rest]) : [];
  return new Map(found.flat().map((item) => [item.customId, item.input ?? "{}"]));
}

/**
 * Task batches: each line's ledger row, then its result on its item (the input dropped, no
 * longer needed). An item that already has its result was written by an earlier or concurrent
 * run, ledger row first, and is skipped.
 */
export const taskResultWriter =
  (ctx: BatchContext): ChunkWriter =>
  async (lines, upstream) => {
    const task = TASKS[ctx.meta.job as TaskName] as unknown as Task<any, object>;
    const items = await pendingItems(ctx, lines.map((line) => line.customId));
    const results = lines.flatMap((line) => {
      const item = items.get(line.customId);
      return item === undefined ? [] : [{ customId: line.customId, ...readTaskLine(ctx, task, line, item, upstream) }];
    });
    await recordInserted(ctx.env, await writeLedgerRows(ctx.db, results.flatMap((r) => batchRows(ctx, r.meter, r.status, r.error))));
    const updates = results.map((r) =>
      ctx.db
        .update(taskBatchItems)
        .set({
          input: null,
          status: r.status,
          model: ctx.meta.model,
          output: r.output && JSON.stringify(r.output),
          error: r.error && JSON.stringify({ type: r.error.type, message: r.error.message }),
          usage: JSON.stringify(usageJson(r.meter.usage)),
          costPico: r.meter.cost.costPico,
          miniCostPico: r.meter.cost.miniCostPico,
        })
        .where(and(eq(taskBatchItems.batchId, ctx.batchId), eq(taskBatchItems.customId, r.customId), isNull(taskBatchItems.status))),
    );
    const [first, ...rest] = updates;
    if (first) await ctx.db.batch([first, ...rest]);
  };
