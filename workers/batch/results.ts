import type { Context } from "hono";
import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import { taskBatchItems } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError, badRequest } from "../errors";
import { ownedBy } from "../keys/owned";
import { costJson, costSchema, usageSchema } from "../metering/cost";
import { orNull } from "../openapi/define";
import { TASKS, type TaskName } from "../tasks/routes";
import { titleOf } from "../tasks/task";
import { lineBudget, meterBatch } from "./meter";
import { batchMeta, retrieveOwnedBatch } from "./owners";

export const resultsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^[0-9]{1,9}$/, "cursor is not one this API gave")
    .transform(Number)
    .optional(),
});

const NOT_RUN = { type: "not_run", message: "the batch ended before this item ran" };

const resultFields = {
  id: z.string().meta({ description: "<batch id>:<custom_id>: its ledger row's request_id" }),
  custom_id: z.string(),
  status: z.int().nullable().meta({ description: "The status the same call would have had online; null: the batch ended before it ran" }),
  model: z.string().nullable(),
  usage: orNull(usageSchema),
  cost: orNull(costSchema),
  error: z.strictObject({ type: z.string(), message: z.string() }).nullable(),
};

/** One item's result: the task's answer fields (as its online endpoint answers them) when its status is 200. */
export const taskResultSchema = z.union(
  Object.values(TASKS).map((task) =>
    z.strictObject({ ...resultFields, ...task.output.partial().shape }).meta({ id: `${titleOf(task)}Result` }),
  ) as unknown as [z.ZodType<TaskResult>],
);
type TaskOutput = z.infer<(typeof TASKS)[TaskName]["output"]>;
type TaskResult = z.infer<z.ZodObject<typeof resultFields>> & Partial<TaskOutput>;

function resultJson(batchId: string, item: typeof taskBatchItems.$inferSelect): TaskResult {
  const ran = item.status !== null;
  return {
    id: `${batchId}:${item.customId}`,
    custom_id: item.customId,
    status: item.status,
    model: item.model,
    ...(item.output ? (JSON.parse(item.output) as TaskOutput) : {}),
    usage: item.usage ? JSON.parse(item.usage) : null,
    cost: ran ? costJson({ costPico: item.costPico ?? 0, miniCostPico: item.miniCostPico ?? 0 }) : null,
    error: ran ? (item.error ? JSON.parse(item.error) : null) : NOT_RUN,
  };
}

/**
 * GET /v1/batches/{id}/results: a task batch's items in the caller's order, each with its checked
 * answer (or error), usage and cost, once the batch has ended. The first read of an ended batch
 * meters it (the same writer as the cron), so its results and ledger rows are written together.
 */
export async function taskBatchResults(c: Context<AppEnv>, id: string, q: z.infer<typeof resultsQuery>) {
  const owned = await ownedBy(c, "batch", id);
  if (!(batchMeta(owned).job in TASKS)) {
    throw badRequest(`batch ${owned.id} is not a task batch: its answers are its output file (output_file_id)`, "id");
  }
  if (owned.settledAt === null) {
    const batch = await retrieveOwnedBatch(c.env, c.get("db"), owned.id);
    const state = await meterBatch(c.env, c.get("db"), owned, batch, lineBudget());
    if (state !== "settled") {
      const why = state === "running" ? `is ${batch.status}: its results are read once it has ended` : "is still being metered";
      throw new ApiError(409, "conflict", `batch ${owned.id} ${why}; try again later`, { headers: { "retry-after": state === "running" ? "60" : "5" } });
    }
  }
  const rows = await c
    .get("db")
    .select()
    .from(taskBatchItems)
    .where(and(eq(taskBatchItems.batchId, owned.id), q.cursor === undefined ? undefined : gt(taskBatchItems.seq, q.cursor)))
    .orderBy(asc(taskBatchItems.seq))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return c.json({ data: page.map((item) => resultJson(owned.id, item)), next_cursor: rows.length > q.limit && last ? String(last.seq) : null }, 200);
}
