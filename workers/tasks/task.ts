import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { z } from "zod";
import type { Endpoint } from "../metering/metered-request";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string of the caller's text: well-formed Unicode, since a lone surrogate has no UTF-8 to send upstream. */
export const callerText = () => z.string().refine((s) => !LONE_SURROGATE.test(s), "must be well-formed Unicode text (it holds a lone surrogate)");

/** What every task body may carry besides its own fields. */
export const taskFields = {
  model: z.string().min(1).max(100).optional(),
  /** Send the request once more to gpt-5.4-mini when nano's answer fails its check (default: ESCALATE). */
  escalate: z.enum(["auto", "off"]).optional(),
  /** OpenAI's service tier for the call (flex: half price, slower); billed at the tier the answer reports. */
  service_tier: z.enum(["auto", "default", "flex", "priority", "fast"]).optional(),
};

/** The fields every task input has. */
export type TaskInput = {
  model?: string | undefined;
  escalate?: "auto" | "off" | undefined;
  service_tier?: "auto" | "default" | "flex" | "priority" | "fast" | undefined;
};

/**
 * A task endpoint is one idea: what it asks the model, and how it checks the answer.
 * `request` lays the prompt out for prompt-cache hits: fixed instructions first, the caller's
 * text last. `parse` throws an ApiError (422) when the answer fails its check. `confidence`
 * (classifiers) and `usable` (answers that can be partly wrong) let escalation judge a parsed
 * answer; `agree` is the task's rule for whether nano's and mini's answers agree (null: not judged).
 */
export interface Task<S extends z.ZodType<TaskInput>, Output extends object> {
  endpoint: Exclude<Endpoint, "chat.completions">;
  input: S;
  request(input: z.infer<S>): Omit<ChatCompletionCreateParamsNonStreaming, "model">;
  parse(completion: ChatCompletion, input: z.infer<S>): Output;
  confidence?(output: Output): number;
  usable?(output: Output): boolean;
  agree(nano: Output, mini: Output): boolean | null;
}

export function defineTask<S extends z.ZodType<TaskInput>, Output extends object>(
  task: Task<S, Output>,
): Task<S, Output> {
  return task;
}

/**
 * The upstream call of one input, online and in a batch alike: the task's prompt, and a
 * prompt_cache_key that keeps one key's calls to one endpoint on the same cache (so a batch's
 * lines share their prefix with each other and with the online calls), and the tier asked for.
 */
export function callParams<S extends z.ZodType<TaskInput>>(task: Task<S, object>, input: z.infer<S>, keyId: string) {
  return {
    ...task.request(input),
    prompt_cache_key: `nm:${task.endpoint}:${keyId}`,
    // The SDK's type lags OpenAI's API, which also takes `fast`.
    ...(input.service_tier ? { service_tier: input.service_tier as "priority" } : {}),
  };
}
