import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { z } from "zod";
import { endUserText, tagsObject } from "../attribution/tags";
import type { Endpoint } from "../metering/metered-request";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string of the caller's text: well-formed Unicode, since a lone surrogate has no UTF-8 to send upstream. */
export const callerText = () => z.string().refine((s) => !LONE_SURROGATE.test(s), "must be well-formed Unicode text (it holds a lone surrogate)");

/** Any JSON value (a schema that is not optional, unlike z.unknown(), so the document lists it as required). */
export const jsonValue: z.ZodType<unknown> = z
  .union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .meta({ description: "Any JSON value" });

/** What every task body may carry besides its own fields. */
export const taskFields = {
  model: z.string().min(1).max(100).optional().meta({ description: "gpt-5.4-nano unless given; any model with a price" }),
  escalate: z
    .enum(["auto", "off"])
    .optional()
    .meta({ description: "auto: when nano's answer fails its check, ask gpt-5.4-mini once more (default: the deployment's ESCALATE)" }),
  service_tier: z
    .enum(["auto", "default", "flex", "priority", "fast"])
    .optional()
    .meta({ description: "OpenAI's service tier for the call (flex: half price, slower); billed at the tier the answer reports" }),
  tags: tagsObject
    .optional()
    .meta({ description: "Tags for the spend API, name → value, as x-nanometer-tags gives them (with it, a name both give must have one value); never sent upstream" }),
  user: endUserText.optional().meta({ description: "The end user the call is for, unless x-nanometer-user says; never sent upstream" }),
};

/** The fields every task input has. */
export type TaskInput = {
  model?: string | undefined;
  escalate?: "auto" | "off" | undefined;
  service_tier?: "auto" | "default" | "flex" | "priority" | "fast" | undefined;
  tags?: Record<string, string> | undefined;
  user?: string | undefined;
};

/** A task's upstream request, but for the model, which each attempt sets. */
export type TaskParams = Omit<ChatCompletionCreateParamsNonStreaming, "model">;

/**
 * A task endpoint is one idea: what it asks the model, and how it checks the answer.
 * `request` lays the prompt out for prompt-cache hits: fixed instructions first, the caller's
 * text last. `parse` throws an ApiError (422) when the answer fails its check. `confidence`
 * (classifiers) and `usable` (answers that can be partly wrong) let escalation judge a parsed
 * answer; `agree` is the task's rule for whether nano's and mini's answers agree (null: not judged).
 * `output` is the schema of what `parse` returns: the task's own fields of its answer.
 */
export interface Task<S extends z.ZodType<TaskInput>, Output extends object> {
  endpoint: Exclude<Endpoint, "chat.completions" | "responses">;
  /** What the endpoint does, in the document. */
  summary: string;
  input: S;
  output: z.ZodObject & z.ZodType<Output>;
  /** The prompt, and `max_completion_tokens`: the task's own cap, which bounds what a budget reserves. */
  request(input: z.infer<S>): TaskParams;
  parse(completion: ChatCompletion, input: z.infer<S>): Output;
  confidence?(output: Output): number;
  usable?(output: Output): boolean;
  agree(nano: Output, mini: Output): boolean | null;
}

/** The task's name as a document's component names start: IntentAnswer, IntentResult. */
export const titleOf = (task: { endpoint: string }) => task.endpoint[0]!.toUpperCase() + task.endpoint.slice(1);

export function defineTask<S extends z.ZodType<TaskInput>, Output extends object>(
  task: Task<S, Output>,
): Task<S, Output> {
  return task;
}
