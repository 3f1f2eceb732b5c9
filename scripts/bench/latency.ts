/**
 * What the gateway adds: the same load directly at the simulator, through the bare floor Worker,
 * and through the gateway, for intent and chat/completions at each concurrency; then experiments
 * at concurrency 1 that price the pieces of the gateway's hot path one at a time.
 */
import { intent } from "../../workers/tasks/intent";
import { type LoadResult, runLoad } from "./load";
import type { Service } from "./services";

export type Endpoint = "chat.completions" | "intent";
export type Target = "direct" | "floor" | "gateway";
export const TARGETS: Target[] = ["direct", "floor", "gateway"];
export const ENDPOINTS: Endpoint[] = ["chat.completions", "intent"];
const MODEL = "gpt-5.4-nano";

export const CHAT_BODY = {
  model: MODEL,
  messages: [
    { role: "system", content: "You answer in one short sentence." },
    { role: "user", content: "Say hello to the benchmark, briefly." },
  ],
};
export const INTENT_BODY = { text: "I was charged twice this month", labels: ["billing", "shipping", "other"] };
/** The upstream request the gateway sends for INTENT_BODY: the task's own request builder, plus the model. */
export const INTENT_UPSTREAM = { ...intent.request(intent.input.parse(INTENT_BODY)), model: MODEL };

export interface Services {
  simulator: Service;
  gateway: Service;
  floor: Service;
  /** The same floor Worker with an [assets] block (floor/wrangler.assets.toml): what one would cost. */
  floorAssets: Service;
  keys: { plain: string; rpm: string; budget: string };
}

export interface Req {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  headers: Record<string, string>;
}

/** The request a target gets for an endpoint: the same upstream call in all three. */
export function requestFor(s: Services, endpoint: Endpoint, target: Target, key = s.keys.plain): Req {
  const upstreamBody = JSON.stringify(endpoint === "intent" ? INTENT_UPSTREAM : CHAT_BODY);
  if (target === "direct") return { url: `${s.simulator.base}/chat/completions`, body: upstreamBody, headers: { authorization: "Bearer sk-bench" } };
  if (target === "floor") return { url: `${s.floor.base}/`, body: upstreamBody, headers: {} };
  const path = endpoint === "intent" ? "/v1/intent" : "/v1/chat/completions";
  const body = JSON.stringify(endpoint === "intent" ? INTENT_BODY : CHAT_BODY);
  return { url: `${s.gateway.base}${path}`, body, headers: { authorization: `Bearer ${key}` } };
}

export interface Measured extends LoadResult {
  /** CPU ms per request of each process involved (workerd of the Worker, the wrangler node process, the simulator). */
  cpu_ms_per_request: Record<string, number>;
}

function cpuDelta(before: Record<string, number>, after: Record<string, number>, requests: number, prefix: string) {
  const out: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after)) {
    const d = seconds - (before[name] ?? 0);
    if (d > 0 && requests > 0) out[`${prefix}:${name}`] = (d * 1000) / requests;
  }
  return out;
}

/**
 * Until the key's ledger rows stop growing: the gateway's queue consumer writes a batch a second
 * (max_batch_timeout), so a load's last rows land after it; their CPU is the call's too.
 */
