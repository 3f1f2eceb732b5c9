import type { Context } from "hono";
import type { z } from "zod";
import { attributeBody } from "../attribution/attribution";
import type { AppEnv } from "../env";
import { toApiError } from "../errors";
import { closeMeter, meteredFields, meteredSchema, openMeter } from "../http/meter";
import { callerKey } from "../keys/auth";
import { ownedReferencesOf } from "../keys/owned";
import { MINI_MODEL } from "../metering/cost";
import { escalationPolicy, askWithEscalation } from "./escalation";
import { taskBound, taskParams } from "./params";
import { shadowInBackground, shadowRate } from "./shadow";
import type { Task, TaskInput } from "./task";

/**
 * The one pipeline of every task endpoint: validate, reserve, call, bill, check (escalating to
 * mini when asked and nano's answer fails), answer, record; then, for a sample, a shadow call to
 * mini. A budget reserves for the escalation too, when it may happen.
 */
export async function runTask<S extends z.ZodType<TaskInput>, O extends object>(c: Context<AppEnv>, task: Task<S, O>, input: z.infer<S>) {
  // A stored id in the caller's messages (a file part's) is the caller's own, or a 404.
  await ownedReferencesOf(c, input);
  const params = taskParams(task, input, callerKey(c.get("caller")).id);
  const escalates = escalationPolicy(c.env, input).enabled;
  attributeBody(c, { tags: input.tags ?? {}, endUser: input.user || null });
  const { meter, model } = await openMeter(c, task.endpoint, input.model, input.service_tier, (m) =>
    (escalates && m !== MINI_MODEL ? [m, MINI_MODEL] : [m]).map((each) => taskBound(params, each)),
  );
  try {
    const answered = await askWithEscalation(c.env, meter, task, params, input, model);
    const { output } = answered;
    const body: z.infer<typeof meteredSchema> & O = { ...meteredFields(meter, answered.model), ...output };
    closeMeter(c, meter, answered.model, 200, null);
    if (answered.model !== MINI_MODEL && Math.random() < shadowRate(c.env, task.endpoint)) {
      shadowInBackground(c, task, params, input, { output, costPico: meter.cost.costPico }, meter);
    }
    return c.json(body, 200);
  } catch (err) {
    const apiError = toApiError(err);
    closeMeter(c, meter, model, apiError.status, apiError);
    throw apiError;
  }
}
