import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import { callerKey } from "../keys/auth";
import { hasBudget, type Hold, reserve, settle } from "../keys/budget";
import { maxCostPico, MINI_MODEL, usageFromChat } from "../metering/cost";
import { recordInBackground } from "../metering/ledger";
import type { Endpoint, MeteredRequest } from "../metering/metered-request";
import { loadPrices } from "../metering/prices";
import type { NewLedgerRow } from "../db/schema";
import { createCompletion } from "../openai/upstream";
import { taskBound } from "./params";
import type { Task, TaskParams } from "./task";

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

type Nano<O> = { output: O; costPico: number };

/**
 * The shadow call of a request, after the caller has nano's answer (inside ctx.waitUntil). It is
 * real money on the key, so a key with a budget reserves it first, and when the budget has no
 * room for it the request simply goes unmeasured.
 */
export function shadowInBackground<O extends object>(c: Context<AppEnv>, task: Task<any, O>, params: TaskParams, input: unknown, nano: Nano<O>, meter: MeteredRequest) {
  const key = callerKey(c.get("caller"));
  const db = c.get("db");
  const measured = async () => {
    let hold: Hold | null = null;
    if (hasBudget(key)) {
      const pico = maxCostPico(await loadPrices(db), meter.tier, taskBound(params, MINI_MODEL), meter.startedAt);
      hold = (await reserve(c.env, db, c.executionCtx, key, `${meter.requestId}:shadow`, pico, false).catch(() => undefined)) ?? null;
      if (hold === null) return;
    }
    const row = await shadowCall(c.env, task, params, input, nano, meter);
    if (row) await recordInBackground(c.executionCtx, c.env, db, [row], hold !== null);
    if (hold) await settle(c.env, hold, BigInt(row?.costPico ?? 0), meter.startedAt);
  };
  c.executionCtx.waitUntil(measured().catch((err) => console.error("shadow call failed", err instanceof Error ? err.message : String(err))));
}

/** Asks mini the same request and returns its ledger row, or null when mini failed (nothing was billed). */
async function shadowCall<O extends object>(env: Env, task: Task<any, O>, params: TaskParams, input: unknown, nano: Nano<O>, meter: MeteredRequest): Promise<NewLedgerRow | null> {
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
