import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import type { Env } from "../env";
import { MINI_MODEL, usageFromChat } from "../metering/cost";
import type { Endpoint, MeteredRequest } from "../metering/metered-request";
import type { NewLedgerRow } from "../db/schema";
import { createCompletion } from "../openai/upstream";
import type { Task } from "./task";

/**
 * SHADOW_RATE: the share of requests (0..1) asked again of mini to measure it, as a default and
 * per-endpoint overrides: "0.05" or "0.05,extract=0.5,summarize=0".
 */
export function shadowRate(env: Env, endpoint: Endpoint): number {
  let rate = 0;
  for (const part of (env.SHADOW_RATE ?? "").split(",")) {
    const [name, value] = part.includes("=") ? part.split("=", 2) : [undefined, part];
    const n = Number(value);
    if (!Number.isFinite(n) || (value ?? "").trim() === "") continue;
    if (name === undefined && rate === 0) rate = n;
    if (name?.trim() === endpoint) return Math.min(1, Math.max(0, n));
  }
  return Math.min(1, Math.max(0, rate));
}

/**
 * Asks mini the same request, after the caller has nano's answer, and returns its ledger row
 * (or null when mini failed: nothing was billed). Runs inside ctx.waitUntil.
 */
export async function shadowCall<O extends object>(
  env: Env,
  task: Task<any, O>,
  params: Omit<ChatCompletionCreateParamsNonStreaming, "model">,
  input: unknown,
  nano: { output: O; costPico: number },
  meter: MeteredRequest,
): Promise<NewLedgerRow | null> {
  const started = Date.now();
  try {
    const { completion, upstream } = await createCompletion(env, { ...params, model: MINI_MODEL });
    let agreement: boolean | null;
    try {
      agreement = task.agree(nano.output, task.parse(completion, input));
    } catch {
      agreement = false; // mini's own answer failed its check: it did not agree
    }
    const usage = usageFromChat(completion.usage);
    const call = { upstream, serviceTier: completion.service_tier, usage, agreement, pairCostPico: nano.costPico };
    return meter.shadowRow(MINI_MODEL, call, Date.now() - started);
  } catch (err) {
    console.error("shadow call failed", err instanceof Error ? err.message : String(err));
    return null;
  }
}
