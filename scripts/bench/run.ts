/**
 * `npm run bench`: what nanometer's gateway adds, against the platform's floor, and how its spend
 * path scales. Everything runs on loopback and every process it starts dies with it.
 *
 *   npm run bench                       the whole run (about 10 minutes on 2 cores)
 *   npm run bench -- --only latency     parts: latency, experiments, proof, spend, attribution, consumer, size, batch (comma-separated)
 *   npm run bench -- --only batch --summaries 10000
 *   npm run bench -- --seconds 5 --rounds 5 --concurrency 1,16,64
 *   npm run bench -- --ledger-rows 100000,1000000 --record NAME
 *   npm run bench -- --only latency --transport direct     the gateway's ledger rows written from the Worker, not queued
 *   npm run bench -- --only consumer --consumer-rows 20000,100000
 *   npm run bench -- --inspector on     attach wrangler's DevTools inspector, as the `wrangler dev` CLI does
 *
 * Results: bench/results/latest.json (and a timestamped copy); --record NAME also writes
 * scripts/bench/recorded/NAME.json, the figures BENCHMARKS.md quotes.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Experiment, experiments, matrix, type MatrixRow, type Services } from "./latency";
import { machine, speedProbeMs } from "./machine";
import { ROOT, stopAll } from "./procs";
import { startSimulator, startWorker, type Service } from "./services";
import { proofFigures } from "./proof";
import { batchCost } from "./batch";
import { bundleSize } from "./size";
import { spendPath } from "./spend";
import { attributionPath } from "./attribution";
import { consumerThroughput } from "./consumer";
import { printAttribution, printBatch, printConsumer, printExperiments, printMatrix, printProof, printSize, printSpend } from "./report";

const { values } = parseArgs({
  options: {
    only: { type: "string", default: "latency,experiments,proof,spend,attribution,consumer,size,batch" },
    summaries: { type: "string", default: "10000" },
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "1,16,64" },
    "ledger-rows": { type: "string", default: "100000,1000000" },
    "consumer-rows": { type: "string", default: "20000,100000" },
    record: { type: "string" },
    inspector: { type: "string", default: "off" },
    // The gateway's ledger write path: "queue" (wrangler.toml as shipped) or "direct" (LEDGER_TRANSPORT).
    transport: { type: "string", default: "queue" },
  },
});
const parts = new Set(values.only.split(","));
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrencies = values.concurrency.split(",").map(Number);
const ledgerRows = values["ledger-rows"].split(",").map(Number);
const log = (line: string) => console.error(line);
/** The machine's speed before each part (machine.ts): figures from a busy moment show as such. */
const probes: Record<string, number> = {};
const probe = (part: string) => {
  probes[part] = speedProbeMs();
  log(`speed probe before ${part}: ${probes[part]} ms (about 400 when the machine is quiet)`);
};

