import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { type Env, numberVar } from "../env";
import { ApiError } from "../errors";
import { MINI_MODEL, usageFromChat } from "../metering/cost";
import type { MeteredRequest, Outcome } from "../metering/metered-request";
import { createCompletion, upstreamFailure } from "../openai/upstream";
import type { Task, TaskInput } from "./task";

export interface EscalationPolicy {
  enabled: boolean;
  /** Classifier answers with a confidence under this go to mini. */
  below: number;
}

/** The request's `escalate`, else the deployment's ESCALATE (auto|off, default off). */
export function escalationPolicy(env: Env, input: TaskInput): EscalationPolicy {
  const mode = input.escalate ?? (env.ESCALATE === "auto" ? "auto" : "off");
  return { enabled: mode === "auto", below: Math.min(1, numberVar(env.ESCALATE_BELOW, 0.5)) };
}

/** An answer the caller can have (maybe flagged, or unsure), or one that failed its check (422). */
export type Judged<O> = { outcome: Outcome; output: O } | { outcome: Outcome; failure: ApiError };

/**
 * Parses and judges one answer: a 422 from the parser is invalid (or refused). An answer that is
 * not `usable` (tool calls flagged as broken) or unsure stays answerable, but is worth escalating.
 */
export function judge<O extends object>(task: Task<any, O>, parse: () => O, below: number): Judged<O> {
  let output: O;
  try {
    output = parse();
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) return { outcome: err.type === "refused" ? "refused" : "invalid", failure: err };
    throw err;
  }
  if (task.usable && !task.usable(output)) return { outcome: "invalid", output };
  if (task.confidence && task.confidence(output) < below) return { outcome: "low_confidence", output };
  return { outcome: "ok", output };
}

/**
 * Asks the model, and when escalation is on and the answer is not ok, asks mini once more. Every
 * attempt is billed on `meter`. Answers the latest answer the caller can have, with its model;
 * throws the last check failure when none can be had, or the upstream error when the first call failed.
 */
export async function askWithEscalation<O extends object>(
  env: Env,
  meter: MeteredRequest,
  task: Task<any, O>,
  params: Omit<ChatCompletionCreateParamsNonStreaming, "model">,
  input: TaskInput,
  model: string,
): Promise<{ model: string; output: O }> {
  const policy = escalationPolicy(env, input);
  const answers: { model: string; judged: Judged<O> }[] = [];
  for (const attemptModel of policy.enabled && model !== MINI_MODEL ? [model, MINI_MODEL] : [model]) {
    let result;
    try {
      result = await createCompletion(env, { ...params, model: attemptModel });
    } catch (err) {
      if (answers.length === 0) throw err;
      meter.fail(attemptModel, upstreamFailure(err)); // mini failed: nano's answer stands
      break;
    }
    const { completion } = result;
    const attempt = meter.bill(attemptModel, result.upstream, usageFromChat(completion.usage), completion.service_tier);
    const judged = judge(task, () => task.parse(completion, input), policy.below);
    attempt.outcome = judged.outcome;
    if ("failure" in judged) attempt.error = judged.failure;
    answers.push({ model: attemptModel, judged });
    if (judged.outcome === "ok") break;
  }
  for (const { model: answeredBy, judged } of answers.toReversed()) {
    if ("output" in judged) return { model: answeredBy, output: judged.output };
  }
  throw (answers.at(-1)!.judged as { failure: ApiError }).failure;
}
