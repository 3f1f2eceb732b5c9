/** The tables `npm run bench` prints (stdout; progress goes to stderr). */
import type { batchCost } from "./batch";
import type { proofFigures } from "./proof";
import type { bundleSize } from "./size";
import type { Experiment, MatrixRow } from "./latency";
import type { spendPath } from "./spend";
import type { attributionPath } from "./attribution";

export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

const ms = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? "-" : x.toFixed(2));
const out = (s: string) => console.log(s);

/** CPU ms per request of the Worker's workerd (the target's own), or the simulator's for direct. */
function cpuCell(r: MatrixRow["result"], target: string): string {
  const entry = Object.entries(r.cpu_ms_per_request).find(([k]) => (target === "direct" ? k.startsWith("simulator:") : k === `${target}:workerd`));
  return entry ? entry[1].toFixed(2) : "-";
}

export function printMatrix(rows: MatrixRow[]) {
  out("\nLatency (loopback, simulator at 0 ms; p50/p99 in ms; +p50/+p99: minus direct)\n");
  out(
    table(
      ["endpoint", "conc", "target", "p50", "p99", "req/s", "+p50", "+p99", "cpu ms/req", "failed"],
      rows.map((r) => [r.endpoint, r.concurrency, r.target, ms(r.result.p50_ms), ms(r.result.p99_ms), r.result.rps.toFixed(0), ms(r.added_p50_ms), ms(r.added_p99_ms), cpuCell(r.result, r.target), r.result.failures]),
    ),
  );
  out("\ncpu ms/req: user+system CPU of the target's workerd process (simulator's node process for direct) over the case, per request served.");
  for (const endpoint of new Set(rows.map((r) => r.endpoint))) {
    for (const c of new Set(rows.map((r) => r.concurrency))) {
      const g = rows.find((r) => r.endpoint === endpoint && r.concurrency === c && r.target === "gateway");
      const f = rows.find((r) => r.endpoint === endpoint && r.concurrency === c && r.target === "floor");
      if (!g?.added_p50_ms || !f?.added_p50_ms) continue;
      const ratio = g.added_p50_ms / f.added_p50_ms;
      const goal = endpoint === "chat.completions" && c === 1 ? `  goal <= 1.5: ${ratio <= 1.5 ? "MET" : "NOT MET"}` : "";
      out(`${endpoint} c=${c}: gateway adds ${ms(g.added_p50_ms)} ms at p50, floor adds ${ms(f.added_p50_ms)} ms: ${ratio.toFixed(2)}x${goal}`);
    }
  }
}

export function printExperiments(ex: Experiment[]) {
  out("\nWhere the time goes (chat/completions or as named, concurrency 1; medians of interleaved rounds)\n");
  const direct = ex.find((e) => e.name === "direct")?.result.p50_ms ?? 0;
  out(
    table(
      ["case", "p50", "p99", "req/s", "p50-direct", "workerd cpu ms/req", "what"],
      ex.map((e) => {
        const cpu = Object.entries(e.result.cpu_ms_per_request).find(([k]) => k.endsWith(":workerd"));
        return [e.name, ms(e.result.p50_ms), ms(e.result.p99_ms), e.result.rps.toFixed(0), ms(e.result.p50_ms - direct), cpu ? cpu[1].toFixed(2) : "-", e.what];
      }),
    ),
  );
}

