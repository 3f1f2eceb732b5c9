/**
 * Child processes of the bench: each in its own process group, all killed when the bench ends,
 * whether it finishes, fails or is interrupted (Ctrl-C, SIGTERM, an uncaught error).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
const BIN = resolve(ROOT, "node_modules/.bin");

const children = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: npx/tsx/wrangler and the workerd they start
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Stops every child: SIGTERM, then SIGKILL for whatever is still there after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<void> {
  const live = [...children];
  for (const child of live) killGroup(child, "SIGTERM");
  await Promise.race([
    Promise.all(live.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r))))),
    new Promise((r) => setTimeout(r, graceMs)),
  ]);
  for (const child of live) killGroup(child, "SIGKILL");
  children.clear();
}

let installed = false;
function installExitHandlers(): void {
  if (installed) return;
  installed = true;
  // Synchronous last resort: 'exit' handlers cannot wait, so SIGKILL the groups.
  process.on("exit", () => {
    for (const child of children) killGroup(child, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the bench's processes`);
      void stopAll(1500).then(() => process.exit(130));
    });
  }
  process.on("uncaughtException", (err) => {
    console.error(err);
    void stopAll(1500).then(() => process.exit(1));
  });
  process.on("unhandledRejection", (err) => {
    console.error(err);
    void stopAll(1500).then(() => process.exit(1));
  });
}

export interface Proc {
  child: ChildProcess;
  /** Everything it printed, stdout and stderr, for errors and for parsing. */
  output(): string;
  exited: Promise<number>;
}

/** Starts a binary from node_modules/.bin in its own process group. */
export function start(bin: string, args: string[], opts: { env?: Record<string, string>; echo?: boolean } = {}): Proc {
  installExitHandlers();
  const child = spawn(resolve(BIN, bin), args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0", ...opts.env },
  });
  children.add(child);
  let out = "";
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    if (opts.echo) process.stderr.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number>((resolveExit) =>
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolveExit(code ?? (signal ? 128 : 1));
    }),
  );
  return { child, output: () => out, exited };
}

/** Runs a binary to its end; throws with its output when it fails. */
export async function run(bin: string, args: string[], env?: Record<string, string>): Promise<string> {
  const p = start(bin, args, { env });
  const code = await p.exited;
  if (code !== 0) throw new Error(`${bin} ${args.join(" ")} exited ${code}:\n${p.output()}`);
  return p.output();
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/** Polls `url` until it answers 2xx, the process dies, or the deadline passes. */
export async function waitForOk(url: string, proc: Proc, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`the process serving ${url} exited:\n${proc.output().slice(-4000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms:\n${proc.output().slice(-4000)}`);
}

/** Every descendant pid of `pid` (from /proc), for CPU accounting. Linux only; [] elsewhere. */
export function descendants(pid: number): number[] {
  let parents: Map<number, number[]>;
  try {
    parents = new Map();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return [];
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export interface CpuSample {
  /** user + system CPU seconds per command name (comm), summed over the pids. */
  byName: Record<string, number>;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** user+system CPU seconds of each pid (and the pid itself), grouped by command name. */
export function cpuOf(pids: number[]): CpuSample {
  const byName: Record<string, number> = {};
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
      byName[name] = (byName[name] ?? 0) + seconds;
    } catch {
      // gone
    }
  }
  return { byName };
}
