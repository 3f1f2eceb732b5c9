import type { Context } from "hono";
import { z } from "zod";
import { taskBatchItems } from "../db/schema";
import type { AppEnv } from "../env";
import { ApiError, badRequest } from "../errors";
import { validate } from "../http/body";
import { callerKey } from "../keys/auth";
import { notOwned, ownedReferences } from "../keys/owned";
import { storedReferences } from "../keys/references";
import { DEFAULT_MODEL } from "../metering/cost";
import { loadPrices, priceAt } from "../metering/prices";
import { TASKS, type TaskName } from "../tasks/routes";
import { taskBound, taskParams } from "../tasks/params";
import type { Task, TaskInput } from "../tasks/task";
import { checkItemTags } from "./attribution";
import { BATCH_TIER, MAX_BATCH_LINES } from "./input-check";
import { withBatchReservation } from "./reservation";
import { multipartFile } from "./jsonl";
import { recordBatch, recordFile } from "./owners";
import { cancelBatch, createBatch, uploadFile } from "./upstream";

/** One item's body (characters of JSON) is kept in a D1 row until its result is read (D1 rows hold up to 2 MB). */
const MAX_ITEM_CHARS = 1_000_000;
/** Item rows per insert (4 bound values each, D1's limit is 100), and inserts per D1 batch. */
const ITEMS_PER_INSERT = 25;
const INSERTS_PER_WRITE = 100;

export const taskBatch = z
  .strictObject({
    endpoint: z.enum(Object.keys(TASKS) as [TaskName, ...TaskName[]]),
    items: z
      .array(z.looseObject({ custom_id: z.string().min(1).max(512) }))
      .min(1)
      .max(MAX_BATCH_LINES),
    completion_window: z.literal("24h").default("24h"),
    metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
  })
  .meta({
    example: {
      endpoint: "intent",
      items: [
        { custom_id: "ticket-1041", text: "My parcel has not arrived yet", labels: ["billing", "shipping", "returns"] },
        { custom_id: "ticket-1042", text: "Please refund the second charge", labels: ["billing", "shipping", "returns"] },
      ],
      metadata: { job: "nightly-triage" },
    },
  });

type Item = { custom_id: string } & Record<string, unknown>;

/** An item without its custom_id: the task endpoint's body. */
const bodyOf = ({ custom_id: _, ...body }: Item) => body;

/** An item's body through the task's own input schema; a 400 names `items.<i>.<field>`. */
function validItem(task: Task<any, object>, item: Item, i: number): TaskInput {
  let input: TaskInput;
  try {
    input = validate(task.input, bodyOf(item));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    throw badRequest(`items.${i}${err.field ? "." : ": "}${err.message}`, err.field ? `items.${i}.${err.field}` : `items.${i}`);
  }
  if (input.escalate === "auto") throw badRequest(`items.${i}.escalate: a batch answers each item once; it does not escalate`, `items.${i}.escalate`);
  if (input.service_tier) throw badRequest(`items.${i}.service_tier: batch items are billed at the batch tier`, `items.${i}.service_tier`);
  return input;
}

/** Every item valid, custom ids unique, one model with a batch price: the items' inputs and that model. */
async function checkItems(c: Context<AppEnv>, task: Task<any, object>, items: Item[]) {
  const seen = new Map<string, number>();
  const inputs = items.map((item, i) => {
    const first = seen.get(item.custom_id);
    if (first !== undefined) throw badRequest(`items.${i}.custom_id: ${item.custom_id} is also item ${first}'s; each must be unique`, `items.${i}.custom_id`);
    seen.set(item.custom_id, i);
    if (JSON.stringify(bodyOf(item)).length > MAX_ITEM_CHARS) {
      throw badRequest(`items.${i}: an item of a task batch is at most ${MAX_ITEM_CHARS} characters of JSON`, `items.${i}`);
    }
    const input = validItem(task, item, i);
    checkItemTags(c.get("attribution").tags, input.tags, i);
    return input;
  });
  const model = inputs[0]?.model ?? DEFAULT_MODEL;
  const other = inputs.findIndex((input) => (input.model ?? DEFAULT_MODEL) !== model);
  if (other >= 0) throw badRequest(`items.${other}.model: a batch runs one model, and item 0 asks for ${model}`, `items.${other}.model`);
  if (!priceAt(await loadPrices(c.get("db")), model, BATCH_TIER, Date.now())) {
    throw badRequest(`items.0.model: ${model} has no batch price, so it cannot be metered`, "items.0.model");
  }
  return { inputs, model };
}

