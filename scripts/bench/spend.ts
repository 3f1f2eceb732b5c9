/**
 * The spend path at scale, driven from Node against the bench Worker in scripts/bench/spend/
 * (`wrangler dev`, its own persist dir): ledger write rate, rollup time against ledger rows,
 * spend query time against rollup rows, and bytes per row. Times are measured inside the
 * Worker (Date.now() around the D1 calls) and, as a check, as wall time from here.
 */
import { startWorker } from "./services";

async function call<T>(base: string, path: string, body: object): Promise<T & { wall_ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} ${JSON.stringify(body)}: ${res.status} ${text.slice(0, 1000)}`);
  return { ...(JSON.parse(text) as T), wall_ms: performance.now() - started };
}

interface Storage {
  size_after: number | null;
  counts: { ledger: number; rollup: number; key_spend: number };
  objects: { name: string; pages: number; bytes: number; payload: number }[] | null;
  dbstat_error: string | null;
}

/**
 * An idempotent request (a read, the daily check) asked once more when local workerd restarted the
 * Worker under it: wrangler then answers 503 and retries only GET and HEAD. It happens now and then
 * after a long request (wrangler reloads the Worker when its offline `Request.cf` fetch gives up).
 */
async function again<T>(ask: () => Promise<T>, what: string, log: (line: string) => void): Promise<T> {
  try {
    return await ask();
  } catch (err) {
    if (!String(err).includes("restarted mid-request")) throw err;
    log(`  (local workerd restarted the Worker during ${what}; asked again)`);
    return await ask();
  }
}

/** The daily check of one day (idempotent). */
function check(base: string, day: string, log: (line: string) => void) {
  type Checked = { ms: number; groups: number; requests: number; chunks: number; repaired: number };
  return again(() => call<Checked>(base, "/rollup", { day }), `the check of ${day}`, log);
}

/** Ledger rows seeded per request to the bench Worker. */
const SEED_PER_REQUEST = 100_000;

/** Timed runs of each spend query, after a warm one: the figure is their median (p50). */
const ROUNDS = 11;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function spendPath(ledgerRows: number[], log: (line: string) => void) {
  log("spend path: starting the bench spend Worker...");
  // Served without devtools and without file watching: a reload mid-seed (others edit the tree) would lose the run.
  const w = await startWorker({ name: "spend", config: "scripts/bench/spend/wrangler.toml", readyPath: "/", vars: {}, inspector: "off" });
  try {
    return await measure(w, ledgerRows, log);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nthe spend Worker's last output:\n${w.proc.output().slice(-4000)}`);
  }
}

