/**
 * Attribution at scale (`npm run bench -- --only attribution`), against the bench spend Worker
 * (scripts/bench/spend/): a day of calls with 10^5 distinct end users and 1 000 feature values
 * seeded into the ledger, rolled up by the real rollDay, then the real spend routes over the 30
 * days ending that day.
 * Times are measured inside the Worker around the whole answer, and as wall time from here.
 */
import { startWorker } from "./services";

const DAY = "2025-06-30";
const ROUNDS = 5;
const dayBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const FROM = dayBefore(DAY, 29);
const RANGE = `from=${FROM}&to=${DAY}`;

async function post<T>(base: string, path: string, body: object): Promise<T & { wall_ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return answer<T>(res, path, body, started);
}

/**
 * One spend API answer, as the bench Worker times it. Local workerd sometimes hangs a request
 * after a long one (BENCHMARKS.md); a GET is safe to ask again, so a hung one is, up to 3 times.
 */
async function get(base: string, path: string, log: (line: string) => void) {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      const res = await fetch(`${base}/api?${new URLSearchParams({ path })}`, { signal: AbortSignal.timeout(30_000) });
      return await answer<Answer>(res, path, {}, started);
    } catch (err) {
      const why = err instanceof Error ? `${err.message} (${String(err.cause ?? err.name)})` : String(err);
      if (attempt >= 3) throw new Error(`GET ${path}: ${why}`);
      log(`  GET ${path}: ${why}; asked again`);
    }
  }
}

async function answer<T>(res: Response, path: string, body: object, started: number): Promise<T & { wall_ms: number }> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} ${JSON.stringify(body)}: ${res.status} ${text.slice(0, 1000)}`);
  return { ...(JSON.parse(text) as T), wall_ms: performance.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Answer {
  ms: number;
  status: number;
  bytes: number;
  body: { rows?: unknown[]; totals?: { requests: number }; end_users?: number };
}

const QUERIES = [
  { name: "group_by=tag:feature", path: `/v1/spend?${RANGE}&group_by=tag:feature`, goal: true },
  { name: "/v1/spend/users (top 20)", path: `/v1/spend/users?${RANGE}`, goal: true },
  { name: "/v1/spend/users?limit=1000", path: `/v1/spend/users?${RANGE}&limit=1000`, goal: false },
  { name: "group_by=day,tag:team", path: `/v1/spend?${RANGE}&group_by=day,tag:team`, goal: false },
  { name: "tag=feature:f0007, by day", path: `/v1/spend?${RANGE}&tag=feature:f0007`, goal: false },
  { name: "user=user_0000042, by day", path: `/v1/spend?${RANGE}&user=user_0000042`, goal: false },
  { name: "group_by=tag:feature, one key", path: `/v1/spend?${RANGE}&group_by=tag:feature&key_id=key_${(3).toString(16).padStart(16, "0")}`, goal: false },
];

export async function attributionPath(o: { rows: number; users: number; values: number; keys: number }, log: (line: string) => void) {
  log("attribution: starting the bench spend Worker...");
  const w = await startWorker({ name: "attribution", config: "scripts/bench/spend/wrangler.toml", readyPath: "/", vars: {}, inspector: "off" });
  const seed = await post<{ ms: number }>(w.base, "/seed-ledger", { day: DAY, rows: o.rows, keys: o.keys, attribution: { users: o.users, values: o.values } });
  log(`  seeded ${o.rows} calls on ${DAY}: ${o.users} end users, ${o.values} feature values, ${o.keys} keys, in ${(seed.ms / 1000).toFixed(1)} s`);
  // The local runtime sometimes restarts under a long request (BENCHMARKS.md); rollDay is idempotent, so it is asked again.
  const roll = () => post<{ ms: number; groups: number; requests: number }>(w.base, "/rollup", { day: DAY });
  const rolled = await roll().catch((err) => (log(`  rollup failed once (${String(err).slice(0, 120)}), again`), roll()));
  if (rolled.requests !== o.rows) throw new Error(`the rollup counted ${rolled.requests} requests, not ${o.rows}`);
  const again = await roll().catch(roll);
  log(`  check of ${DAY} (rollup compared, rollup_tags and rollup_users rebuilt, in chunks): ${rolled.ms} ms; again ${again.ms} ms`);

  const measure = async () => {
    const results = [];
    for (const q of QUERIES) {
      const first = await get(w.base, q.path, log); // warm: the isolate, SQLite's page cache
      if (first.status !== 200) throw new Error(`${q.path}: ${first.status} ${JSON.stringify(first.body).slice(0, 500)}`);
      const runs: (Answer & { wall_ms: number })[] = [];
      for (let i = 0; i < ROUNDS; i++) runs.push(await get(w.base, q.path, log));
      const ms = median(runs.map((r) => r.ms));
      const rowsOut = first.body.rows?.length ?? 0;
      results.push({ name: q.name, path: q.path, goal: q.goal, ms, wall_ms: median(runs.map((r) => r.wall_ms)), rows_out: rowsOut, bytes: first.bytes, end_users: first.body.end_users ?? null, requests: first.body.totals?.requests ?? null });
      log(`  ${q.name}: ${ms} ms (median of ${ROUNDS}), ${rowsOut} rows out`);
    }
    return results;
  };
  const queries = await measure().catch((err) => {
    log(`  the Worker's last words:\n${w.proc.output().slice(-3000)}`);
    throw err;
  });
  const storage = await post<{ objects: { name: string; bytes: number }[] | null; counts: Record<string, number> }>(w.base, "/storage", {});
  return { options: o, day: DAY, from: FROM, seed_ms: seed.ms, rollup_ms: rolled.ms, reroll_ms: again.ms, rollup_groups: rolled.groups, queries, storage: storage.objects?.filter((s) => /rollup|ledger/.test(s.name)) ?? null };
}
