import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../env";
import { toApiError } from "../errors";
import { readJson, validate } from "../http/body";
import { closeMeter, meteredFields, openMeter } from "../http/meter";
import { usageFromOpenAI } from "../metering/cost";
import { createCompletion } from "../openai/upstream";
import type { Task } from "./task";

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
