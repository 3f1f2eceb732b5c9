import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logLine, npmStart, runDev, type Started } from "./npm-start";

const START_MS = 180_000;
const MIGRATIONS = (await readdir("migrations")).filter((name) => name.endsWith(".sql")).length;

let persistTo: string;
let stateFile: string;
const state = async () => JSON.parse(await readFile(stateFile, "utf8")) as { adminToken: string; key: { id: string; secret: string } };
/** The cost at the end of a request line, `... 200 82ms $0.00013485`. */
const costOf = (line: string) => Number(/ \d{3} \d+ms \$(\S+)$/.exec(line)?.[1]);
const get = (started: Started, path: string, token: string) => fetch(`${started.base}${path}`, { headers: { authorization: `Bearer ${token}` } });

/** The admin token and the key work: each answers 200. */
async function expectWorking(started: Started) {
  expect((await get(started, "/v1/admin/keys", started.adminToken)).status).toBe(200);
  expect((await get(started, "/v1/spend/requests?limit=1", started.key)).status).toBe(200);
}

beforeAll(async () => {
  persistTo = join(await mkdtemp(join(tmpdir(), "nanometer-start-")), "state");
  stateFile = join(persistTo, "nanometer-dev.json");
});
afterAll(() => rm(persistTo, { recursive: true, force: true }));

describe("npm start", () => {
  let first: Started;

  it("applies the migrations in one line, then prints its banner with the state file", async () => {
    first = await npmStart(persistTo);
    expect(first.out()).toMatch(new RegExp(`^D1: ${MIGRATIONS} migrations applied\n\nnanometer is running on ${first.base} `));
    expect(first.out()).toContain(`  local state  ${stateFile} `);
    expect(first.adminToken).toMatch(/^admin_[0-9a-f]{32}$/);
    expect(first.key).toMatch(/^nm_/);
    await expectWorking(first);
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
  }, START_MS);

  it("logs one line per call with the cost the answer reported, and none of wrangler's", async () => {
    const res = await fetch(`${first.base}/v1/intent`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.key}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "I was charged twice this month", labels: ["billing", "shipping", "other"] }),
    });
    const answer = (await res.json()) as { cost: { usd: number } };
    const line = await logLine(first, /^POST \/v1\/intent /);
    expect(line).toMatch(/^POST \/v1\/intent 200 \d+ms \$/);
    expect(costOf(line)).toBe(answer.cost.usd);
    await get(first, "/v1/spend/requests?limit=1", first.key);
    expect(await logLine(first, /^GET \/v1\/spend\/requests /)).toMatch(/ 200 \d+ms -$/);
    expect(first.log()).not.toMatch(/\[wrangler:|⎔/);
  });

  it("logs a streamed call once its stream has ended, with the cost its ledger row has", async () => {
    const res = await fetch(`${first.base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.key}`, "content-type": "application/json" },
      body: JSON.stringify({ stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] }),
    });
    await res.text();
    const line = await logLine(first, /^POST \/v1\/chat\/completions /);
    expect(line).toMatch(/^POST \/v1\/chat\/completions 200 \d+ms \$/);
    // The row reaches D1 through the ledger's queue, a moment after the call.
    const rows = async () => ((await (await get(first, "/v1/spend/requests?endpoint=chat.completions", first.key)).json()) as { data: { cost_usd: number }[] }).data;
    await expect.poll(async () => (await rows()).length, { timeout: 10_000 }).toBe(1);
    const [row] = await rows();
    expect(row!.cost_usd).toBeGreaterThan(0);
    expect(costOf(line)).toBe(row!.cost_usd);
  });

  it("runs the crons on /__scheduled", async () => {
    const res = await fetch(`${first.base}/__scheduled?cron=15+0+*+*+*`);
    expect([res.status, await res.text()]).toEqual([200, "Ran scheduled event"]);
  });

  it("keeps its admin token and its key from one start to the next", async () => {
    expect(await first.stop()).toBe(0);
    await expect(fetch(`${first.base}/healthz`)).rejects.toThrow();
    const again = await npmStart(persistTo);
    try {
      expect(again.out()).toMatch(/^D1: up to date\n/);
      expect([again.adminToken, again.key]).toEqual([first.adminToken, first.key]);
      expect(again.out()).toContain(`${again.key} (kept from the last run)`);
      await expectWorking(again);
    } finally {
      await again.stop();
    }
  }, START_MS);

  it("makes a new key when the kept one was revoked, and uses ADMIN_TOKEN when it is given", async () => {
    const { key } = await state();
    const before = await npmStart(persistTo);
    expect((await fetch(`${before.base}/v1/admin/keys/${key.id}`, { method: "DELETE", headers: { authorization: `Bearer ${before.adminToken}` } })).status).toBe(200);
    await before.stop();
    const given = `admin_given_${Date.now()}`;
    const after = await npmStart(persistTo, { ADMIN_TOKEN: given });
    try {
      expect(after.adminToken).toBe(given);
      expect(after.key).not.toBe(key.secret);
      expect(after.out()).toContain(`${after.key} (new)`);
      await expectWorking(after);
      expect(await state()).toMatchObject({ adminToken: before.adminToken, key: { secret: after.key } });
    } finally {
      await after.stop();
    }
  }, 2 * START_MS);

  it("makes a new key when the local D1 was wiped, keeping the admin token", async () => {
    const { adminToken } = await state();
    await rm(join(persistTo, "v3"), { recursive: true });
    const wiped = await npmStart(persistTo);
    try {
      expect(wiped.out()).toMatch(new RegExp(`^D1: ${MIGRATIONS} migrations applied\n`));
      expect(wiped.adminToken).toBe(adminToken);
      expect(wiped.out()).toContain(`${wiped.key} (new)`);
      await expectWorking(wiped);
    } finally {
      await wiped.stop();
    }
  }, START_MS);

  it("exits non-zero with wrangler's output when the migrations fail, before any banner", async () => {
    const notADirectory = join(persistTo, "a-file");
    await writeFile(notADirectory, "");
    const run = runDev(["--persist-to", notADirectory]);
    expect(await run.exited).toBe(1);
    expect(run.out()).toBe("");
    expect(run.err()).toMatch(/ENOTDIR[\s\S]*applying the D1 migrations failed/);
  }, START_MS);
});
