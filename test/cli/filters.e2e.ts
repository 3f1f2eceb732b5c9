/**
 * Every query parameter of GET /v1/spend/requests is an option of `nanometer requests`, and each
 * reaches the API: the rows it shows are those the filter selects from the key's whole ledger.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, base, gateway, keyWithCalls } from "../support/gateway-calls";
import { api, as, asAdmin, nanometer } from "./run";

type LedgerRow = Record<string, unknown> & { request_id: string; tags: Record<string, string> | null };
interface Page {
  data: LedgerRow[];
  next_cursor: string | null;
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let key: string;
let keyId: string;
let ledger: LedgerRow[];
let batchId: string;
let tagged: LedgerRow;

async function posted(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await gateway(path, key, body);
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Waits for `done` (a call's ledger rows are written after its answer). */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const rowsOf = async (query: string) => (await api<Page>(`/v1/spend/requests?limit=1000&${query}`, key)).json.data;

/** A task batch of one intent item, read until it has ended (reading it meters it) and its row is written. */
async function batchOfOne(): Promise<string> {
  const { id } = await posted("/v1/batches/tasks", { endpoint: "intent", items: [{ custom_id: "one", text: "where is my parcel?", labels: ["shipping", "other"] }] });
  const status = async () => ((await (await gateway(`/v1/batches/${id}`, key)).json()) as { status: string }).status;
  await until(`batch ${id} metered`, async () => (await status()) === "completed" && (await rowsOf(`batch_id=${id}`)).length > 0);
  return id as string;
}

beforeAll(async () => {
  ({ key } = await keyWithCalls("cli-filters"));
  // Tagged, for an end user, and shadowed by mini (SHADOW_RATE in dev-gateway.ts): two rows.
  const { id } = await posted("/v1/intent", { text: "I was charged twice", labels: ["billing", "other"], tags: { feature: "search" }, user: "cust-42" });
  await until(`request ${id} in the ledger`, async () => (await rowsOf(`request_id=${id}`)).length === 2);
  batchId = await batchOfOne();
  ledger = await rowsOf("");
  tagged = ledger.find((row) => row.request_id === id)!;
  keyId = tagged.key_id as string;
});

/** Each option, the value it is given, and the rows of the key's ledger that value selects. */
const FILTERS: [option: string, parameter: string, value: () => string, selects: (row: LedgerRow) => boolean][] = [
  ["endpoint", "endpoint", () => "chat.completions", (r) => r.endpoint === "chat.completions"],
  ["model", "model", () => "gpt-5.4-mini", (r) => r.model === "gpt-5.4-mini"],
  ["tier", "service_tier", () => "flex", (r) => r.service_tier === "flex"],
  ["status", "status", () => "400", (r) => r.status === 400],
  ["request-id", "request_id", () => tagged.request_id, (r) => r.request_id === tagged.request_id],
  ["batch-id", "batch_id", () => batchId, (r) => r.batch_id === batchId],
  ["tag", "tag", () => "feature:search", (r) => r.tags?.feature === "search"],
  ["user", "user", () => "cust-42", (r) => r.end_user === "cust-42"],
  ["from", "from", () => utcDay(Date.now() + DAY_MS), () => false],
  ["to", "to", () => utcDay(Date.now() - DAY_MS), () => false],
];

/** The ledger rows `nanometer requests` prints with these options, read from its --json. */
async function listed(args: string[], env = as(key)): Promise<LedgerRow[]> {
  const run = await nanometer(["requests", "--limit", "1000", "--json", ...args], env);
  expect([run.code, run.err]).toEqual([0, ""]);
  return (JSON.parse(run.out) as Page).data;
}

describe("nanometer requests' filters", () => {
  it("are every query parameter the API documents", async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, { get: { parameters: { name: string }[] } }> };
    const documented = document.paths["/v1/spend/requests"]!.get.parameters.map((p) => p.name);
    const tested = [...FILTERS.map(([, parameter]) => parameter), "key_id", "limit", "cursor"];
    expect(tested.sort()).toEqual(documented.sort());
  });

  it.each(FILTERS)("--%s is the API's %s", async (option, _, value, selects) => {
    const expected = ledger.filter(selects);
    expect(expected.length).toBeLessThan(ledger.length);
    expect(await listed([`--${option}`, value()])).toEqual(expected);
  });

  it("--tag and --user show the tagged call's rows, not the untagged calls'", async () => {
    const rows = ledger.filter((r) => r.request_id === tagged.request_id);
    expect(ledger.some((r) => r.tags === null && r.end_user === null)).toBe(true);
    for (const args of [["--tag", "feature:search"], ["--user", "cust-42"]]) expect(await listed(args)).toEqual(rows);
  });

  it("--key-id is the admin's view of one key", async () => {
    const other = (await (await gateway("/v1/admin/keys", adminToken, { name: "cli-filters-other" })).json()) as { key: string };
    await gateway("/v1/intent", other.key, { text: "hello", labels: ["greeting", "other"] });
    const everyone = async () => (await api<Page>("/v1/spend/requests?limit=1000", adminToken)).json.data;
    await until("another key's call in the ledger", async () => (await everyone()).some((r) => r.key_id !== keyId));
    expect(await listed(["--key-id", keyId], asAdmin())).toEqual(ledger);
  });

  it("--limit and --cursor page through it", async () => {
    const first = await nanometer(["requests", "--limit", "2", "--json"], as(key));
    const { data, next_cursor } = JSON.parse(first.out) as Page;
    expect(data).toEqual(ledger.slice(0, 2));
    expect((await listed(["--cursor", next_cursor!])).map((r) => r.id)).toEqual(ledger.slice(2).map((r) => r.id));
  });
});

describe("nanometer spend's filters", () => {
  it("--tag and --user are the API's tag and user", async () => {
    for (const [option, query] of [["--tag", "tag=feature:search"], ["--user", "user=cust-42"]] as const) {
      const { bytes, json } = await api<{ totals: { requests: number } }>(`/v1/spend?${query}`, key);
      expect(json.totals.requests).toBe(1);
      const run = await nanometer(["spend", option, query.split("=")[1]!, "--json"], as(key));
      expect([run.code, run.stdout.equals(bytes)]).toEqual([0, true]);
    }
  });
});
