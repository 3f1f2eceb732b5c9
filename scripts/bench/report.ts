/** The tables `npm run bench` prints (stdout; progress goes to stderr). */
import type { batchCost } from "./batch";
import type { proofFigures } from "./proof";
import type { bundleSize } from "./size";
import type { Experiment, MatrixRow } from "./latency";
import type { spendPath } from "./spend";
import type { attributionPath } from "./attribution";
import type { consumerThroughput } from "./consumer";

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

const met = (yes: boolean) => (yes ? "MET" : "NOT MET");

export function printMatrix(rows: MatrixRow[]) {
  out("\nLatency (loopback, simulator at 0 ms; p50/p99 in ms; +p50/+p99: minus direct)\n");
  out(
    table(
      ["endpoint", "conc", "target", "p50", "p99", "req/s", "+p50", "+p99", "cpu ms/req", "failed"],
      rows.map((r) => [r.endpoint, r.concurrency, r.target, ms(r.result.p50_ms), ms(r.result.p99_ms), r.result.rps.toFixed(0), ms(r.added_p50_ms), ms(r.added_p99_ms), cpuCell(r.result, r.target), r.result.failures]),
    ),
  );
  out("\ncpu ms/req: user+system CPU of the target's workerd process (simulator's node process for direct) over the case, per request served;\n  the gateway's includes its queue consumer writing the case's rows (measured until its ledger stops growing).");
  for (const endpoint of new Set(rows.map((r) => r.endpoint))) {
    for (const c of new Set(rows.map((r) => r.concurrency))) {
      const g = rows.find((r) => r.endpoint === endpoint && r.concurrency === c && r.target === "gateway");
      const f = rows.find((r) => r.endpoint === endpoint && r.concurrency === c && r.target === "floor");
      if (!g?.added_p50_ms || !f?.added_p50_ms) continue;
      const ratio = g.added_p50_ms / f.added_p50_ms;
      const share = g.result.rps / f.result.rps;
      // Issue 19's goals for the queue path, on the passthrough (the floor forwards the same call and writes its row).
      const goal = endpoint !== "chat.completions" ? "" : c === 1 ? `  goal <= 1.2x: ${met(ratio <= 1.2)}` : c === 16 ? `  goal >= 90% of the floor's req/s: ${met(share >= 0.9)}` : "";
      out(`${endpoint} c=${c}: gateway adds ${ms(g.added_p50_ms)} ms at p50, floor adds ${ms(f.added_p50_ms)} ms: ${ratio.toFixed(2)}x; req/s ${(share * 100).toFixed(0)}% of the floor's${goal}`);
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
      ["a day end to end", "ledger rows", "seed s", "check s", "µs/row", "chunks", "groups", "mended", ...s.rollup[0]!.spend.map((q) => `${q.name} ms`)],
      s.rollup.map((r) => [
        r.day,
        r.rows,
        (r.seed_ms / 1000).toFixed(1),
        (r.rollup_ms / 1000).toFixed(2),
        ((r.rollup_ms * 1000) / r.rows).toFixed(2),
        r.chunks,
        r.groups,
        r.repaired,
        ...r.spend.map((q) => q.ms.toFixed(1)),
      ]),
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

export function printConsumer(c: Awaited<ReturnType<typeof consumerThroughput>>) {
  out(`\nLedger queue consumer (local Queue, max_batch_size ${c.max_batch_size}, messages sent at most ${c.runs[0]?.max_ahead} ahead of the consumer; real consumeLedger on local D1)\n`);
  out(
    table(
      ["rows", "rows/msg", "triggers", "send s", "end to end s", "rows/s", "wall rows/s", "batches", "msgs/batch p50", "write ms p50", "p90", "rows/s writing", "between ms p50", "retried", "workerd cpu s"],
      c.runs.map((r) => [
        r.rows, r.rows_per_message, r.triggers, (r.send_ms / 1000).toFixed(1), (r.e2e_ms / 1000).toFixed(1), r.rows_per_s.toFixed(0), r.wall_rows_per_s.toFixed(0), r.batches,
        r.batch_messages.p50, r.write_ms.p50, r.write_ms.p90, r.write_rows_per_s.toFixed(0), r.between_batches_ms.p50, r.retried, r.workerd_cpu_s.toFixed(1),
      ]),
    ),
  );
  out("end to end: the Worker's clock, first send to the end of the last batch's write; wall: from here until count(*) showed every row.");
  out(`rows/s writing: rows over the summed time of the batches' D1 writes; between: from a batch's write ending to the next batch's handler starting. After the sizes, ledger ${c.counts.ledger} rows; rollup, rollup_all and rollup_all_tiers counted as many requests.`);
  const t = c.triggers;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  out(`Rollup triggers (${t.rounds} interleaved rounds of ${t.rows} rows): with them, ${pct(t.ratio_median)} of the rows/s without them (median; rounds ${t.ratios.map(pct).join(", ")}); medians ${t.rows_per_s_with.toFixed(0)} and ${t.rows_per_s_without.toFixed(0)} rows/s.`);
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
  out(`check of the day (rollup compared, rollup_tags and rollup_users rebuilt, in chunks): ${(a.rollup_ms / 1000).toFixed(2)} s, again ${(a.reroll_ms / 1000).toFixed(2)} s\n`);
  out(
    table(
      ["query over 30 days", "ms", "wall ms", "rows out", "under 100 ms"],
      a.queries.map((q) => [q.name, q.ms.toFixed(0), q.wall_ms.toFixed(0), q.rows_out, q.goal ? (q.ms < 100 ? "yes" : "NO") : "-"]),
    ),
  );
}
