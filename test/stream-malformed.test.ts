import { env } from "cloudflare:workers";
import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { gateOf } from "../workers/keys/budget";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

/** Each API's streamed call, asked through the official SDK, to its end. */
const streamed = {
  "chat.completions": async (client: ReturnType<typeof openaiClient>["client"], text: string) => {
    const stream = await client.chat.completions.create({ model: "gpt-5.4-nano", messages: [{ role: "user", content: text }], stream: true });
    for await (const _chunk of stream);
  },
  responses: async (client: ReturnType<typeof openaiClient>["client"], text: string) => {
    for await (const _event of await client.responses.create({ model: "gpt-5.4-nano", input: text, stream: true }));
  },
};

/** Upstream answers to a stream with no event in them: an empty body, only `[DONE]`, a JSON body cut short. */
const FAULTS = ["empty_stream", "done_only", "malformed"];

describe("an upstream stream that ends before its first event", () => {
  for (const [endpoint, stream] of Object.entries(streamed)) {
    it(`${endpoint}: 502 upstream_error in the error shape, as unstreamed; one row at 502, cost 0, the reservation released`, async () => {
      const { key, id } = await createKey({ daily_budget_usd: 5 });
      const { client, settled } = openaiClient(key);
      for (const fault of FAULTS) {
        const error = await stream(client, `[[sim:fault=${fault}]] ${crypto.randomUUID()}`).then(() => null, (e: unknown) => e);
        expect(error, fault).toBeInstanceOf(APIError);
        expect((error as APIError).status, fault).toBe(502);
        expect((error as APIError).error, fault).toMatchObject({ type: "upstream_error", message: expect.any(String) });
      }
      await settled();
      const rows = (await json(await call(`/v1/spend/requests?endpoint=${endpoint}`, { token: key }))).data;
      expect(rows).toHaveLength(FAULTS.length);
      for (const row of rows) expect(row).toMatchObject({ status: 502, cost_usd: 0, input_tokens: 0, error: expect.stringMatching(/^upstream_error/) });
      const gate = await gateOf(env, id).snapshot(id);
      expect([gate.dayReserved, gate.daySpent]).toEqual([0n, 0n]);
    });
  }
});
