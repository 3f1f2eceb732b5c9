import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { attributionOfBody } from "../workers/attribution/attribution";
import { openaiClient } from "./support/sdk";
import { ledgerRowsOf } from "./support/tasks";
import { type CallOptions, call, createKey, json } from "./support/worker";

const TAGS = "x-nanometer-tags";
const USER = "x-nanometer-user";
const chat = (content: string, more: object = {}) => ({ messages: [{ role: "user", content }], ...more });
const intent = (more: object = {}) => ({ text: "where is my parcel?", labels: ["shipping", "billing"], ...more });

/** The one ledger row of a call that answered 200: its tags and end user. */
async function attributionOf(key: string, res: Response) {
  expect(res.status).toBe(200);
  const [row, ...more] = await ledgerRowsOf(key, res.headers.get("x-request-id")!);
  expect(more).toEqual([]);
  return { tags: row.tags, end_user: row.end_user };
}

let recorders = 0;
/** What the Worker sent upstream during `run`: a fresh upstream client (its own API key) sends through a recording fetch. */
async function upstreamRequests(run: (env: CallOptions["env"]) => Promise<unknown>) {
  const sent: { headers: Record<string, string>; body: unknown }[] = [];
  const real = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ headers: Object.fromEntries(request.headers), body: await request.clone().json() });
    return real(input, init);
  };
  try {
    await run({ OPENAI_API_KEY: `sk-recorder-${++recorders}` });
  } finally {
    globalThis.fetch = real;
  }
  return sent;
}

describe("tags and an end user on every kind of call", () => {
  it("records the header's on a task call, a body's on a task call, and both merged", async () => {
    const { key } = await createKey();
    const headers = { [TAGS]: " feature=autocomplete , team=search", [USER]: "cust-42" };
    expect(await attributionOf(key, await call("/v1/intent", { token: key, headers, body: intent() }))).toEqual({
      tags: { feature: "autocomplete", team: "search" },
      end_user: "cust-42",
    });
    const body = { text: "A long report about parcels.", tags: { feature: "digest" }, user: "cust-7" };
    expect(await attributionOf(key, await call("/v1/summarize", { token: key, body }))).toEqual({ tags: { feature: "digest" }, end_user: "cust-7" });
    const both = await call("/v1/summarize", { token: key, headers: { [TAGS]: "team=search,feature=digest", [USER]: "cust-42" }, body });
    expect(await attributionOf(key, both)).toEqual({ tags: { feature: "digest", team: "search" }, end_user: "cust-42" });
    const stored = await env.DB.prepare("SELECT tags FROM ledger WHERE request_id = ?").bind(both.headers.get("x-request-id")).first<{ tags: string }>();
    expect(stored?.tags).toBe('{"feature":"digest","team":"search"}'); // canonical: names sorted
  });

  it("takes chat/completions' end user from the header, else safety_identifier, else user, streams included", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const headers = { [TAGS]: "feature=assistant" };
    const cases: [object, Record<string, string>, string | null][] = [
      [{ safety_identifier: "sid-1", user: "u-1" }, { ...headers, [USER]: "cust-1" }, "cust-1"],
      [{ safety_identifier: "sid-1", user: "u-1" }, headers, "sid-1"],
      [{ user: "u-1" }, headers, "u-1"],
      [{ user: "" }, headers, null],
    ];
    for (const [fields, h, endUser] of cases) {
      const { response } = await client.chat.completions.create({ model: "gpt-5.4-nano", ...chat("hello"), ...fields } as never, { headers: h }).withResponse();
      await settled();
      expect(await attributionOf(key, response)).toEqual({ tags: { feature: "assistant" }, end_user: endUser });
    }
    const params = { model: "gpt-5.4-nano", messages: [{ role: "user" as const, content: "stream" }], stream: true as const, user: "u-2" };
    const { data: stream, response } = await client.chat.completions.create(params, { headers }).withResponse();
    for await (const _ of stream);
    await settled();
    expect(await attributionOf(key, response)).toEqual({ tags: { feature: "assistant" }, end_user: "u-2" });
  });

  it("turns a batch line's body into its tags and end user", () => {
    expect(attributionOfBody({ custom_id: "1", text: "x", tags: { feature: "bulk" }, user: "u-3" })).toEqual({ tags: { feature: "bulk" }, endUser: "u-3" });
    expect(attributionOfBody({ model: "gpt-5.4-nano", messages: [], safety_identifier: "sid", user: "u" })).toEqual({ tags: {}, endUser: "sid" });
    expect(() => attributionOfBody({ tags: { "bad name": "x" } })).toThrow(/bad name/);
  });
});

