/**
 * The ledger queue consumer's throughput (`npm run bench -- --only consumer`), against the bench
 * Worker in scripts/bench/queue/: N rows in one-row messages (and once in messages of
 * OUTBOX_ROWS rows, as the gateway's outbox sends them under load) sent to a local Cloudflare
 * Queue as fast as it takes them (a few thousand ahead of the consumer at most: queue/worker.ts),
 * written by the real consumer (consumeLedger) to local D1, where each insert also fires the
 * rollup and key_spend triggers. End to end is the Worker's clock from the first send to the end
 * of the last batch's write; from here, the wall time until `count(*)` shows every row.
 */
import { type Service, startWorker } from "./services";
import type { Delivered } from "./queue/worker";

const POLL_MS = 200;
/** Interleaved rounds with and without the rollup triggers. */
const ROUNDS = 3;
/** A run fails when the ledger has not grown for this long. */
const STALL_MS = 60_000;
/** Rows a message of the outbox holds at 50 calls a second in an isolate (its 100 ms; 20, the cap, from 200: ledger-outbox.ts). */
const OUTBOX_ROWS = 5;

async function call<T>(base: string, path: string, body?: object): Promise<T> {
  const res = await fetch(`${base}${path}`, body ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {});
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 1000)}`);
  return JSON.parse(text) as T;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** workerd's user+system CPU seconds over `run`. */
async function workerdCpu<T>(w: Service, run: () => Promise<T>): Promise<[T, number]> {
  const before = w.cpu().workerd ?? 0;
  const result = await run();
  return [result, (w.cpu().workerd ?? 0) - before];
}

/** Sends `rows` rows, `rowsPerMessage` a message, and waits until the consumer has written every row. */
async function drain(w: Service, rows: number, rowsPerMessage: number, triggers: string, log: (line: string) => void) {
  const messages = Math.ceil(rows / rowsPerMessage);
  const before = (await call<{ ledger: number }>(w.base, "/progress")).ledger;
  const wallStarted = performance.now();
  const [sent, cpuS] = await workerdCpu(w, async () => {
    const sent = await call<{ started: number; ms: number; max_ahead: number }>(w.base, "/send", { messages, rows_per_message: rowsPerMessage });
    log(`  ${messages} messages of ${rowsPerMessage} rows sent in ${(sent.ms / 1000).toFixed(1)} s`);
    let [seen, lastGrowth] = [0, performance.now()];
    for (;;) {
      const p = await call<{ ledger: number; written: number }>(w.base, "/progress");
      if (p.ledger - before >= messages * rowsPerMessage && p.written >= messages) return sent;
      if (p.ledger > seen) [seen, lastGrowth] = [p.ledger, performance.now()];
      else if (performance.now() - lastGrowth > STALL_MS) throw new Error(`the ledger stopped at ${p.ledger - before} of ${messages * rowsPerMessage} new rows`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  });
  const wallMs = performance.now() - wallStarted;
  const batches = await call<Delivered[]>(w.base, "/batches");
  const writeMs = batches.reduce((n, b) => n + b.ms, 0);
  const e2eMs = Math.max(...batches.map((b) => b.started + b.ms)) - sent.started;
  const ms = batches.map((b) => b.ms).sort((a, b) => a - b);
  const sizes = batches.map((b) => b.messages).sort((a, b) => a - b);
  // From one batch's write ending to the next one's handler starting: the queue's own delivery time.
  const inOrder = [...batches].sort((a, b) => a.started - b.started);
  const gaps = inOrder.slice(1).map((b, i) => b.started - (inOrder[i]!.started + inOrder[i]!.ms)).sort((a, b) => a - b);
  const written = messages * rowsPerMessage;
  return {
    rows: written,
    messages,
    rows_per_message: rowsPerMessage,
    triggers,
    ledger_rows_before: before,
    send_ms: sent.ms,
    max_ahead: sent.max_ahead,
    e2e_ms: e2eMs,
    rows_per_s: (written * 1000) / e2eMs,
    wall_ms: wallMs,
    wall_rows_per_s: (written * 1000) / wallMs,
    batches: batches.length,
    batch_messages: { min: sizes[0] ?? 0, p50: quantile(sizes, 0.5), max: sizes[sizes.length - 1] ?? 0 },
    write_ms: { p50: quantile(ms, 0.5), p90: quantile(ms, 0.9), max: ms[ms.length - 1] ?? 0, sum: writeMs },
    write_rows_per_s: (written * 1000) / writeMs,
    between_batches_ms: { p50: quantile(gaps, 0.5), p90: quantile(gaps, 0.9) },
    retried: batches.reduce((n, b) => n + b.retried, 0),
    workerd_cpu_s: cpuS,
  };
}

export async function consumerThroughput(runs: number[], log: (line: string) => void) {
  log("consumer: starting the bench queue Worker...");
  // Served without devtools and without file watching, as the spend part's Worker.
  const w = await startWorker({ name: "queue", config: "scripts/bench/queue/wrangler.toml", readyPath: "/", vars: {}, inspector: "off" });
  const results: Awaited<ReturnType<typeof drain>>[] = [];
  const measure = async (rows: number, triggers: string, rowsPerMessage = 1) => {
    const r = await drain(w, rows, rowsPerMessage, triggers, log);
    log(`  ${r.rows} rows in ${r.messages} messages, ${triggers}: ${r.rows_per_s.toFixed(0)} rows/s end to end, ${r.batches} batches, write p50 ${r.write_ms.p50} ms (${r.write_rows_per_s.toFixed(0)} rows/s writing)`);
    results.push(r);
    return r.rows_per_s;
  };
  for (const rows of runs) await measure(rows, "as shipped");
  await measure(runs[0]!, "as shipped", OUTBOX_ROWS);
  const counts = await call<{ ledger: number; rollup: number | null; rollup_all: number | null; rollup_all_tiers: number | null }>(w.base, "/counts");
  if (counts.rollup !== counts.ledger || counts.rollup_all !== counts.ledger || counts.rollup_all_tiers !== counts.ledger) {
    throw new Error(`the triggers did not keep up: ledger ${counts.ledger} rows, requests in rollup ${counts.rollup}, rollup_all ${counts.rollup_all}, rollup_all_tiers ${counts.rollup_all_tiers}`);
  }
  // What keeping the rollup costs the consumer: the first size again, without migration 0016's
  // rollup triggers and with them, in interleaved rounds (the ledger grows under both alike).
  const compared = { with: [] as number[], without: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const on of [false, true]) {
      await call(w.base, "/rollup-triggers", { on });
      compared[on ? "with" : "without"].push(await measure(runs[0]!, on ? "as shipped" : "without the rollup triggers"));
    }
  }
  // The rounds with them did write the rollup, and those without did not.
  const after = await call<{ ledger: number; rollup: number | null }>(w.base, "/counts");
  const added = ROUNDS * runs[0]!;
  if (after.ledger !== counts.ledger + 2 * added || after.rollup !== counts.ledger + added) {
    throw new Error(`after the trigger rounds: ledger ${after.ledger} rows, rollup ${after.rollup} requests; expected ${counts.ledger + 2 * added} and ${counts.ledger + added}`);
  }
  const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
  // Each round's own ratio: the machine's load drifts between rounds more than within one.
  const ratios = compared.with.map((w, i) => w / compared.without[i]!);
  const triggers = { rounds: ROUNDS, rows: runs[0]!, ratios, ratio_median: median(ratios), rows_per_s_with: median(compared.with), rows_per_s_without: median(compared.without) };
  return { max_batch_size: 100, max_batch_timeout_s: 1, runs: results, counts, triggers };
}
