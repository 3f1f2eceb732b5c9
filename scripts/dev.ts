/**
 * `npm start`: nanometer on this machine, ready to call. Applies the D1 migrations to the local
 * D1 (one line), starts the simulator as the upstream, runs `wrangler dev` against it with the
 * request log on, keeps the admin token and API key from one run to the next
 * (dev/local-state.ts), prints them with a first call, then one line per request.
 *
 * Flags (or environment): --port (PORT, 8787), --simulator-port (SIMULATOR_PORT, 8788),
 * --inspector-port (INSPECTOR_PORT, wrangler's own), --persist-to (PERSIST_TO, .wrangler/state:
 * the local D1 and the state file). ADMIN_TOKEN and SHADOW_RATE are passed to the Worker.
 */
import type { Readable } from "node:stream";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startSimulator } from "../workers/simulator/node";
import { localKey } from "./dev/api-key";
import { banner } from "./dev/banner";
import { adminTokenOf, readLocalState, stateFileIn, writeLocalState } from "./dev/local-state";
import { migrateLocalD1 } from "./dev/migrate";
import { wranglerLines } from "./dev/output";
import { spawnWrangler, stopWrangler } from "./dev/wrangler";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "8787" },
    "simulator-port": { type: "string", default: process.env.SIMULATOR_PORT ?? "8788" },
    "inspector-port": { type: "string", default: process.env.INSPECTOR_PORT },
    "persist-to": { type: "string", default: process.env.PERSIST_TO ?? ".wrangler/state" },
  },
});
const base = `http://127.0.0.1:${values.port}`;
const persistTo = resolve(values["persist-to"]);
const migrated = await migrateLocalD1(persistTo);
if (!migrated.ok) {
  process.stderr.write(migrated.output);
  console.error("npm start: applying the D1 migrations failed (wrangler's output above)");
  process.exit(1);
}
console.log(migrated.summary);
const stateFile = stateFileIn(persistTo);
const { token: adminToken, state } = adminTokenOf(readLocalState(stateFile));

const simulator = await startSimulator({ port: Number(values["simulator-port"]) });
const worker = spawnWrangler([
  "dev",
  "--ip", "127.0.0.1",
  "--port", values.port,
  ...(values["inspector-port"] ? ["--inspector-port", values["inspector-port"]] : []),
  "--persist-to", persistTo,
  "--show-interactive-dev-session=false",
  "--test-scheduled",
  "--var", `OPENAI_BASE_URL:${simulator.url}`,
  "--var", "OPENAI_API_KEY:sk-simulator",
  "--var", `ADMIN_TOKEN:${adminToken}`,
  "--var", "REQUEST_LOG:1",
  ...(process.env.SHADOW_RATE ? ["--var", `SHADOW_RATE:${process.env.SHADOW_RATE}`] : []),
]);

/** Until the banner, wrangler's output is kept, to be shown only if the start fails; then filtered. */
const startup: string[] = [];
let running = false;
function follow(stream: Readable | null, out: NodeJS.WritableStream) {
  const show = wranglerLines();
  createInterface({ input: stream! }).on("line", (line) => {
    if (!running) return void startup.push(line);
    const shown = show(line);
    if (shown !== null) out.write(`${shown}\n`);
  });
}
follow(worker.stdout, process.stdout);
follow(worker.stderr, process.stderr);

let stopping = false;
/** Stops wrangler and the simulator; a failure is told, after wrangler's output when it came before the banner. */
async function stop(code: number, failure?: string) {
  if (stopping) return;
  stopping = true;
  if (failure) console.error(`${running ? "" : `${startup.join("\n")}\n`}npm start: ${failure}`);
  await stopWrangler(worker);
  await simulator.close();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
worker.on("exit", (code) => void stop(code ?? 1, `wrangler dev exited (${code})${running ? "" : " before nanometer answered"}`));

async function waitForHealth(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`nanometer did not answer on ${base}/healthz in time`);
}

try {
  await waitForHealth(Date.now() + 90_000);
  const { key, kept } = await localKey(base, adminToken, state.key);
  writeLocalState(stateFile, { ...state, key });
  console.log(banner({ base, upstream: simulator.url, adminToken, key: key.secret, keptKey: kept, stateFile }));
  running = true;
} catch (error) {
  await stop(1, (error as Error).message);
}
