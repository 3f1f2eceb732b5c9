import fc from "fast-check";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey } from "./support/worker";

const TASK_PATHS = ["/v1/intent", "/v1/route", "/v1/extract", "/v1/tool", "/v1/rerank", "/v1/summarize", "/v1/chat/completions"];
const ADMIN_PATHS = ["/v1/admin/keys"];

/** A 4xx in the SPEC's shape that gives nothing away. */
async function expectCleanRefusal(res: Response, what: string) {
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  const text = await res.text();
  const body = JSON.parse(text);
  expect(typeof body.error?.type, what).toBe("string");
  expect(typeof body.error?.message, what).toBe("string");
  expect(text, what).not.toMatch(/at .*\.(ts|js):\d+|sk-test-simulator|test-admin-token/);
}

const ledgerCount = async () => (await env.DB.prepare("SELECT count(*) AS n FROM ledger").first<{ n: number }>())!.n;

const HOSTILE_BODIES: [string, string | undefined][] = [
  ["no body", undefined],
  ["empty", ""],
  ["whitespace", "   "],
  ["null", "null"],
  ["array", "[]"],
  ["number", "123"],
  ["string", '"text"'],
  ["truncated", '{"text": "abc'],
  ["trailing garbage", '{"text": "a"} xyz'],
  ["deep nesting", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
  ["proto pollution", '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}'],
  ["wrong types", '{"text": {"$gt": ""}, "labels": "a,b", "query": 1, "documents": {}, "messages": "hi", "tools": 1, "schema": []}'],
  ["NUL and lone surrogates", '{"text": 5, "query": "\\u0000\\ud800", "name": "\\udfff"}'],
  ["huge numbers", '{"text": "x", "top_k": 1e309, "words": -1e308, "limit": 9007199254740993}'],
];

describe("hostile input: never a 5xx, always the SPEC's error shape, the ledger intact", () => {
  it("refuses a battery of malformed and mistyped bodies on every endpoint", async () => {
    const { key } = await createKey();
    const before = await ledgerCount();
    for (const path of [...TASK_PATHS, ...ADMIN_PATHS]) {
      const token = ADMIN_PATHS.includes(path) ? undefined : key;
      for (const [name, body] of HOSTILE_BODIES) {
        const res = await call(path, { token, method: "POST", body, headers: { "content-type": "application/json" } });
        await expectCleanRefusal(res, `${path} ${name}`);
      }
    }
    expect(await ledgerCount()).toBe(before);
  });

  it("answers 413 for an oversized body on every endpoint", async () => {
    const { key } = await createKey();
    const big = JSON.stringify({ text: "x".repeat(1_100_000) });
    for (const path of TASK_PATHS) {
      const res = await call(path, { token: key, body: big });
      expect(res.status, path).toBe(413);
      await expectCleanRefusal(res, path);
    }
  });

  it("answers hostile query strings on the spend API with a 4xx", async () => {
    const { key } = await createKey();
    for (const query of ["limit=-1", "limit=1e999", "cursor=' OR 1=1 --", "from=yesterday", "to=2026-02-30", "status=abc"]) {
      await expectCleanRefusal(await call(`/v1/spend/requests?${query}`, { token: key }), query);
    }
  });

  it("random JSON bodies never give a 5xx on any endpoint (fast-check)", async () => {
    const { key } = await createKey();
    const fields = fc.constantFrom("text", "labels", "query", "routes", "schema", "documents", "top_k", "messages", "tools", "words", "model", "stream", "name");
    const body = fc.oneof(
      fc.json(),
      fc.dictionary(fields, fc.jsonValue(), { maxKeys: 6 }).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TASK_PATHS), body, async (path, text) => {
        const res = await call(path, { token: key, body: text });
        expect(res.status, `${path} ${text}`).toBeLessThan(500);
        if (res.status >= 400) await expectCleanRefusal(res, `${path} ${text}`);
      }),
      { numRuns: 150 },
    );
  });
});
