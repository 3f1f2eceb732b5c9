/** wrangler as `npm start` runs it, from the repository's root, in a process group of its own. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WRANGLER = fileURLToPath(new URL("../../node_modules/wrangler/bin/wrangler.js", import.meta.url));
const STOP_MS = 10_000;

/** Started detached, so `stopWrangler` stops workerd with it; stdout and stderr are piped. */
export function spawnWrangler(args: string[]): ChildProcess {
  return spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      // Miniflare would fetch Request.cf's data from workers.cloudflare.com at every start and
      // reload (up to 3 s offline, then a warning); nanometer never reads it, the placeholder does.
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  });
}

export const exited = (child: ChildProcess) =>
  new Promise<number>((done) => (child.exitCode !== null ? done(child.exitCode) : child.once("exit", (code) => done(code ?? 1))));

/** Runs wrangler to its end: its exit code, and all it printed. */
export async function runWrangler(args: string[]): Promise<{ code: number; output: string }> {
  const child = spawnWrangler(args);
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const code = await exited(child);
  return { code, output };
}

/** SIGTERM to wrangler's process group, SIGKILL if it is still there after STOP_MS. */
export async function stopWrangler(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const gone = exited(child);
  const pid = child.pid;
  process.kill(-pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-pid, "SIGKILL"), STOP_MS);
  await gone;
  clearTimeout(timer);
}
