import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, json } from "./support/worker";

describe("/v1/admin/keys", () => {
  it("creates a key shown once, stores only its hash, and lists it without the secret", async () => {
    const res = await call("/v1/admin/keys", { body: { name: "checkout", daily_budget_usd: 1.5, rpm: 60 } });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created.key).toMatch(/^nm_[0-9a-f]{64}$/);
    expect(created).toMatchObject({ name: "checkout", daily_budget_usd: 1.5, rpm: 60, revoked: null });

    const stored = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(created.id).first<Record<string, unknown>>();
    expect(JSON.stringify(stored)).not.toContain(created.key);
    // The hash is the key's SHA-256 in lowercase hex (an import of keys would have to compute it the same way).
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(created.key)));
    expect(stored?.key_hash).toBe([...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
    expect(stored?.daily_budget_micro).toBe(1_500_000);

    const list = await json(await call("/v1/admin/keys"));
    const listed = list.data.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ name: "checkout", key_prefix: created.key.slice(0, 7) });
    expect(JSON.stringify(list)).not.toContain(created.key);
  });

  it("revokes a key with DELETE: it stops working at once", async () => {
    const { id, key } = await createKey();
    expect((await call("/v1/spend/requests", { token: key })).status).toBe(200);
    const res = await call(`/v1/admin/keys/${id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect((await json(res)).revoked).not.toBeNull();
    expect((await call("/v1/spend/requests", { token: key })).status).toBe(401);
    expect((await call("/v1/admin/keys/key_missing", { method: "DELETE" })).status).toBe(404);
  });

  it("validates the body, naming the field", async () => {
    for (const [body, field] of [
      [{}, "name"],
      [{ name: "  " }, "name"],
      [{ name: "x", daily_budget_usd: -1 }, "daily_budget_usd"],
      [{ name: "x", rpm: 1.5 }, "rpm"],
    ] as const) {
      const res = await call("/v1/admin/keys", { body });
      expect(res.status).toBe(400);
      expect((await json(res)).error.field).toBe(field);
    }
  });

  it("edits budgets, rpm and name with PATCH, and lists each key's spend and reservations per period", async () => {
    const { id, key } = await createKey({ name: "before" });
    const patched = await call(`/v1/admin/keys/${id}`, { method: "PATCH", body: { name: "after", daily_budget_usd: 2, monthly_budget_usd: 30.5 } });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ name: "after", daily_budget_usd: 2, monthly_budget_usd: 30.5, rpm: null });

    const answer = await json(await call("/v1/intent", { token: key, body: { text: "what did this cost?" } }));
    const listed = (await json(await call("/v1/admin/keys"))).data.find((k: { id: string }) => k.id === id);
    const day = new Date().toISOString().slice(0, 10);
    expect(listed.spend.day).toEqual({
      period: day,
      budget_usd: 2,
      spent_usd: answer.cost.usd,
      reserved_usd: 0,
      resets_at: new Date(Date.parse(day) + 86_400_000).toISOString(),
    });
    expect(listed.spend.month).toMatchObject({ period: day.slice(0, 7), budget_usd: 30.5, spent_usd: answer.cost.usd, reserved_usd: 0 });

    const cleared = await json(await call(`/v1/admin/keys/${id}`, { method: "PATCH", body: { daily_budget_usd: null } }));
    expect([cleared.daily_budget_usd, cleared.monthly_budget_usd]).toEqual([null, 30.5]);
    for (const [body, field] of [
      [{}, undefined],
      [{ daily_budget_usd: 0.0000001 }, "daily_budget_usd"],
      [{ monthly_budget_usd: -3 }, "monthly_budget_usd"],
      [{ colour: "red" }, "colour"],
    ] as const) {
      const res = await call(`/v1/admin/keys/${id}`, { method: "PATCH", body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.field, JSON.stringify(body)).toBe(field);
    }
    await call(`/v1/admin/keys/${id}`, { method: "DELETE" });
    expect((await call(`/v1/admin/keys/${id}`, { method: "PATCH", body: { rpm: 5 } })).status).toBe(404);
  });

  it("is closed to API keys and to bad admin tokens", async () => {
    const { key } = await createKey();
    const asKey = await call("/v1/admin/keys", { token: key, body: { name: "escalate" } });
    expect(asKey.status).toBe(403);
    expect((await call("/v1/admin/keys", { token: "test-admin-tokeN" })).status).toBe(401);
  });
});

describe("Authorization: Bearer on /v1/*", () => {
  it("answers 401 in the SPEC's shape without a key, with a malformed header, or with an unknown key", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Basic abc" }, { authorization: "Bearer nm_unknown" }];
    for (const headers of attempts) {
      const res = await call("/v1/intent", { token: null, headers, body: { text: "hi" } });
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body.error.type).toBe("unauthorized");
      expect(typeof body.error.message).toBe("string");
    }
  });

  it("refuses model calls made with the admin token: every cent belongs to a key", async () => {
    const res = await call("/v1/intent", { body: { text: "hi" } });
    expect(res.status).toBe(403);
  });
});

describe("GET /healthz, unknown paths and methods", () => {
  it("answers ok without a key", async () => {
    const res = await call("/healthz", { token: null });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });

  it("answers 404 and 405 in the SPEC's error shape", async () => {
    const missing = await call("/v1/nope");
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.type).toBe("not_found");
    const wrong = await call("/v1/intent", { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect((await json(wrong)).error.type).toBe("method_not_allowed");
  });

  it("answers 413 for a body over the limit", async () => {
    const { key } = await createKey();
    const res = await call("/v1/intent", { token: key, body: { text: "x".repeat(2048) }, env: { MAX_BODY_BYTES: "1024" } });
    expect(res.status).toBe(413);
    expect((await json(res)).error.type).toBe("payload_too_large");
  });
});