export async function drained(s: Services, key = s.keys.plain): Promise<number> {
  const requests = async () => {
    const res = await fetch(`${s.gateway.base}/v1/spend`, { headers: { authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`GET /v1/spend answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { totals: { requests: number } }).totals.requests;
  };
  let [last, stableSince] = [await requests(), Date.now()];
  while (Date.now() - stableSince < 2_000) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await requests();
    if (now !== last) [last, stableSince] = [now, Date.now()];
  }
  return last;
}

/** One load case, with the CPU each service spent on it (`settle`: what the case still does after its load, counted in). */
export async function measure(
  s: Services,
  req: Req,
  connections: number,
  seconds: number,
  workers: Service[],
  settle?: () => Promise<unknown>,
): Promise<Measured> {
  const services = [s.simulator, ...workers];
  const before = services.map((x) => x.cpu());
  const result = await runLoad({ ...req, method: req.method ?? "POST", connections, seconds });
  await settle?.();
  const after = services.map((x) => x.cpu());
  // Warm-up requests ran inside the CPU window too: divide by everything that was served.
  const served = result.requests + result.warmupRequests;
  const cpu = Object.assign({}, ...services.map((x, i) => cpuDelta(before[i]!, after[i]!, served, x.name)));
  return { ...result, cpu_ms_per_request: cpu };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Rounds of one case summarised: medians of each figure across rounds, request counts summed. */
export function summarise(rounds: Measured[]): Measured & { rounds: number } {
  const pick = (f: (m: Measured) => number) => median(rounds.map(f));
  const cpuNames = [...new Set(rounds.flatMap((r) => Object.keys(r.cpu_ms_per_request)))];
  const statuses: Record<string, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    rounds: rounds.length,
    requests: rounds.reduce((n, r) => n + r.requests, 0),
    warmupRequests: rounds.reduce((n, r) => n + r.warmupRequests, 0),
    failures: rounds.reduce((n, r) => n + r.failures, 0),
    statuses,
    seconds: rounds.reduce((n, r) => n + r.seconds, 0),
    rps: pick((r) => r.rps),
    p50_ms: pick((r) => r.p50_ms),
    p90_ms: pick((r) => r.p90_ms),
    p99_ms: pick((r) => r.p99_ms),
    mean_ms: pick((r) => r.mean_ms),
    max_ms: Math.max(...rounds.map((r) => r.max_ms)),
    cpu_ms_per_request: Object.fromEntries(cpuNames.map((n) => [n, pick((r) => r.cpu_ms_per_request[n] ?? 0)])),
  };
}

export interface MatrixRow {
  endpoint: Endpoint;
  concurrency: number;
  target: Target;
  result: ReturnType<typeof summarise>;
  added_p50_ms: number | null;
  added_p99_ms: number | null;
}

/**
 * The main matrix. For each endpoint × concurrency, the three targets run back to back,
 * interleaved `rounds` times (the goals are judged at concurrencies 1 and 16; each figure is the
 * median of its rounds), so that drift in a noisy machine hits all three alike.
 */
export async function matrix(s: Services, concurrencies: number[], seconds: number, rounds: number, log: (line: string) => void) {
  const rows: MatrixRow[] = [];
  for (const connections of concurrencies) {
    for (const endpoint of ENDPOINTS) {
      const runs: Record<Target, Measured[]> = { direct: [], floor: [], gateway: [] };
      for (let r = 0; r < rounds; r++) {
        for (const target of TARGETS) {
          const workers = target === "gateway" ? [s.gateway] : target === "floor" ? [s.floor] : [];
          const m = await measure(s, requestFor(s, endpoint, target), connections, seconds, workers, target === "gateway" ? () => drained(s) : undefined);
          log(`  ${endpoint} c=${connections} ${target} round ${r + 1}/${rounds}: p50 ${m.p50_ms.toFixed(2)} ms, p99 ${m.p99_ms.toFixed(2)} ms, ${m.rps.toFixed(0)} req/s${m.failures ? `, ${m.failures} failed ${JSON.stringify(m.statuses)}` : ""}`);
          runs[target].push(m);
        }
      }
      const direct = summarise(runs.direct);
      for (const target of TARGETS) {
        const result = summarise(runs[target]);
        const added = target !== "direct";
        rows.push({
          endpoint,
          concurrency: connections,
          target,
          result,
          added_p50_ms: added ? result.p50_ms - direct.p50_ms : null,
          added_p99_ms: added ? result.p99_ms - direct.p99_ms : null,
        });
      }
    }
  }
  return rows;
}

export interface Experiment {
  name: string;
  what: string;
  result: ReturnType<typeof summarise>;
}

/** Pieces of the hot path priced one at a time, at concurrency 1 on chat/completions. */
export async function experiments(s: Services, seconds: number, rounds: number, log: (line: string) => void): Promise<Experiment[]> {
  const chat = (target: Target, key?: string) => requestFor(s, "chat.completions", target, key);
  const cases: { name: string; what: string; req: Req; workers: Service[] }[] = [
    { name: "direct", what: "the simulator alone (reference)", req: chat("direct"), workers: [] },
    { name: "floor GET /", what: "wrangler dev + workerd, a Worker answering 'ok': the platform's own cost", req: { url: `${s.floor.base}/`, method: "GET", headers: {} }, workers: [s.floor] },
    { name: "floor+assets GET /", what: "the same with an [assets] block: the assets router runs before the Worker (why the gateway has none)", req: { url: `${s.floorAssets.base}/`, method: "GET", headers: {} }, workers: [s.floorAssets] },
    { name: "gateway GET /healthz", what: "the gateway's global middleware (request id, Drizzle client, CORS), no auth", req: { url: `${s.gateway.base}/healthz`, method: "GET", headers: {} }, workers: [s.gateway] },
    {
      name: "gateway chat, unpriced model (400)",
      what: "everything before the upstream call: body limit, auth (SHA-256 + cached key), body JSON + zod, prices; no upstream, no ledger",
      req: { ...chat("gateway"), body: JSON.stringify({ ...CHAT_BODY, model: "not-a-priced-model" }) },
      workers: [s.gateway],
    },
    { name: "floor nowrite", what: "floor without its D1 row", req: { ...chat("floor"), url: `${s.floor.base}/?mode=nowrite` }, workers: [s.floor] },
    { name: "floor", what: "the floor: fetch upstream + one D1 row in waitUntil", req: chat("floor"), workers: [s.floor] },
    { name: "floor+assets", what: "the floor with an [assets] block", req: { ...chat("floor"), url: `${s.floorAssets.base}/` }, workers: [s.floorAssets] },
    { name: "floor sdk", what: "the floor calling upstream through the openai SDK (as the gateway does) instead of fetch", req: { ...chat("floor"), url: `${s.floor.base}/?mode=sdk` }, workers: [s.floor] },
    { name: "gateway", what: "the gateway, key without rpm or budget (RATE_LIMIT_RPM=0)", req: chat("gateway"), workers: [s.gateway] },
    { name: "gateway +rpm", what: "key with its own rpm: one KeyGate Durable Object call per request (the rate limit)", req: chat("gateway", s.keys.rpm), workers: [s.gateway] },
    { name: "gateway +budget", what: "key with a daily budget: the reservation, a second KeyGate round trip per request (settled after the answer)", req: chat("gateway", s.keys.budget), workers: [s.gateway] },
  ];
  const runs = new Map<string, Measured[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const m = await measure(s, c.req, 1, seconds, c.workers);
      log(`  ${c.name} round ${r + 1}/${rounds}: p50 ${m.p50_ms.toFixed(2)} ms, p99 ${m.p99_ms.toFixed(2)} ms, ${m.rps.toFixed(0)} req/s${m.failures ? ` (${JSON.stringify(m.statuses)})` : ""}`);
      runs.get(c.name)!.push(m);
    }
  }
  return cases.map((c) => ({ name: c.name, what: c.what, result: summarise(runs.get(c.name)!) }));
}
