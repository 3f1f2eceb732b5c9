import { env } from "cloudflare:workers";
import type { ChatCompletion, ChatCompletionMessage } from "openai/resources/chat/completions";
import { expect } from "vitest";
import { expectedPico, expectedUsd } from "./spec-prices";
import { call, json } from "./worker";

export { expectedUsd } from "./spec-prices";

/** The SPEC's fields common to every task answer, with `cost` exactly the SPEC formula on `usage`. */
export function expectMeteredAnswer(res: Response, body: any, model = "gpt-5.4-nano") {
  expect(body.id).toMatch(/^req_/);
  expect(res.headers.get("x-request-id")).toBe(body.id);
  expect(body.model).toBe(model);
  expect(body.usage.input_tokens).toBeGreaterThan(0);
  expect(body.usage.output_tokens).toBeGreaterThan(0);
  expect(typeof body.latency_ms).toBe("number");
  expect(body.cost.usd).toBe(expectedUsd(body.usage, model));
  expect(body.cost.mini_usd).toBe(expectedUsd(body.usage, "gpt-5.4-mini"));
  expect(body.cost.saved_usd).toBe(Number(expectedPico(body.usage, "gpt-5.4-mini") - expectedPico(body.usage, model)) / 1e12);
}

/** The request's one ledger row, as /v1/spend/requests shows it. */
export async function ledgerRowsOf(token: string, requestId: string): Promise<any[]> {
  return (await json(await call(`/v1/spend/requests?request_id=${requestId}`, { token }))).data;
}

/** One ledger row holding exactly the answer's usage and cost. */
export async function expectOneLedgerRow(token: string, keyId: string, endpoint: string, body: any) {
  const rows = await ledgerRowsOf(token, body.id);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    request_id: body.id,
    attempt: 1,
    key_id: keyId,
    endpoint,
    model: body.model,
    upstream: "simulator",
    status: 200,
    error: null,
    ...body.usage,
    cost_usd: body.cost.usd,
    mini_cost_usd: body.cost.mini_usd,
  });
}

/** A failed answer's ledger row: the attempt is still billed, at exactly the formula. */
export async function expectBilledFailure(token: string, requestId: string, endpoint: string, status: number) {
  const rows = await ledgerRowsOf(token, requestId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ endpoint, status });
  expect(rows[0].output_tokens).toBeGreaterThan(0);
  expect(rows[0].cost_usd).toBe(expectedUsd(rows[0]));
  return rows[0];
}

/** Each body answers 400 invalid_request naming its field, and the key's ledger stays empty. */
export async function expectRejected(path: string, token: string, keyId: string, cases: [body: unknown, field: string][]) {
  for (const [body, field] of cases) {
    const res = await call(path, { token, body });
    const err = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(err.error.type, JSON.stringify(body)).toBe("invalid_request");
    expect(err.error.field, JSON.stringify(body)).toBe(field);
  }
  const rows = await env.DB.prepare("SELECT count(*) AS n FROM ledger WHERE key_id = ?").bind(keyId).first<{ n: number }>();
  expect(rows?.n).toBe(0);
}

/** A hand-made completion, for checking a task's `parse` on answers the simulator never gives. */
export function completionWith(message: Partial<ChatCompletionMessage>): ChatCompletion {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 0,
    model: "gpt-5.4-nano",
    choices: [{ index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", content: null, refusal: null, ...message } }],
  };
}

/** The ApiError a call throws, for asserting its status and type. */
export function thrownBy(fn: () => unknown): { status?: number; type?: string; message?: string } {
  try {
    fn();
  } catch (err) {
    return err as { status: number; type: string; message: string };
  }
  throw new Error("expected an error to be thrown");
}
