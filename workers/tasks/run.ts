import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { ApiError, badRequest, toApiError } from "../errors";
import { readJson, validate } from "../http/body";
import { callerKey } from "../keys/auth";
import { costJson, DEFAULT_MODEL, usageFromOpenAI, usageJson } from "../metering/cost";
import { recordInBackground } from "../metering/ledger";
import { MeteredRequest, type Endpoint } from "../metering/metered-request";
import { loadPrices, pricedModels } from "../metering/prices";
import { createCompletion } from "../openai/upstream";
import type { Task } from "./task";

/** Validates the body, checks the model has a price, and opens the request's meter. */
export async function openMeter(c: Context<AppEnv>, endpoint: Endpoint, model: string | undefined) {
  const key = callerKey(c.var.caller);
  const prices = await loadPrices(c.var.db);
  const chosen = model ?? DEFAULT_MODEL;
  if (!pricedModels(prices).has(chosen)) {
    throw badRequest(`model ${chosen} has no price, so it cannot be metered; use one of: ${[...pricedModels(prices)].join(", ")}`, "model");
  }
  return { meter: new MeteredRequest(c.var.requestId, key.id, endpoint, prices), model: chosen };
}

/** Writes the request's ledger rows once it has ended, whatever the outcome, off the caller's clock. */
export function closeMeter(c: Context<AppEnv>, meter: MeteredRequest, model: string, status: number, error: ApiError | null) {
  recordInBackground(c.executionCtx, c.var.db, meter.ledgerRows(status, error, model, "none"));
}

/** The SPEC's common fields of every task answer. */
export function meteredFields(meter: MeteredRequest, model: string) {
  return {
    id: meter.requestId,
    model,
    usage: usageJson(meter.usage),
    cost: costJson(meter.cost),
    latency_ms: meter.latencyMs(),
  };
}

/** The one pipeline of every task endpoint: validate, call, bill, check, answer, record. */
export async function runTask<S extends z.ZodType<{ model?: string | undefined }>, O extends object>(
  c: Context<AppEnv>,
  task: Task<S, O>,
): Promise<Response> {
  const input = validate(task.input, await readJson(c));
  const { meter, model } = await openMeter(c, task.endpoint, input.model);
  try {
    const { completion, upstream } = await createCompletion(c.env, { ...task.request(input), model });
    meter.bill(model, upstream, usageFromOpenAI(completion.usage));
    const output = task.parse(completion, input);
    const body = { ...meteredFields(meter, model), ...output };
    closeMeter(c, meter, model, 200, null);
    return c.json(body);
  } catch (err) {
    const apiError = toApiError(err);
    closeMeter(c, meter, model, apiError.status, apiError);
    throw apiError;
  }
}
