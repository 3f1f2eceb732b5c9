import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gateOf } from "../workers/keys/budget";
import { expectedUsd } from "./support/spec-prices";
import { call, createKey, dispatch, json } from "./support/worker";

const streamed = {
  "chat.completions": { path: "/v1/chat/completions", body: (text: string) => ({ stream: true, messages: [{ role: "user", content: text }] }) },
  responses: { path: "/v1/responses", body: (text: string) => ({ stream: true, input: text }) },
};

/** How a client leaves before the first byte: it cancels the body, or its connection is dropped and the body is never read. */
const leaving = {
  "cancels the body": (body: ReadableStream) => body.cancel(),
  "never reads the body": async () => undefined,
};

describe("a stream the client leaves before its first byte", () => {
  for (const [endpoint, { path, body }] of Object.entries(streamed)) {
    for (const [how, leave] of Object.entries(leaving)) {
      it(`${endpoint}, a client that ${how}: read to its end from an unpaced upstream, billed as 499, its reservation released`, async () => {
        const { key, id } = await createKey({ daily_budget_usd: 5 });
        const { response, settled } = await dispatch(path, {
          token: key,
          body: body(`A long answer please ${crypto.randomUUID()} ${"word ".repeat(80)}`),
          env: { STREAM_DELIVERY_MS: "50" },
        });
        expect(response.status).toBe(200);
        await leave(response.body!);
        await settled();

        const rows = (await json(await call(`/v1/spend/requests?endpoint=${endpoint}`, { token: key }))).data;
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ status: 499, error: expect.stringMatching(/^client_closed/) });
        expect(rows[0].output_tokens).toBeGreaterThan(0);
        expect(rows[0].cost_usd).toBe(expectedUsd(rows[0]));
        const gate = await gateOf(env, id).snapshot(id);
        expect([gate.dayReserved, gate.daySpent]).toEqual([0n, BigInt(Math.round(rows[0].cost_usd * 1e12))]);
      }, 15_000);
    }
  }
});
