/** The machine a run was measured on, recorded with its figures. */
import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { ROOT } from "./procs";

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

export function machine() {
  return {
    nproc: tryRun("nproc", []),
    cpu: cpus()[0]?.model ?? "unknown",
    memory_gib: +(totalmem() / 2 ** 30).toFixed(1),
    free_gib_at_start: +(freemem() / 2 ** 30).toFixed(1),
    loadavg_at_start: loadavg().map((x) => +x.toFixed(2)),
    free_h: tryRun("free", ["-h"]),
    node: process.version,
    wrangler: tryRun(resolve(ROOT, "node_modules/.bin/wrangler"), ["--version"]),
    commit: tryRun("git", ["rev-parse", "--short", "HEAD"]),
    dirty: tryRun("git", ["status", "--porcelain", "--", "workers", "migrations", "wrangler.toml"]) !== "",
  };
}

/**
 * How busy the machine is right now: the milliseconds a fixed integer loop takes in this process
 * (about 400 on the bench machine when quiet). On a shared VM the same code measures up to half
 * again slower when neighbours are busy; a probe beside each part's figures shows which.
 */
export function speedProbeMs(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 3e8; i++) x += i % 7;
  if (x < 0) throw new Error("unreachable");
  return Math.round(performance.now() - started);
}
