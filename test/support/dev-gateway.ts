/**
 * Global setup of the projects that test nanometer from outside (browser, cli): nanometer as
 * `npm start` runs it, on free ports and its own D1 directory. Migrations first, then the
 * simulator, then `wrangler dev` against it; the teardown stops both and removes the directory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { startSimulator } from "../../workers/simulator/node";

const WRANGLER = resolve("node_modules/wrangler/bin/wrangler.js");
const STARTUP_MS = 90_000;
const STOP_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Runs wrangler in its own process group (so the teardown stops workerd too), output kept. */
function wrangler(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return { child, output: () => output.slice(-4000) };
}

const exited = (child: ChildProcess) =>
  new Promise<number>((done) => (child.exitCode !== null ? done(child.exitCode) : child.once("exit", (code) => done(code ?? 1))));

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const gone = exited(child);
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), STOP_MS);
  await gone;
  clearTimeout(timer);
}

async function waitForHealth(url: string, worker: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline && worker.exitCode === null) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer on ${url}/healthz:\n${output()}`);
}

/** nanometer under `wrangler dev` against the simulator, on free ports and a D1 of its own; `stop` removes it all. */
export async function startGateway(): Promise<{ url: string; adminToken: string; stop: () => Promise<void> }> {
  const persistTo = await mkdtemp(join(tmpdir(), "nanometer-browser-"));
  const migrate = wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  if ((await exited(migrate.child)) !== 0) throw new Error(`migrations failed:\n${migrate.output()}`);

  const simulator = await startSimulator({ port: 0 });
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const adminToken = `admin_${randomBytes(16).toString("hex")}`;
  const worker = wrangler([
    "dev",
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-port", String(inspectorPort),
    "--persist-to", persistTo,
    "--show-interactive-dev-session=false",
    "--var", `OPENAI_BASE_URL:${simulator.url}`,
    "--var", "OPENAI_API_KEY:sk-simulator",
    "--var", `ADMIN_TOKEN:${adminToken}`,
    // Every intent call is asked again of mini, so there are agreement and a measured projection to show.
    "--var", "SHADOW_RATE:intent=1",
  ]);
  const teardown = async () => {
    await stop(worker.child);
    await simulator.close();
    await rm(persistTo, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, worker.child, worker.output);
  } catch (error) {
    await teardown();
    throw error;
  }
  return { url, adminToken, stop: teardown };
}

export default async function setup(project: TestProject) {
  const { url, adminToken, stop } = await startGateway();
  project.provide("gatewayUrl", url);
  project.provide("gatewayAdminToken", adminToken);
  return stop;
}

declare module "vitest" {
  export interface ProvidedContext {
    gatewayUrl: string;
    gatewayAdminToken: string;
  }
}