async function measure(w: Awaited<ReturnType<typeof startWorker>>, ledgerRows: number[], log: (line: string) => void) {
  const storage = () => again(() => call<Storage>(w.base, "/storage", {}), "a storage read", log);

  const ledgerWrite: { mode: string; rows: number; ms: number; wall_ms: number; rows_per_s: number }[] = [];
  const writes = [
    { mode: "writeLedgerRows, 1 row/call, 1 in flight (the gateway's pattern)", rows: 1000, concurrency: 1, perCall: 1 },
    { mode: "writeLedgerRows, 1 row/call, 16 in flight", rows: 2000, concurrency: 16, perCall: 1 },
    { mode: "writeLedgerRows, 5 rows/call (100-parameter cap), 1 in flight", rows: 5000, concurrency: 1, perCall: 5 },
    { mode: "db.batch of 100 single-row INSERTs (a Queue consumer's shape)", rows: 10000, concurrency: 1, perCall: 100, batch: true },
  ];
  for (const wr of writes) {
    const r = await call<{ ms: number }>(w.base, "/ledger-write", wr);
    ledgerWrite.push({ mode: wr.mode, rows: wr.rows, ms: r.ms, wall_ms: r.wall_ms, rows_per_s: (wr.rows * 1000) / r.ms });
    log(`  ledger write: ${wr.mode}: ${wr.rows} rows in ${r.ms} ms`);
  }

  // A day of N ledger rows end to end: seeded (the triggers keep the rollup as the rows land), checked
  // by the daily check (rollDay: the day summed again in chunks, compared, mended), then read.
  const rollup: {
    day: string;
    rows: number;
    seed_ms: number;
    rollup_ms: number;
    rollup_wall_ms: number;
    reroll_ms: number;
    groups: number;
    chunks: number;
    repaired: number;
    bytes_per_row: number | null;
    spend: { name: string; ms: number; rows_out: number }[];
  }[] = [];
  for (const [i, rows] of ledgerRows.entries()) {
    const day = `2024-03-${String(i + 1).padStart(2, "0")}`;
    const before = await storage();
    let seedMs = 0;
    // Seeded over several requests: local workerd drops a request that runs for minutes.
    for (let first = 0; first < rows; first += SEED_PER_REQUEST) {
      seedMs += (await call<{ ms: number }>(w.base, "/seed-ledger", { day, rows, part: [first, Math.min(rows, first + SEED_PER_REQUEST)] })).ms;
    }
    const after = await storage();
    const bytes = before.size_after !== null && after.size_after !== null ? (after.size_after - before.size_after) / rows : null;
    log(`  seeded ${rows} ledger rows on ${day} in ${(seedMs / 1000).toFixed(1)} s (${bytes?.toFixed(0)} bytes/row, rollup kept by the triggers)`);
    const r = await check(w.base, day, log);
    if (r.requests !== rows) throw new Error(`the check of ${day} counted ${r.requests} requests, expected ${rows}`);
    if (r.repaired !== 0) throw new Error(`the check of ${day} mended ${r.repaired} groups the triggers had kept: they should agree`);
    const rechecked = await check(w.base, day, log);
    log(`  check of ${day}: ${rows} rows in ${r.ms} ms (${r.chunks} chunks, ${r.groups} groups, ${r.repaired} mended); again ${rechecked.ms} ms`);
    const dayQueries = [
      { name: "the day, by endpoint (every key)", from: day, to: day, groupBy: ["endpoint"] },
      { name: "the day, by key", from: day, to: day, groupBy: ["key"] },
      { name: "the day, one key by model", from: day, to: day, groupBy: ["model"], keyId: `key_${(7).toString(16).padStart(16, "0")}` },
    ];
    const spend = [];
    for (const q of dayQueries) {
      await again(() => call(w.base, "/spend", q), "a spend read", log);
      const read = await call<{ ms: number; rows: number }>(w.base, "/spend", q);
      spend.push({ name: q.name, ms: read.ms, rows_out: read.rows });
      log(`  spend over ${day}, ${q.name}: ${read.ms} ms, ${read.rows} rows out`);
    }
    rollup.push({ day, rows, seed_ms: seedMs, rollup_ms: r.ms, rollup_wall_ms: r.wall_ms, reroll_ms: rechecked.ms, groups: r.groups, chunks: r.chunks, repaired: r.repaired, bytes_per_row: bytes, spend });
  }
  const ledgerStorage = await storage();

  // 365 days × 100 keys × 7 endpoints × 2 models × 2 tiers of rollup rows, every day complete.
  const [days, groups, keys] = [365, 28, 100];
  const beforeRollup = await storage();
  const seeded = await call<{ ms: number; size_after: number }>(w.base, "/seed-rollup", { from: "2025-01-01", days, groups, keys });
  const afterRollup = await storage();
  const rollupRows = days * groups * keys;
  log(`  seeded ${rollupRows} rollup rows in ${(seeded.ms / 1000).toFixed(1)} s`);
  const today = new Date().toISOString().slice(0, 10);
  const oneKey = `key_${(7).toString(16).padStart(16, "0")}`;
  const queries = [
    { name: "30 days by day", from: "2025-12-02", to: "2025-12-31", groupBy: ["day"], days: 30 },
    { name: "90 days by day", from: "2025-10-03", to: "2025-12-31", groupBy: ["day"], days: 90 },
    { name: "365 days by day", from: "2025-01-01", to: "2025-12-31", groupBy: ["day"], days: 365 },
    { name: "365 days, totals only", from: "2025-01-01", to: "2025-12-31", groupBy: [], days: 365 },
    { name: "365 days by endpoint,key", from: "2025-01-01", to: "2025-12-31", groupBy: ["endpoint", "key"], days: 365 },
    { name: "365 days by key", from: "2025-01-01", to: "2025-12-31", groupBy: ["key"], days: 365 },
    { name: "365 days by day, one key", from: "2025-01-01", to: "2025-12-31", groupBy: ["day"], days: 365, keyId: oneKey },
    { name: "365 days, totals only, one key", from: "2025-01-01", to: "2025-12-31", groupBy: [], days: 365, keyId: oneKey },
    { name: "2025-01-01..today by day", from: "2025-01-01", to: today, groupBy: ["day"], days: 365 },
  ];
  const spend: { name: string; days: number; rollup_rows: number; group_by: string[]; key: boolean; ms: number; wall_ms: number; rows_out: number }[] = [];
  for (const q of queries) {
    await again(() => call(w.base, "/spend", q), "a spend read", log); // warm (the isolate, SQLite's page cache)
    const runs: { ms: number; rows: number; wall_ms: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await call<{ ms: number; rows: number }>(w.base, "/spend", q));
    const [ms, wall] = [median(runs.map((r) => r.ms)), median(runs.map((r) => r.wall_ms))];
    // Every key's spend not by key reads rollup_all (a row per day and group); one key's, or by key,
    // rollup_all_tiers (a row per day and group, its 2 tiers summed), by key every key's rows.
    const everyKey = q.keyId === undefined && !q.groupBy.includes("key");
    const read = q.days * (everyKey ? groups : groups / 2) * (q.keyId === undefined && q.groupBy.includes("key") ? keys : 1);
    spend.push({ name: q.name, days: q.days, rollup_rows: read, group_by: q.groupBy, key: q.keyId !== undefined, ms, wall_ms: wall, rows_out: runs[0]!.rows });
    log(`  spend ${q.name}: ${ms} ms (median of ${ROUNDS}), ${runs[0]!.rows} rows out`);
  }

  // One key's year as the gateway answers GET /v1/spend: the query above, its JSON and the run-rate.
  const year = `from=2025-01-01&to=2025-12-31&key_id=${oneKey}`;
  const gets = [
    { name: "GET /v1/spend?group_by=day, one key, 365 days", path: `/v1/spend?${year}&group_by=day` },
    { name: "GET /v1/spend, one key, 365 days", path: `/v1/spend?${year}` },
  ];
  const routes: { name: string; path: string; ms: number; wall_ms: number; bytes: number }[] = [];
  for (const g of gets) {
    const get = () => call<{ ms: number; status: number; bytes: number }>(w.base, `/api?${new URLSearchParams({ path: g.path })}`, {});
    await get();
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await get());
    if (runs.some((r) => r.status !== 200)) throw new Error(`${g.path}: ${runs.map((r) => r.status).join(", ")}`);
    const [ms, wall] = [median(runs.map((r) => r.ms)), median(runs.map((r) => r.wall_ms))];
    routes.push({ name: g.name, path: g.path, ms, wall_ms: wall, bytes: runs[0]!.bytes });
    log(`  ${g.name}: ${ms} ms (median of ${ROUNDS}), ${runs[0]!.bytes} bytes`);
  }

  const ledgerBytes = rollup.length ? rollup[rollup.length - 1]!.bytes_per_row : null;
  const rollupBytes = beforeRollup.size_after !== null && afterRollup.size_after !== null ? (afterRollup.size_after - beforeRollup.size_after) / rollupRows : null;
  return {
    ledgerWrite,
    rollup,
    spend,
    routes,
    storage: {
      method: "D1's meta.size_after (the database file size) before and after seeding N rows, divided by N",
      bytes_per_ledger_row: ledgerBytes ?? NaN,
      bytes_per_rollup_row: rollupBytes ?? NaN,
      after_ledger: ledgerStorage,
      after_rollup: afterRollup,
    },
  };
}
