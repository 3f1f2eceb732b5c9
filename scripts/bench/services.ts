/** The processes a bench run talks to: the simulator, and Workers under `wrangler dev`, all on loopback. */
import { readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { cpuOf, descendants, freePort, type Proc, ROOT, run, start, waitForOk } from "./procs";

export interface Service {
  name: string;
  base: string;
  proc: Proc;
  /** user+system CPU seconds of the service's processes so far, by command name (workerd, node...). */
  cpu(): Record<string, number>;
}

function cpuOfTree(proc: Proc) {
  return () => {
    const pid = proc.child.pid;
    return pid === undefined ? {} : cpuOf([pid, ...descendants(pid)]).byName;
  };
}

/** The simulator as its own process, at zero latency (the CLI: workers/simulator/server.ts). */
export async function startSimulator(): Promise<Service> {
  const port = await freePort();
  const proc = start("tsx", ["workers/simulator/server.ts", "--port", String(port), "--latency-ms", "0"]);
  const base = `http://127.0.0.1:${port}/v1`;
  await waitForOk(`${base}/models`, proc, 60_000);
  return { name: "simulator", base, proc, cpu: cpuOfTree(proc) };
}

export interface WorkerOptions {
  name: string;
  /** wrangler.toml, relative to the repo root. */
  config: string;
  vars: Record<string, string>;
  /** Path answering 2xx once it is up. */
  readyPath: string;
  /** "on": wrangler's DevTools inspector attached, as under the `wrangler dev` CLI; "off": without it (serve.ts). */
  inspector?: "on" | "off";
}

/**
 * Builds the Worker as `wrangler deploy --dry-run` would deploy it, into .wrangler/bench/build/.
 * The bench serves that snapshot unbundled (serve.ts), so that an edit to workers/**
 * during a run (others work in the same tree) cannot reload the Worker mid-measurement.
 */
export async function buildWorker(name: string, config: string): Promise<string> {
  const outdir = resolve(ROOT, `.wrangler/bench/build/${name}`);
  rmSync(outdir, { recursive: true, force: true });
  await run("wrangler", ["deploy", "--dry-run", "--outdir", outdir, "-c", config], { CI: "true" });
  // Modules the dry run attached are named `<sha1>-<file>`; the Worker's own script is not.
  const main = readdirSync(outdir).find((f) => /\.m?js$/.test(f) && !/^[0-9a-f]{40}-/.test(f));
  if (!main) throw new Error(`wrangler deploy --dry-run wrote no script into ${outdir}`);
  return join(outdir, main);
}

/**
 * One Worker under `wrangler dev`, from its dry-run build, with its own persist dir under
 * .wrangler/bench/ (wiped first) where the D1 migrations are applied before it starts.
 */
export async function startWorker(o: WorkerOptions): Promise<Service> {
  const persist = `.wrangler/bench/${o.name}`;
  rmSync(resolve(ROOT, persist), { recursive: true, force: true });
  const script = await buildWorker(o.name, o.config);
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, "-c", o.config], { CI: "true" });
  const [port, inspector] = [await freePort(), await freePort()];
  const vars = Object.entries(o.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const proc = start("tsx", [
    "scripts/bench/serve.ts", "--script", script, "--config", o.config, "--port", String(port), "--persist-to", persist,
    ...(o.inspector === "off" ? [] : ["--inspector-port", String(inspector)]),
    ...vars,
  ]);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}${o.readyPath}`, proc);
  return { name: o.name, base, proc, cpu: cpuOfTree(proc) };
}
