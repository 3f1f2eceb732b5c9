/**
 * One load case with autocannon's programmatic API: `connections` clients, each with one request
 * in flight, for `seconds`, after a short warm-up. autocannon's own latency histogram keeps
 * whole milliseconds, too coarse on loopback, so the exact per-response times (its `response`
 * event, process.hrtime based) are collected here and the percentiles computed from them.
 */
import autocannon from "autocannon";

export interface LoadCase {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
}

export interface LoadResult {
  requests: number;
  /** Requests of the warm-up, not in the figures. */
  warmupRequests: number;
  /** Requests that did not answer 2xx (non-2xx statuses, socket errors, timeouts). */
  failures: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function once(c: LoadCase, seconds: number, collect: boolean) {
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  const options: autocannon.Options = {
    url: c.url,
    method: c.method ?? "POST",
    headers: { "content-type": "application/json", ...c.headers },
    body: c.body,
    connections: c.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 30,
  };
  // The callback form returns the instance (an EventEmitter); the promise form does not.
  let done!: (r: autocannon.Result) => void;
  let failed!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((ok, fail) => ((done = ok), (failed = fail)));
  const instance = autocannon(options, (err, result) => (err ? failed(err) : done(result)));
  if (collect) {
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  }
  const result = await finished;
  return { result, times, statuses };
}

export async function runLoad(c: LoadCase): Promise<LoadResult> {
  const warmup = c.warmupSeconds === 0 ? 0 : (await once(c, c.warmupSeconds ?? 1, false)).result.requests.total;
  const started = process.hrtime.bigint();
  const { result, times, statuses } = await once(c, c.seconds, true);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  const ok = Object.entries(statuses).reduce((n, [s, k]) => n + (s.startsWith("2") ? k : 0), 0);
  return {
    requests: times.length,
    warmupRequests: warmup,
    failures: times.length - ok + result.errors + result.timeouts,
    statuses,
    seconds: result.duration ?? seconds,
    rps: times.length / (result.duration || seconds),
    p50_ms: percentile(times, 50),
    p90_ms: percentile(times, 90),
    p99_ms: percentile(times, 99),
    mean_ms: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    max_ms: times[times.length - 1] ?? NaN,
  };
}
