/**
 * Issue 15's figure: what 10 000 summaries cost online and through a task batch, priced by
 * nanometer itself at the seeded prices from the simulator's usage. Both runs go through the
 * gateway (`wrangler dev`, the simulator as upstream) with the same documents, and the figures
 * are the spend API's rows per tier, read as exact decimals.
 */
import { randomBytes } from "node:crypto";
import { parse } from "lossless-json";
import { Exact } from "../cli/answer";
import { startSimulator, startWorker } from "./services";

const TOPICS = ["the harbour", "a new bridge", "the school budget", "a heat wave", "the election", "a football final", "the night trains"];
const SENTENCES = [
  "Residents asked how long the works would last and who would pay for them.",
  "Officials answered that the first phase ends in the spring.",
  "Several shop owners said the closures had already cost them customers.",
  "The opposition asked for an independent audit of the figures.",
  "A vote is expected at the next session, after a public consultation.",
];
const LANGUAGES = [undefined, "French", "German", "pt-BR"];

/** Document i: a short local news report of 3 to 14 sentences, a quarter of them asked for in each language. */
function summaryBody(i: number) {
  const sentences = Array.from({ length: 3 + (i % 12) }, (_, j) => SENTENCES[(i + j) % SENTENCES.length]);
  const text = `Report ${i}: the council discussed ${TOPICS[i % TOPICS.length]} on day ${1 + (i % 28)}. ${sentences.join(" ")}`;
  const language = LANGUAGES[i % LANGUAGES.length];
  return { text, words: 40, ...(language ? { target_language: language } : {}) };
}

async function api(base: string, token: string, path: string, body?: unknown): Promise<string> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

const exact = (text: string) => parse(text, null, (literal) => new Exact(literal)) as any;

export async function batchCost(summaries: number, log: (line: string) => void) {
  const simulator = await startSimulator();
  const admin = `admin_${randomBytes(16).toString("hex")}`;
  const gateway = await startWorker({
    name: "gateway-batch",
    config: "wrangler.toml",
    readyPath: "/healthz",
    inspector: "off",
    vars: { OPENAI_BASE_URL: simulator.base, OPENAI_API_KEY: "sk-bench", ADMIN_TOKEN: admin, RATE_LIMIT_RPM: "0" },
  });
  const key = JSON.parse(await api(gateway.base, admin, "/v1/admin/keys", { name: "bench-batch" })).key as string;
  const bodies = Array.from({ length: summaries }, (_, i) => summaryBody(i));

  log(`batch cost: ${summaries} summaries online, 16 at a time...`);
  let started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < bodies.length) await api(gateway.base, key, "/v1/summarize", bodies[next++]);
  }));
  const onlineSeconds = (performance.now() - started) / 1000;

  log(`batch cost: the same ${summaries} as one task batch...`);
  started = performance.now();
  const items = bodies.map((body, i) => ({ custom_id: `doc-${i}`, ...body }));
  const batch = JSON.parse(await api(gateway.base, key, "/v1/batches/tasks", { endpoint: "summarize", items }));
  for (let status = batch.status; !["completed", "expired", "cancelled", "failed"].includes(status); ) {
    await new Promise((r) => setTimeout(r, 500));
    status = JSON.parse(await api(gateway.base, key, `/v1/batches/${batch.id}`)).status;
  }
  let resultsCost = new Exact(0);
  let answered = 0;
  for (let cursor = ""; ; ) {
    const page = exact(await api(gateway.base, key, `/v1/batches/${batch.id}/results?limit=1000${cursor && `&cursor=${cursor}`}`));
    for (const r of page.data) {
      if (Number(r.status) === 200) answered += 1;
      if (r.cost) resultsCost = resultsCost.plus(r.cost.usd);
    }
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  const batchSeconds = (performance.now() - started) / 1000;

  const spend = exact(await api(gateway.base, key, "/v1/spend?group_by=tier"));
  const tier = (name: string) => spend.rows.find((r: any) => r.service_tier === name);
  const [online, batched] = [tier("default"), tier("batch")];
  if (!resultsCost.equals(batched.cost_usd)) throw new Error(`the results' costs sum to ${resultsCost}, the spend API's batch row says ${batched.cost_usd}`);
  const figures = (row: any, seconds: number) => ({
    requests: Number(row.requests),
    errors: Number(row.errors),
    input_tokens: Number(row.input_tokens),
    output_tokens: Number(row.output_tokens),
    cost_usd: row.cost_usd.toString(),
    mini_cost_usd: row.mini_cost_usd.toString(),
    seconds,
  });
  return {
    summaries,
    answered_in_batch: answered,
    online: figures(online, onlineSeconds),
    batch: figures(batched, batchSeconds),
    batch_over_online: Number(batched.cost_usd.div(online.cost_usd)),
  };
}
