/** `npm start` (scripts/dev.ts) run as a process, on free ports and a state directory of the test's. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { createServer } from "node:net";
import { resolve } from "node:path";

const TSX = resolve("node_modules/tsx/dist/cli.mjs");
const BANNER_END = "Ctrl-C stops it.";
const STARTUP_MS = 150_000;

export interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number>;
}

/** Runs scripts/dev.ts with the given flags, its own ADMIN_TOKEN and SHADOW_RATE only if given. */
export function runDev(flags: string[], env: Record<string, string> = {}): Run {
  const { ADMIN_TOKEN: _token, SHADOW_RATE: _rate, ...inherited } = process.env;
  const child = spawn(process.execPath, [TSX, "scripts/dev.ts", ...flags], { env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let [out, err] = ["", ""];
  child.stdout!.on("data", (chunk) => (out += chunk));
  child.stderr!.on("data", (chunk) => (err += chunk));
  const exited = new Promise<number>((done) => child.once("exit", (code) => done(code ?? 1)));
  return { child, out: () => out, err: () => err, exited };
}

export interface Started extends Run {
  base: string;
  adminToken: string;
  key: string;
  /** What it printed after its banner: the request log. */
  log: () => string;
  /** SIGTERM, as Ctrl-C's SIGINT, to npm start itself: it stops wrangler and the simulator. */
  stop: () => Promise<number>;
}

/**
 * A free port below Linux's ephemeral range (32768 and up): npm start binds it only after the
 * migrations, seconds later, and a port the system handed out once may by then be another
 * process's outgoing port.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = randomInt(20_000, 32_768);
    const free = await new Promise<boolean>((done) => {
      const server = createServer().once("error", () => done(false));
      server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
    });
    if (free) return port;
  }
}

const field = (banner: string, name: string) => new RegExp(`^  ${name} +(\\S+)`, "m").exec(banner)?.[1] ?? "";

/** npm start on free ports with `persistTo` as its state, once its banner is printed. */
export async function npmStart(persistTo: string, env: Record<string, string> = {}): Promise<Started> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [port, simulatorPort, inspectorPort] = [...ports];
  const run = runDev(["--port", `${port}`, "--simulator-port", `${simulatorPort}`, "--inspector-port", `${inspectorPort}`, "--persist-to", persistTo], env);
  const stop = async () => {
    if (run.child.exitCode === null) run.child.kill("SIGTERM");
    return run.exited;
  };
  const deadline = Date.now() + STARTUP_MS;
  while (!run.out().includes(BANNER_END)) {
    if (run.child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start printed no banner:\n${run.out()}\n${run.err()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const banner = run.out();
  return {
    ...run,
    base: `http://127.0.0.1:${port}`,
    adminToken: field(banner, "admin token"),
    key: field(banner, "API key"),
    log: () => run.out().slice(banner.length),
    stop,
  };
}

/** Waits until npm start has printed a request line matching `pattern` after its banner. */
export async function logLine(started: Started, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = started.log().split("\n").find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${started.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