async function createKey(gateway: Service, admin: string, body: object): Promise<string> {
  const res = await fetch(`${gateway.base}/v1/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`creating a key failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

/** One call of each kind before any load: a broken setup fails here, loudly, not as a fast 4xx benchmark. */
async function check(url: string, init: RequestInit): Promise<void> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 500)}`);
}

async function startServices(): Promise<Services> {
  log("starting the simulator, the gateway and the floor Worker...");
  const simulator = await startSimulator();
  const admin = `admin_${randomBytes(16).toString("hex")}`;
  const [gateway, floor, floorAssets] = await Promise.all([
    startWorker({
      name: "gateway",
      config: "wrangler.toml",
      readyPath: "/healthz",
      inspector: values.inspector as "on" | "off",
      vars: { OPENAI_BASE_URL: simulator.base, OPENAI_API_KEY: "sk-bench", ADMIN_TOKEN: admin, RATE_LIMIT_RPM: "0", LEDGER_TRANSPORT: values.transport },
    }),
    startWorker({
      name: "floor",
      config: "scripts/bench/floor/wrangler.toml",
      readyPath: "/",
      inspector: values.inspector as "on" | "off",
      vars: { OPENAI_BASE_URL: simulator.base, OPENAI_API_KEY: "sk-bench" },
    }),
    startWorker({
      name: "floor-assets",
      config: "scripts/bench/floor/wrangler.assets.toml",
      readyPath: "/",
      inspector: values.inspector as "on" | "off",
      vars: { OPENAI_BASE_URL: simulator.base, OPENAI_API_KEY: "sk-bench" },
    }),
  ]);
  const keys = {
    plain: await createKey(gateway, admin, { name: "bench" }),
    rpm: await createKey(gateway, admin, { name: "bench-rpm", rpm: 1_000_000 }),
    budget: await createKey(gateway, admin, { name: "bench-budget", daily_budget_usd: 1_000_000 }),
  };
  const s: Services = { simulator, gateway, floor, floorAssets, keys };
  const { requestFor } = await import("./latency");
  for (const endpoint of ["chat.completions", "intent"] as const) {
    for (const target of ["direct", "floor", "gateway"] as const) {
      const r = requestFor(s, endpoint, target);
      await check(r.url, { method: "POST", headers: { "content-type": "application/json", ...r.headers }, body: r.body });
    }
  }
  log(`  simulator ${simulator.base}, gateway ${gateway.base}, floor ${floor.base}`);
  return s;
}

const results: Record<string, unknown> = { started: new Date().toISOString(), machine: machine(), options: values };
try {
  if (parts.has("latency") || parts.has("experiments")) {
    probe("latency");
    const s = await startServices();
    if (parts.has("latency")) {
      log(`latency matrix: ${seconds} s per case, concurrency ${concurrencies.join("/")}, ${rounds} interleaved rounds each`);
      const rows: MatrixRow[] = await matrix(s, concurrencies, seconds, rounds, log);
      results.latency = rows;
      printMatrix(rows);
    }
    if (parts.has("experiments")) {
      log(`experiments: chat/completions at concurrency 1, ${seconds} s each, ${rounds} interleaved rounds`);
      const ex: Experiment[] = await experiments(s, seconds, rounds, log);
      results.experiments = ex;
      printExperiments(ex);
    }
    await stopAll();
  }
  if (parts.has("proof")) {
    probe("proof");
    log(`proof: /v1/intent p50 with shadowing off and on (${rounds} rounds), and a repeated intent workload's cache hits`);
    const proof = await proofFigures(await startSimulator(), seconds, rounds, values.inspector as "on" | "off", log);
    results.proof = proof;
    printProof(proof);
    await stopAll();
  }
  // A failing part is recorded and the run goes on: the other parts' figures are still written.
  if (parts.has("spend")) {
    probe("spend");
    try {
      results.spend = await spendPath(ledgerRows, log);
      printSpend(results.spend as Awaited<ReturnType<typeof spendPath>>);
    } catch (err) {
      results.spend_error = err instanceof Error ? err.message : String(err);
      process.exitCode = 1;
      log(`spend path FAILED: ${results.spend_error}`);
    }
    await stopAll();
  }
  if (parts.has("attribution")) {
    probe("attribution");
    try {
      results.attribution = await attributionPath({ rows: 200_000, users: 100_000, values: 1_000, keys: 10 }, log);
      printAttribution(results.attribution as Awaited<ReturnType<typeof attributionPath>>);
    } catch (err) {
      results.attribution_error = err instanceof Error ? err.message : String(err);
      process.exitCode = 1;
      log(`attribution FAILED: ${results.attribution_error}`);
    }
    await stopAll();
  }
  if (parts.has("consumer")) {
    probe("consumer");
    try {
      results.consumer = await consumerThroughput(values["consumer-rows"].split(",").map(Number), log);
      printConsumer(results.consumer as Awaited<ReturnType<typeof consumerThroughput>>);
    } catch (err) {
      results.consumer_error = err instanceof Error ? err.message : String(err);
      process.exitCode = 1;
      log(`consumer FAILED: ${results.consumer_error}`);
    }
    await stopAll();
  }
  if (parts.has("size")) {
    try {
      results.size = await bundleSize();
      printSize(results.size as Awaited<ReturnType<typeof bundleSize>>);
    } catch (err) {
      results.size_error = err instanceof Error ? err.message : String(err);
      process.exitCode = 1;
      log(`bundle size FAILED: ${results.size_error}`);
    }
  }
  if (parts.has("batch")) {
    probe("batch");
    try {
      results.batch = await batchCost(Number(values.summaries), log);
      printBatch(results.batch as Awaited<ReturnType<typeof batchCost>>);
    } catch (err) {
      results.batch_error = err instanceof Error ? err.message : String(err);
      process.exitCode = 1;
      log(`batch cost FAILED: ${results.batch_error}`);
    }
    await stopAll();
  }
  probe("the end");
  results.speed_probe_ms = probes;
  results.finished = new Date().toISOString();
  const dir = resolve(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(resolve(dir, "latest.json"), json);
  writeFileSync(resolve(dir, `${String(results.started).replace(/[:.]/g, "-")}.json`), json);
  if (values.record) {
    mkdirSync(resolve(ROOT, "scripts/bench/recorded"), { recursive: true });
    writeFileSync(resolve(ROOT, `scripts/bench/recorded/${values.record}.json`), json);
  }
  log(`\nresults: bench/results/latest.json${values.record ? ` and scripts/bench/recorded/${values.record}.json` : ""}`);
} finally {
  await stopAll();
}
