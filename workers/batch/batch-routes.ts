import { type Context, Hono } from "hono";
import type { Batch, BatchCreateParams } from "openai/resources/batches";
import { z } from "zod";
import type { OwnedObject } from "../db/schema";
import { type AppEnv, numberVar } from "../env";
import { ApiError, badRequest } from "../errors";
import { readJson, validate } from "../http/body";
import { callerKey } from "../keys/auth";
import { ownedBy } from "../keys/owned";
import { DEFAULT_RESERVE_OUTPUT_TOKENS } from "../metering/bounds";
import { loadPrices } from "../metering/prices";
import { recordLineUsers } from "./attribution";
import { BATCH_ENDPOINTS, checkInputFile } from "./input-check";
import { listJson, ownedPage } from "./lists";
import { lineBudget, meterBatch } from "./meter";
import { batchMeta, recordBatch, recordResultFiles, recordSeen, retrieveOwnedBatch } from "./owners";
import { withBatchReservation } from "./reservation";
import { cancelBatch, createBatch, endedAt } from "./upstream";

/** Only what nanometer checks; the rest (completion_window, metadata...) goes upstream as sent. */
const batchRequest = z.looseObject({
  input_file_id: z.string().min(1).max(200),
  endpoint: z.string().refine((e) => e in BATCH_ENDPOINTS, `endpoint must be one nanometer meters: ${Object.keys(BATCH_ENDPOINTS).join(" or ")}`),
});

/**
 * The batch as the upstream has it now. A terminal one's output and error files are recorded as
 * its owner's before the caller sees their ids, and the batch is metered in the background.
 */
async function current(c: Context<AppEnv>, owned: OwnedObject): Promise<Batch> {
  const batch = await retrieveOwnedBatch(c.env, c.get("db"), owned.id);
  if (owned.settledAt === null && endedAt(batch) !== null) {
    await recordResultFiles(c.env, c.get("db"), batch, owned);
    const metering = meterBatch(c.env, c.get("db"), owned, batch, lineBudget());
    c.executionCtx.waitUntil(metering.catch((err) => console.error("batch metering failed", owned.id, err instanceof Error ? err.message : String(err))));
  }
  return batch;
}

/**
 * OpenAI's Batch API, owner-scoped and metered: the input file is checked before the batch is
 * created (every line meterable, a 400 naming the first that is not), a key past its budget gets
 * a 402, and a terminal batch is billed once, line by line (meter.ts).
 */
export const batchesRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const key = callerKey(c.get("caller"));
    const body = validate(batchRequest, await readJson(c));
    await ownedBy(c, "file", body.input_file_id).catch((err) => {
      throw err instanceof ApiError && err.status === 404 ? badRequest(`input_file_id: no file with id ${body.input_file_id}`, "input_file_id") : err;
    });
    const reserveOutput = numberVar(c.env.BUDGET_RESERVE_OUTPUT_TOKENS, DEFAULT_RESERVE_OUTPUT_TOKENS);
    const bound = await checkInputFile(c, body.input_file_id, body.endpoint, await loadPrices(c.get("db")), Date.now(), reserveOutput);
    return withBatchReservation(c, bound, async () => {
      const batch = await createBatch(c.env, body as unknown as BatchCreateParams);
      const meta = { job: BATCH_ENDPOINTS[body.endpoint]!, model: bound.model, ...c.get("attribution") };
      await recordBatch(c.env, c.get("db"), batch, { keyId: key.id, requestId: c.get("requestId") }, meta);
      await recordLineUsers(c.get("db"), batch.id, bound.endUsers);
      return c.json(batch);
    });
  })
  // Each batch as nanometer last saw it (created, retrieved, cancelled, polled): a list asks the
  // upstream nothing, but for a batch recorded before nanometer kept what it saw.
  .get("/", async (c) => {
    const { objects, hasMore } = await ownedPage(c, "batch", c.req.query(), 100, 20);
    const batches = await Promise.all(
      objects.map((owned) => batchMeta(owned).batch ?? current(c, owned).catch((err) => (err instanceof ApiError && err.status === 404 ? null : Promise.reject(err)))),
    );
    return c.json(listJson(batches.filter((b) => b !== null), hasMore));
  })
  .get("/:id", async (c) => c.json(await current(c, await ownedBy(c, "batch", c.req.param("id")))))
  .post("/:id/cancel", async (c) => {
    const { id } = await ownedBy(c, "batch", c.req.param("id"));
    const batch = await cancelBatch(c.env, id);
    await recordSeen(c.get("db"), batch);
    return c.json(batch);
  });
