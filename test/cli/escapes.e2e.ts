/**
 * Stored values that hold terminal controls (ESC, the C1 CSI U+009B, BEL) print as visible
 * escapes in tables, CSV and stderr; --json stays the API's bytes. The API lets them in through
 * a key's name, an end user (it refuses C0 there, not C1) and an upstream's error message.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminToken, base, gateway } from "../support/gateway-calls";
import { api, as, asAdmin, nanometer, tableIn } from "./run";

const NAME = "=1+2 \u001b[31mred\u009b2Jgone\u0007";
const NAME_SHOWN = "=1+2 \\x1b[31mred\\u009b2Jgone\\x07";
const USER = "cust\u009b2J";
const USER_SHOWN = "cust\\u009b2J";
/** The simulator names a fault it does not know in its 400, which the ledger keeps as the row's error. */
const FAULT = "\u001b[2J\u009b";
const FAULT_SHOWN = "\\x1b[2J\\u009b";
/** What a terminal would obey: C0 but line feed (and the CSV's CR before it), DEL, C1. */
const RAW_CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/;

interface Ledger {
  data: { end_user: string | null; error: string | null }[];
}

let key: string;
let keyId: string;
beforeAll(async () => {
  const created = await gateway("/v1/admin/keys", adminToken, { name: NAME });
  ({ key, id: keyId } = (await created.json()) as { key: string; id: string });
  expect((await gateway("/v1/intent", key, { text: "hello", labels: ["greeting", "other"], user: USER })).status).toBe(200);
  const chat = { model: "gpt-5.4-nano", messages: [{ role: "user", content: `[[sim:fault=${FAULT}]]` }] };
  expect((await gateway("/v1/chat/completions", key, chat)).status).toBe(400);
  const deadline = Date.now() + 20_000;
  const stored = async () => (await api<Ledger>("/v1/spend/requests", key)).json.data;
  while (!(await stored()).some((r) => r.error?.includes(FAULT)) || !(await stored()).some((r) => r.end_user === USER)) {
    if (Date.now() > deadline) throw new Error("the calls did not reach the ledger in time");
    await new Promise((r) => setTimeout(r, 200));
  }
});

// The other files compare the whole key list with the API's: a plain name again for them.
afterAll(async () => {
  const renamed = await fetch(`${base}/v1/admin/keys/${keyId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "cli-escapes" }),
  });
  expect(renamed.status).toBe(200);
});

describe("control characters from stored values", () => {
  it("show as escapes in a table: a key's name", async () => {
    const run = await nanometer(["keys", "--columns", "id,name"], asAdmin());
    expect(run.out).not.toMatch(RAW_CONTROL);
    expect(tableIn(run.out, "id").rows.map((row) => row[1])).toContain(NAME_SHOWN);
  });

  it("show as escapes in a table: an end user, an error", async () => {
    const run = await nanometer(["requests", "--columns", "end_user,error"], as(key));
    expect(run.out).not.toMatch(RAW_CONTROL);
    const cells = tableIn(run.out, "end_user").rows.flat();
    expect(cells).toContain(USER_SHOWN);
    expect(cells.some((cell) => cell.includes(`"fault=${FAULT_SHOWN}"`))).toBe(true);
  });

  it("show as escapes in the CSV, and text that starts a formula gets a leading '", async () => {
    const keys = await nanometer(["keys", "--csv"], asAdmin());
    expect(keys.out).not.toMatch(RAW_CONTROL);
    expect((parse(keys.stdout, { columns: true }) as { name: string }[]).map((k) => k.name)).toContain(`'${NAME_SHOWN}`);
    const requests = await nanometer(["requests", "--csv"], as(key));
    expect(requests.out).not.toMatch(RAW_CONTROL);
    const rows = parse(requests.stdout, { columns: true }) as { end_user: string; error: string }[];
    expect(rows.map((r) => r.end_user)).toContain(USER_SHOWN);
    expect(rows.some((r) => r.error.includes(`"fault=${FAULT_SHOWN}"`))).toBe(true);
  });

  it("show as escapes on stderr, where the server's message quotes one", async () => {
    const run = await nanometer(["requests", "--tag", "team:\u009b2J"], as(key));
    expect([run.code, run.out]).toEqual([8, ""]);
    expect(run.err).toBe('nanometer: 400 invalid_request: tag: "team:\\u009b2J" is not <name>:<value>, each 1 to 64 of A-Z a-z 0-9 _ . : -\n');
  });

  it("stay as the API sent them with --json: its body byte for byte", async () => {
    const { bytes } = await api("/v1/spend/requests", key);
    expect(bytes.includes(Buffer.from(USER))).toBe(true);
    expect((await nanometer(["requests", "--json"], as(key))).stdout.equals(bytes)).toBe(true);
  });
});

describe("control characters from whatever answers at NANOMETER_URL", () => {
  it("show as escapes in a title's range and in the next page's cursor on stderr", async () => {
    const range = JSON.stringify({ from: "\u001b[2J", to: "\u009b2J", rows: [], totals: {} });
    const page = JSON.stringify({ data: [], next_cursor: "\u001b[2J" });
    const server = createServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end(req.url?.startsWith("/v1/spend/requests") ? page : range));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const env = { NANOMETER_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, NANOMETER_KEY: "nm_whatever" };
    try {
      for (const [command, title] of [["spend", "Spend"], ["cache", "Prompt cache"]]) {
        expect((await nanometer([command!], env)).out.split("\n")[0]).toBe(`${title} from \\x1b[2J to \\u009b2J`);
      }
      expect((await nanometer(["requests"], env)).err).toBe("next page: --cursor \\x1b[2J\n");
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
