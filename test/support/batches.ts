/** What a gateway test of the Batch API adds to the simulator's batch steps (test/simulator/batch-support.ts). */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import type { Batch } from "openai/resources/batches";
import worker from "../../workers/index";
import { call, json } from "./worker";

export { chatLine, createBatch, jsonl, pollBatch, resultLines, upload } from "../simulator/batch-support";

/** One run of the poll cron, as Cloudflare runs it. */
export async function pollCron(scheduledTime = Date.now()) {
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "*/5 * * * *" }), env);
}

/** The batch as the upstream has it, asked of the simulator directly: watching it this way meters nothing. */
export async function upstreamBatchWhen(id: string, done: (b: Batch) => boolean, timeoutMs = 30_000): Promise<Batch> {
  const direct = new OpenAI({ apiKey: "sk-direct", baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await direct.batches.retrieve(id);
    if (done(batch)) return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} is still ${batch.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every ledger row of a batch, as GET /v1/spend/requests?batch_id= shows them to `token`, all pages. */
export async function batchRows(token: string, batchId: string): Promise<any[]> {
  const rows = [];
  let cursor = "";
  do {
    const res = await call(`/v1/spend/requests?batch_id=${batchId}&limit=1000${cursor && `&cursor=${cursor}`}`, { token });
    if (res.status !== 200) throw new Error(`spend/requests answered ${res.status}`);
    const page = await json(res);
    rows.push(...page.data);
    cursor = page.next_cursor ?? "";
  } while (cursor);
  return rows;
}

/** What the key's budget counter (key_spend, kept by the ledger's insert trigger) says it spent, pico-USD. */
export async function keySpendPico(keyId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT coalesce(sum(cost_pico), 0) AS pico FROM key_spend WHERE key_id = ?").bind(keyId).first<{ pico: number }>();
  return row?.pico ?? 0;
}