describe("bad attribution", () => {
  it("is a 400 naming the bad tags, and records nothing", async () => {
    const { key, id } = await createKey();
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}=v`).join(",");
    const cases: [string, CallOptions, string, RegExp][] = [
      ["/v1/intent", { headers: { [TAGS]: eleven }, body: intent() }, TAGS, /at most 10 tags, not 11/],
      ["/v1/intent", { headers: { [TAGS]: "feat ure=x,team=a/b" }, body: intent() }, TAGS, /"feat ure".*team's value "a\/b"/],
      ["/v1/intent", { headers: { [TAGS]: `feature=${"x".repeat(65)}` }, body: intent() }, TAGS, /feature's value "x{65}"/],
      ["/v1/intent", { headers: { [TAGS]: "feature" }, body: intent() }, TAGS, /"feature" is not name=value/],
      ["/v1/intent", { headers: { [TAGS]: "a=1,,b=2" }, body: intent() }, TAGS, /"" is not name=value/],
      ["/v1/intent", { headers: { [TAGS]: "a=1,a=2" }, body: intent() }, TAGS, /"a" is given twice/],
      ["/v1/chat/completions", { headers: { [USER]: "u".repeat(257) }, body: chat("hi") }, USER, /at most 256/],
      ["/v1/intent", { body: intent({ tags: { feature: 7 } }) }, "tags.feature", /string/],
      ["/v1/intent", { body: intent({ tags: { "é": "x" } }) }, "tags.é", /tag name "é"/],
      ["/v1/intent", { body: intent({ tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, "v"])) }) }, "tags", /at most 10/],
      ["/v1/intent", { headers: { [TAGS]: "feature=a" }, body: intent({ tags: { feature: "b" } }) }, "tags.feature", /the body says "b", x-nanometer-tags says "a"/],
      ["/v1/intent", { headers: { [TAGS]: "t0=a,t1=a,t2=a,t3=a,t4=a,t5=a" }, body: intent({ tags: { t6: "a", t7: "a", t8: "a", t9: "a", t10: "a" } }) }, "tags", /at most 10/],
      ["/v1/chat/completions", { body: chat("hi", { user: 42 }) }, "user", /string/],
      ["/v1/chat/completions", { body: chat("hi", { safety_identifier: "s\n1" }) }, "safety_identifier", /control/],
    ];
    for (const [path, options, field, message] of cases) {
      const res = await call(path, { token: key, ...options });
      const { error } = await json(res);
      expect([res.status, error.type, error.field], `${path} ${JSON.stringify(options)}`).toEqual([400, "invalid_request", field]);
      expect(error.message).toMatch(message);
    }
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM ledger WHERE key_id = ?").bind(id).first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});

describe("what goes upstream", () => {
  it("is the same with and without attribution: nothing new, OpenAI's own user fields as the caller sent them", async () => {
    const { key } = await createKey();
    const attributed = { [TAGS]: "feature=autocomplete,team=search", [USER]: "cust-42" };
    const sent = async (path: string, body: object, headers: Record<string, string>) => {
      const [request, ...more] = await upstreamRequests(async (env) => expect((await call(path, { token: key, body, headers, env })).status).toBe(200));
      expect(more).toEqual([]);
      return request!;
    };
    for (const [path, plain, tagged] of [
      ["/v1/chat/completions", chat("same", { user: "u-1", safety_identifier: "sid-1" }), chat("same", { user: "u-1", safety_identifier: "sid-1" })],
      ["/v1/intent", intent(), intent({ tags: { area: "parcels" }, user: "cust-7" })],
    ] as const) {
      const [without, withTags] = [await sent(path, plain, {}), await sent(path, tagged, attributed)];
      expect(withTags.body, path).toEqual(without.body);
      expect(Object.keys(withTags.headers).sort(), path).toEqual(Object.keys(without.headers).sort());
      expect(JSON.stringify(withTags), path).not.toMatch(/nanometer-|autocomplete|parcels|cust-42|cust-7/);
    }
    expect((await sent("/v1/chat/completions", chat("fields", { user: "u-1", safety_identifier: "sid-1" }), attributed)).body).toEqual({
      model: "gpt-5.4-nano",
      ...chat("fields", { user: "u-1", safety_identifier: "sid-1" }),
    });
  });
});
