import { describe, expect, it } from "vitest";
import { expectBilled, expectPublishedEvents, nonce, responsesRows, sseEvents, upstreamStored } from "./support/responses";
import { call, createKey, dispatch, json } from "./support/worker";

/** A Responses call whose input carries a simulator directive; the caller's answer and the key's rows. */
async function withDirective(directive: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const { key } = await createKey();
  const started = Date.now();
  const { response: res, settled } = await dispatch("/v1/responses", { token: key, body: { input: `${directive} ${nonce()}`, ...extra }, env });
  const text = await res.text();
  const elapsed = Date.now() - started;
  await settled();
  return { res, elapsed, text, rows: await responsesRows(key) };
}

describe("/v1/responses upstream faults, as the README's fault table says for chat/completions", () => {
  it("retries a 429 honouring retry-after, then answers 200 with one billed row", async () => {
    const { res, text, rows } = await withDirective("[[sim:fault=429,times=2,retry_after=0.05]]");
    expect(res.status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 200, error: null });
    expectBilled(rows[0], JSON.parse(text).usage);
  });

  it("retries before a stream starts too, then streams and bills it", async () => {
    const { res, text, rows } = await withDirective("[[sim:fault=503,times=1]]", { stream: true });
    expect(res.status).toBe(200);
    const events = sseEvents(text);
    expectPublishedEvents(events);
    expectBilled(rows[0], events.at(-1)!.response.usage);
  });

  it("gives 502 for persistent 500s and for a malformed body, each one row at zero cost", async () => {
    for (const fault of ["500", "malformed"]) {
      const { res, text, rows } = await withDirective(`[[sim:fault=${fault}]]`);
      expect(res.status, fault).toBe(502);
      expect(JSON.parse(text).error.type).toBe("upstream_error");
      expect(rows).toEqual([expect.objectContaining({ status: 502, cost_usd: 0, input_tokens: 0, attempt: 1 })]);
    }
  });

  it("gives 504 at the deadline for a hanging upstream, recorded at zero cost", async () => {
    const { res, text, elapsed, rows } = await withDirective("[[sim:fault=timeout]]", { stream: true }, { UPSTREAM_TIMEOUT_MS: "300" });
    expect(res.status).toBe(504);
    expect(JSON.parse(text).error.type).toBe("upstream_timeout");
    expect(elapsed).toBeLessThan(5_000);
    expect(rows).toEqual([expect.objectContaining({ status: 504, cost_usd: 0 })]);
  });

  it("passes the upstream's own 400 back as upstream_rejected with its message, recorded at zero cost", async () => {
    const { res, text, rows } = await withDirective("[[sim:fault=400]]");
    expect(res.status).toBe(400);
    expect(JSON.parse(text).error).toMatchObject({ type: "upstream_rejected", message: expect.stringContaining("the upstream rejected the request") });
    expect(rows).toEqual([expect.objectContaining({ status: 400, cost_usd: 0 })]);
    const invalid = await withDirective("x", { max_output_tokens: 3 });
    expect(invalid.res.status).toBe(400);
    expect(JSON.parse(invalid.text).error.message).toContain("max_output_tokens");
  });

  it("a stream whose terminal event has no usage is handed on whole, and its row says usage_missing (never a silent 0)", async () => {
    const { res, text, rows } = await withDirective("[[sim:usage=omit]]", { stream: true });
    expect(res.status).toBe(200);
    const events = sseEvents(text);
    expectPublishedEvents(events);
    expect(events.at(-1)!.type).toBe("response.completed");
    expect(events.at(-1)!.response).not.toHaveProperty("usage");
    expect(rows).toEqual([expect.objectContaining({ status: 200, cost_usd: 0, input_tokens: 0, error: expect.stringMatching(/^usage_missing/) })]);
  });

  it("reads a stream the client abandons to its end and bills it: status 499, the upstream's usage", async () => {
    const { key } = await createKey();
    const { response, settled } = await dispatch("/v1/responses", {
      token: key,
      body: { stream: true, input: `A very long answer please ${nonce()} ${"word ".repeat(80)}` },
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    await settled();
    const id = JSON.parse(first.split("\n")[1]!.replace(/^data: /, "")).response.id;
    const rows = await responsesRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 499, error: expect.stringMatching(/^client_closed/) });
    expectBilled(rows[0], (await upstreamStored(id)).usage);
  });
});

describe("/v1/responses under budgets", () => {
  it("reserves the largest possible cost: admits a call that fits its budget, then answers 402 before any call, streamed or not", async () => {
    // 100 output tokens at nano's $1.25 per 1M and a short input fit in $0.0002; the default 4096 would not.
    const { key, id } = await createKey({ daily_budget_usd: 0.0002 });
    expect((await call("/v1/responses", { token: key, body: { input: "first", max_output_tokens: 100 } })).status).toBe(200);
    await call(`/v1/admin/keys/${id}`, { method: "PATCH", body: { daily_budget_usd: 0.000001 } });
    for (const stream of [false, true]) {
      const refused = await call("/v1/responses", { token: key, body: { input: "again", stream } });
      expect(refused.status).toBe(402);
      expect((await json(refused)).error.type).toBe("budget_exceeded");
    }
    expect(await responsesRows(key)).toHaveLength(1);
  });
});
