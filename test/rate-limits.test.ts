import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gcra } from "../workers/keys/gcra";
import { call, createKey, json } from "./support/worker";

/** Calls a cheap authenticated path until a 429 or `max` calls; returns the statuses. */
async function hammer(token: string, max: number, vars: Record<string, string> = {}): Promise<Response[]> {
  const answers: Response[] = [];
  for (let i = 0; i < max; i++) {
    const res = await call("/v1/spend/requests?limit=1", { token, env: vars });
    answers.push(res);
    if (res.status === 429) break;
  }
  return answers;
}

describe("per-key rate limits", () => {
  it("gives a key created with rpm: 5 a 429 with retry-after on its sixth call, in the SPEC's shape", async () => {
    const { key } = await createKey({ rpm: 5 });
    const answers = await hammer(key, 10);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = answers.at(-1)!;
    const body = await json(limited);
    expect(body.error.type).toBe("rate_limited");
    expect(body.error.message).toContain("5 requests per minute");
    // A full bucket of 5 refills one call every 12 s.
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12);
  });

  it("limits model calls too, before any upstream call or ledger row", async () => {
    const { key, id } = await createKey({ rpm: 1 });
    expect((await call("/v1/intent", { token: key, body: { text: "first" } })).status).toBe(200);
    const second = await call("/v1/intent", { token: key, body: { text: "second" } });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toMatch(/^\d+$/);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM ledger WHERE key_id = ?").bind(id).first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it("keeps keys apart: one key at its limit does not slow another", async () => {
    const a = await createKey({ rpm: 2 });
    const b = await createKey({ rpm: 2 });
    expect((await hammer(a.key, 5)).map((r) => r.status)).toEqual([200, 200, 429]);
    expect((await hammer(b.key, 2)).map((r) => r.status)).toEqual([200, 200]);
  });

  it("applies RATE_LIMIT_RPM to keys without their own rpm, and RATE_LIMIT_RPM=0 turns it off", async () => {
    const { key } = await createKey();
    expect((await hammer(key, 5, { RATE_LIMIT_RPM: "3" })).map((r) => r.status)).toEqual([200, 200, 200, 429]);
    // The same key, its bucket empty: with the default off, nothing stops it.
    expect((await hammer(key, 6, { RATE_LIMIT_RPM: "0" })).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it("keeps a key's own rpm when RATE_LIMIT_RPM=0, and never limits the admin token", async () => {
    const { key } = await createKey({ rpm: 1 });
    expect((await hammer(key, 3, { RATE_LIMIT_RPM: "0" })).map((r) => r.status)).toEqual([200, 429]);
    for (let i = 0; i < 4; i++) {
      expect((await call("/v1/admin/keys", { env: { RATE_LIMIT_RPM: "1" } })).status).toBe(200);
    }
  });
});

describe("the GCRA step", () => {
  const t0 = Date.parse("2026-04-01T10:00:00.000Z");

  it("admits exactly rpm calls from a full bucket, then one per 60/rpm seconds", () => {
    for (const rpm of [1, 5, 7, 13, 60, 999, 1000, 1_000_000]) {
      const state = { tat: 0 };
      let admitted = 0;
      while (gcra(state, rpm, t0).ok) admitted++;
      expect(admitted, `rpm ${rpm}`).toBe(rpm);
    }
    const state = { tat: 0 };
    for (let i = 0; i < 5; i++) expect(gcra(state, 5, t0).ok).toBe(true);
    expect(gcra(state, 5, t0)).toEqual({ ok: false, retryAfterMs: 12_000 });
    expect(gcra(state, 5, t0 + 11_999)).toEqual({ ok: false, retryAfterMs: 1 });
    expect(gcra(state, 5, t0 + 12_000)).toEqual({ ok: true });
    expect(gcra(state, 5, t0 + 12_000).ok).toBe(false);
    // A minute of quiet refills the bucket completely.
    let admitted = 0;
    while (gcra(state, 5, t0 + 12_000 + 60_000).ok) admitted++;
    expect(admitted).toBe(5);
  });
});
