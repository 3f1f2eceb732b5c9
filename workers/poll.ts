import { pollAlerts } from "./alerts/poll";
import { pollBatches } from "./batch/poller";
import type { Env } from "./env";
import { pollBackgroundResponses } from "./openai/responses/background";

/** The poll cron (wrangler.toml): every few minutes, work that waits on the upstream or on time. */
export const POLL_CRON = "*/5 * * * *";

/**
 * One poller per kind of open work (background responses to bill, batches to meter, alerts to
 * deliver). Each runs on its own: one that fails is logged and does not stop the others.
 */
type Poller = (env: Env, now: number) => Promise<unknown>;
const POLLERS: Record<string, Poller> = {
  alerts: pollAlerts,
  batches: pollBatches,
  responses: pollBackgroundResponses,
};

export async function runPollers(env: Env, now: number): Promise<void> {
  const results = await Promise.allSettled(Object.entries(POLLERS).map(async ([name, poll]) => [name, await poll(env, now)] as const));
  for (const result of results) {
    if (result.status === "fulfilled") console.log("poll", result.value[0], JSON.stringify(result.value[1]));
    else console.error("poll failed", result.reason instanceof Error ? result.reason.message : String(result.reason));
  }
}