export function printSpend(s: Awaited<ReturnType<typeof spendPath>>) {
  out("\nSpend path (timed inside a bench Worker on local D1, real modules)\n");
  out(
    table(
      ["ledger write", "rows", "seconds", "rows/s"],
      s.ledgerWrite.map((w) => [w.mode, w.rows, (w.ms / 1000).toFixed(2), w.rows_per_s.toFixed(0)]),
    ),
  );
  out("");
  out(
    table(
      ["rollup of one day", "ledger rows", "seed s", "rollup s", "µs/row", "groups"],
      s.rollup.map((r) => [r.day, r.rows, (r.seed_ms / 1000).toFixed(1), (r.rollup_ms / 1000).toFixed(2), ((r.rollup_ms * 1000) / r.rows).toFixed(2), r.groups]),
    ),
  );
  out("");
  out(
    table(
      ["spend query", "days", "rollup rows read", "group_by", "key", "ms", "rows out"],
      s.spend.map((q) => [q.name, q.days, q.rollup_rows, q.group_by.join(",") || "-", q.key ? "one" : "all", q.ms.toFixed(1), q.rows_out]),
    ),
  );
  out("");
  out(table(["spend route (admin, one key)", "ms", "bytes"], s.routes.map((r) => [r.name, r.ms.toFixed(1), r.bytes])));
  out("");
  out(`bytes per ledger row (table + its 3 indexes, + key_spend trigger's table): ${s.storage.bytes_per_ledger_row.toFixed(0)} (${s.storage.method})`);
  out(`bytes per rollup row (table + index): ${s.storage.bytes_per_rollup_row.toFixed(0)}`);
}

export function printSize(s: Awaited<ReturnType<typeof bundleSize>>) {
  out("\nBundle (wrangler deploy --dry-run)\n");
  out(table(["file", "raw KiB", "gzip KiB"], s.files.map((f) => [f.file, (f.raw_bytes / 1024).toFixed(1), (f.gzip_bytes / 1024).toFixed(1)])));
  out(`wrangler's own figure: ${s.wrangler_total_upload_kib} KiB, gzip ${s.wrangler_gzip_kib} KiB`);
}

export function printProof(p: Awaited<ReturnType<typeof proofFigures>>) {
  console.log("\nShadow comparison and prompt cache (/v1/intent, concurrency 1)");
  console.log(
    table(
      ["case", "figure"],
      [
        ["caller p50, SHADOW_RATE=0", `${p.intent_p50_ms.shadow_off.toFixed(2)} ms`],
        ["caller p50, SHADOW_RATE=1", `${p.intent_p50_ms.shadow_on.toFixed(2)} ms`],
        ["repeated intent, 60 labels: requests", p.repeated_intent_cache.requests],
        ["  cache hit ratio (cached / input tokens)", p.repeated_intent_cache.cache_hit_ratio.toFixed(3)],
        ["  fixed prefix still billed uncached, USD", p.repeated_intent_cache.prefix_saving_usd],
      ],
    ),
  );
}

export function printBatch(b: Awaited<ReturnType<typeof batchCost>>) {
  out(`\n${b.summaries} summaries (/v1/summarize, the simulator's usage, the seeded prices; USD as the spend API sums them)\n`);
  const row = (name: string, r: typeof b.online) => [name, r.requests, r.errors, r.input_tokens, r.output_tokens, r.cost_usd, r.mini_cost_usd, r.seconds.toFixed(1)];
  out(table(["path", "requests", "errors", "input tokens", "output tokens", "cost USD", "mini USD (same tier)", "seconds"], [row("online (default tier)", b.online), row("task batch (batch tier)", b.batch)]));
  out(`batch / online: ${b.batch_over_online.toFixed(4)}; ${b.answered_in_batch} of ${b.summaries} batch items answered`);
}

export function printAttribution(a: Awaited<ReturnType<typeof attributionPath>>) {
  const o = a.options;
  out(`\nAttribution (a day of ${o.rows} calls, ${o.users} end users, ${o.values} feature values, ${o.keys} keys; the 30 days ${a.from}..${a.day})\n`);
  out(`rollup of the day (rollup, rollup_tags, rollup_users, one batch): ${(a.rollup_ms / 1000).toFixed(2)} s, again ${(a.reroll_ms / 1000).toFixed(2)} s\n`);
  out(
    table(
      ["query over 30 days", "ms", "wall ms", "rows out", "under 100 ms"],
      a.queries.map((q) => [q.name, q.ms.toFixed(0), q.wall_ms.toFixed(0), q.rows_out, q.goal ? (q.ms < 100 ? "yes" : "NO") : "-"]),
    ),
  );
}