/** The stored ids items name (a tool item's file parts) are the caller's own: else a 400 naming the first item naming one. */
async function checkItemReferences(c: Context<AppEnv>, inputs: TaskInput[]) {
  const refs = inputs.flatMap((input, i) => storedReferences(input).map((ref) => ({ ...ref, item: i })));
  const { unowned } = await ownedReferences(c.get("db"), c.get("caller"), refs);
  if (unowned) throw badRequest(`items.${unowned.item}: ${notOwned(unowned).message}`, `items.${unowned.item}.${unowned.field}`);
}

/** The item rows, a D1 batch of inserts at a time (each within D1's bound-value limit), built as they are written. */
async function storeItems(c: Context<AppEnv>, batchId: string, items: Item[]) {
  const db = c.get("db");
  const perWrite = ITEMS_PER_INSERT * INSERTS_PER_WRITE;
  for (let start = 0; start < items.length; start += perWrite) {
    const inserts = [];
    for (let i = start; i < Math.min(items.length, start + perWrite); i += ITEMS_PER_INSERT) {
      const rows = items.slice(i, i + ITEMS_PER_INSERT).map((item, j) => ({ batchId, customId: item.custom_id, seq: i + j, input: JSON.stringify(bodyOf(item)) }));
      inserts.push(db.insert(taskBatchItems).values(rows));
    }
    const [first, ...rest] = inserts;
    if (first) await db.batch([first, ...rest]);
  }
}

/**
 * POST /v1/batches/tasks: many bodies of one task endpoint as one Batch API batch. Each line is
 * the online call, built by the same code (the task's prompt and taskParams), so answers are read
 * back with the task's own parse (task-results.ts) and lines share the prompt prefix and cache key.
 */
export async function createTaskBatch(c: Context<AppEnv>, body: z.infer<typeof taskBatch>) {
  const key = callerKey(c.get("caller"));
  const task = TASKS[body.endpoint] as unknown as Task<any, object>;
  const items = body.items as Item[];
  const { inputs, model } = await checkItems(c, task, items);
  await checkItemReferences(c, inputs);
  const bound = { model, inputTokens: 0, outputTokens: 0 };
  for (const input of inputs) {
    const each = taskBound(taskParams(task, input, key.id), model);
    bound.inputTokens += each.inputTokens;
    bound.outputTokens += each.outputTokens;
  }
  return withBatchReservation(c, bound, () => startTaskBatch(c, body, task, items, inputs, model));
}

async function startTaskBatch(c: Context<AppEnv>, body: z.infer<typeof taskBatch>, task: Task<any, object>, items: Item[], inputs: TaskInput[], model: string) {
  const key = callerKey(c.get("caller"));
  const owner = { keyId: key.id, requestId: c.get("requestId") };
  const url = "/v1/chat/completions";
  const lines = (function* () {
    for (const [i, input] of inputs.entries()) {
      yield `${JSON.stringify({ custom_id: items[i]!.custom_id, method: "POST", url, body: { model, ...taskParams(task, input, key.id) } })}\n`;
    }
  })();
  const upload = multipartFile({ purpose: "batch" }, `${body.endpoint}-batch.jsonl`, lines);
  const file = await uploadFile(c.env, upload.body, upload.contentType);
  await recordFile(c.get("db"), file, owner);
  const batch = await createBatch(c.env, { input_file_id: file.id, endpoint: url, completion_window: body.completion_window, metadata: body.metadata ?? null });
  try {
    await storeItems(c, batch.id, items);
  } catch (err) {
    await cancelBatch(c.env, batch.id).catch(() => undefined);
    throw err;
  }
  await recordBatch(c.env, c.get("db"), batch, owner, { job: body.endpoint, model, ...c.get("attribution") });
  return c.json(batch, 200);
}
