import type { z } from "zod";
import { inputTokenBound, outputTokenBound } from "../metering/bounds";
import type { CallBound } from "../metering/cost";
import type { Task, TaskInput, TaskParams } from "./task";

/**
 * The upstream request of a task call, as online calls and batch lines both send it: the task's
 * prompt, a prompt_cache_key that keeps one key's calls to one endpoint on the same cache, and
 * the tier asked for.
 */
export function taskParams<S extends z.ZodType<TaskInput>, O extends object>(task: Task<S, O>, input: z.infer<S>, keyId: string): TaskParams {
  return {
    ...task.request(input),
    prompt_cache_key: `nm:${task.endpoint}:${keyId}`,
    // The SDK's type lags OpenAI's API, which also takes `fast`.
    ...(input.service_tier ? { service_tier: input.service_tier as "priority" } : {}),
  };
}

/** The most a task call can be billed on `model`: its prompt's size, and the task's own output cap. */
export const taskBound = (params: TaskParams, model: string): CallBound => ({
  model,
  inputTokens: inputTokenBound({ ...params, model }),
  outputTokens: outputTokenBound("chat.completions", params, 0),
});
