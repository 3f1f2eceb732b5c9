import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { toApiError } from "../errors";
import { readJson, validate } from "../http/body";
import { closeMeter, meteredFields, openMeter } from "../http/meter";
import { MINI_MODEL } from "../metering/cost";
import { usd } from "../metering/money";
import { writeLedgerRows } from "../metering/ledger";
import { askWithEscalation } from "./escalation";
import { shadowCall, shadowRate } from "./shadow";
import { callParams, type Task, type TaskInput } from "./task";

/**
 * The one pipeline of every task endpoint: validate, call, bill, check (escalating to mini when
 * asked and nano's answer fails), answer, record; then, for a sample, a shadow call to mini.
 */
export async function runTask<S extends z.ZodType<TaskInput>, O extends object>(c: Context<AppEnv>, task: Task<S, O>): Promise<Response> {
  const input = validate(task.input, await readJson(c));
  const { meter, model } = await openMeter(c, task.endpoint, input.model, input.service_tier);
  const params = callParams(task, input, meter.keyId);
  try {
    const answered = await askWithEscalation(c.env, meter, task, params, input, model);
    const { output } = answered;
    const body = {
      ...meteredFields(meter, answered.model),
      ...output,
      attempts: meter.attemptList.map((a) => ({ model: a.model, outcome: a.outcome, cost_usd: usd(a.cost.costPico) })),
    };
    closeMeter(c, meter, answered.model, 200, null);
    if (answered.model !== MINI_MODEL && Math.random() < shadowRate(c.env, task.endpoint)) {
      const nano = { output, costPico: meter.cost.costPico };
      c.executionCtx.waitUntil(
        shadowCall(c.env, task, params, input, nano, meter).then((row) => (row ? writeLedgerRows(c.get("db"), [row]) : undefined)),
      );
    }
    return c.json(body);
  } catch (err) {
    const apiError = toApiError(err);
    closeMeter(c, meter, model, apiError.status, apiError);
    throw apiError;
  }
}
