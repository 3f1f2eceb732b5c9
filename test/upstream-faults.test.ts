import { describe, expect, it } from "vitest";
import { call, createKey, json } from "./support/worker";

type Row = { status: number; error: string | null; cost_usd: number; input_tokens: number; attempt: number };

async function rowsFor(key: string, requestId: string): Promise<Row[]> {
  return (await json(await call(`/v1/spend/requests?request_id=${requestId}`, { token: key }))).data;
}

/** An intent call whose text carries a simulator fault directive. */
async function intentWithFault(directive: string, env: Record<string, string> = {}) {
  const { key } = await createKey();
  const started = Date.now();
  const res = await call("/v1/intent", { token: key, body: { text: `${directive} ${crypto.randomUUID()}` }, env });
  const elapsed = Date.now() - started;
  const body = await json(res);
  const requestId = res.headers.get("x-request-id")!;
  return { res, body, elapsed, rows: await rowsFor(key, requestId) };
}

describe("upstream faults: what the caller gets, what the ledger records", () => {
  it("retries a 429 honouring retry-after, then answers 200 with one billed row", async () => {
    const { res, body, rows } = await intentWithFault("[[sim:fault=429,times=2,retry_after=0.05]]");
    expect(res.status).toBe(200);
    expect(body.intent).toBeTypeOf("string");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 200, error: null, cost_usd: body.cost.usd });
    expect(rows[0]!.cost_usd).toBeGreaterThan(0);
  });

  it("retries a 503 and a 500, then answers 200", async () => {
    for (const kind of ["503", "500"]) {
      const { res, rows } = await intentWithFault(`[[sim:fault=${kind},times=1]]`);
      expect(res.status, kind).toBe(200);
      expect(rows).toHaveLength(1);
    }
  });

  it("gives 502 for persistent 500s, recorded as one failed row at zero cost", async () => {
    const { res, body, rows } = await intentWithFault("[[sim:fault=500]]");
    expect(res.status).toBe(502);
    expect(body.error.type).toBe("upstream_error");
    expect(rows).toEqual([expect.objectContaining({ status: 502, cost_usd: 0, input_tokens: 0, attempt: 1 })]);
    expect(rows[0]!.error).toContain("upstream_error");
  });

  it("gives 504 within the deadline for a hanging upstream", async () => {
    const { res, body, elapsed, rows } = await intentWithFault("[[sim:fault=timeout]]", { UPSTREAM_TIMEOUT_MS: "300" });
    expect(res.status).toBe(504);
    expect(body.error.type).toBe("upstream_timeout");
    expect(elapsed).toBeLessThan(5_000);
    expect(rows).toEqual([expect.objectContaining({ status: 504, cost_usd: 0 })]);
  });

  it("does not retry past the deadline when retry-after is longer than what is left", async () => {
    const { res, elapsed } = await intentWithFault("[[sim:fault=429,retry_after=30]]", { UPSTREAM_TIMEOUT_MS: "1000" });
    expect(res.status).toBe(502);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("gives 502 for a malformed upstream body", async () => {
    const { res, body, rows } = await intentWithFault("[[sim:fault=malformed]]");
    expect(res.status).toBe(502);
    expect(body.error.type).toBe("upstream_error");
    expect(rows).toEqual([expect.objectContaining({ status: 502, cost_usd: 0 })]);
  });

  it("passes the upstream's own 400 back as a clear 400, not retried", async () => {
    const { res, body, rows } = await intentWithFault("[[sim:fault=400]]");
    expect(res.status).toBe(400);
    expect(body.error.type).toBe("upstream_rejected");
    expect(rows).toHaveLength(1);
  });

  it("refuses model calls with a clear 503 when no upstream key is configured, and records it", async () => {
    const { key } = await createKey();
    const res = await call("/v1/intent", {
      token: key,
      body: { text: "hi" },
      env: { OPENAI_API_KEY: "", OPENAI_BASE_URL: "https://api.openai.com/v1" },
    });
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.error.type).toBe("not_configured");
    expect(JSON.stringify(body)).not.toContain("sk-");
    const rows = await rowsFor(key, res.headers.get("x-request-id")!);
    expect(rows).toEqual([expect.objectContaining({ status: 503, cost_usd: 0 })]);
  });

  it("needs no upstream key for a compatible server other than OpenAI's (the simulator, a local server)", async () => {
    const { key } = await createKey();
    const res = await call("/v1/intent", { token: key, body: { text: "hi" }, env: { OPENAI_API_KEY: "" } });
    expect(res.status).toBe(200);
  });
});
