/**
 * `npm start`: nanometer on this machine, ready to call. Applies the D1 migrations locally,
 * starts the simulator as the upstream, runs `wrangler dev` against it, creates an API key,
 * and prints the admin token, the key and a first call.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startSimulator } from "../workers/simulator/node";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8787" },
    "simulator-port": { type: "string", default: process.env.SIMULATOR_PORT ?? "8788" },
  },
});
const port = Number(values.port);
const adminToken = process.env.ADMIN_TOKEN ?? `admin_${randomBytes(16).toString("hex")}`;
const base = `http://127.0.0.1:${port}`;

function run(args: string[], inherit = false): ChildProcess {
  return spawn("npx", ["wrangler", ...args], { stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"] });
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

async function waitForHealth(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`nanometer did not answer on ${base}/healthz in time`);
}

const migrate = run(["d1", "migrations", "apply", "DB", "--local"], true);
if ((await exited(migrate)) !== 0) process.exit(1);

const simulator = await startSimulator({ port: Number(values["simulator-port"]) });
const worker = run([
  "dev",
  "--port", String(port),
  "--ip", "127.0.0.1",
  "--var", `OPENAI_BASE_URL:${simulator.url}`,
  "--var", "OPENAI_API_KEY:sk-simulator",
  "--var", `ADMIN_TOKEN:${adminToken}`,
]);
worker.stderr?.pipe(process.stderr);
const stop = async (code: number) => {
  worker.kill("SIGTERM");
  await simulator.close();
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
worker.on("exit", (code) => void stop(code ?? 1));

await waitForHealth(Date.now() + 60_000);
const created = await fetch(`${base}/v1/admin/keys`, {
  method: "POST",
  headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
  body: JSON.stringify({ name: "local" }),
});
if (!created.ok) throw new Error(`creating the first key failed: ${created.status} ${await created.text()}`);
const { key } = (await created.json()) as { key: string };

console.log(`
nanometer is running on ${base} (upstream: the simulator at ${simulator.url})

  admin token  ${adminToken}
  API key      ${key}

Try it:
  curl -s ${base}/v1/intent -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\
    -d '{"text": "I was charged twice this month", "labels": ["billing", "shipping", "other"]}'
  curl -s ${base}/v1/spend/requests -H 'authorization: Bearer ${key}'

Dashboard: ${base}/dashboard#token=${key}
API reference: ${base}/docs (the document: ${base}/openapi.json)

Ctrl-C stops it.`);
