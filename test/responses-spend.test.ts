import { describe, expect, it } from "vitest";
import { asUsd, expectedPico } from "./support/spec-prices";
import { nonce, responsesRows } from "./support/responses";
import { call, createKey, json } from "./support/worker";

const picoOf = (u: any, tier = "default") =>
  expectedPico({ input_tokens: u.input_tokens, cached_tokens: u.input_tokens_details.cached_tokens, cache_write_tokens: u.input_tokens_details.cache_write_tokens, output_tokens: u.output_tokens }, "gpt-5.4-nano", tier);

describe("responses in the spend API, budgets' neighbours and rate limits, like any endpoint", () => {
  it("sums responses per endpoint and tier, errors counted, to the pico-dollar, in JSON and CSV", async () => {
    const { key } = await createKey();
    const respond = async (body: Record<string, unknown>) => call("/v1/responses", { token: key, body: { input: `spend ${nonce()}`, ...body } });
    const standard = await json(await respond({}));
    const flex = await json(await respond({ service_tier: "flex" }));
    expect((await respond({ input: `[[sim:fault=500]] ${nonce()}` })).status).toBe(502);
    await call("/v1/chat/completions", { token: key, body: { messages: [{ role: "user", content: "hi" }] } });
    expect(await responsesRows(key)).toHaveLength(3);

    const pico = { default: picoOf(standard.usage), flex: picoOf(flex.usage, "flex") };
    const byEndpoint = await json(await call("/v1/spend?group_by=endpoint", { token: key }));
    expect(byEndpoint.rows.map((r: { endpoint: string }) => r.endpoint)).toEqual(["chat.completions", "responses"]);
    const responses = byEndpoint.rows[1];
    expect(responses).toMatchObject({
      requests: 3,
      errors: 1,
      input_tokens: standard.usage.input_tokens + flex.usage.input_tokens,
      output_tokens: standard.usage.output_tokens + flex.usage.output_tokens,
      reasoning_tokens: standard.usage.output_tokens_details.reasoning_tokens + flex.usage.output_tokens_details.reasoning_tokens,
      cost_usd: asUsd(pico.default + pico.flex),
    });

    const byTier = await json(await call("/v1/spend?group_by=endpoint,tier", { token: key }));
    const tiers = byTier.rows.filter((r: { endpoint: string }) => r.endpoint === "responses");
    expect(tiers.map((r: { service_tier: string; requests: number; cost_usd: number }) => [r.service_tier, r.requests, r.cost_usd])).toEqual([
      ["default", 2, asUsd(pico.default)],
      ["flex", 1, asUsd(pico.flex)],
    ]);

    const csv = await (await call("/v1/spend?group_by=endpoint&format=csv", { token: key })).text();
    const [header, ...lines] = csv.trim().split("\r\n");
    const columns = header!.split(",");
    const line = lines.find((l) => l.startsWith("responses,"))!.split(",");
    expect(line[columns.indexOf("requests")]).toBe("3");
    expect(line[columns.indexOf("cost_usd")]).toBe(`0.${(pico.default + pico.flex).toString().padStart(12, "0")}`);
  });

  it("holds /v1/responses to the key's rate limit", async () => {
    const { key, id } = await createKey({ rpm: 1 });
    expect((await call("/v1/responses", { token: key, body: { input: "one" } })).status).toBe(200);
    const limited = await call("/v1/responses", { token: key, body: { input: "two" } });
    expect(limited.status).toBe(429);
    expect((await json(limited)).error.type).toBe("rate_limited");
    // The spend API is limited too, so the admin reads the key's rows.
    expect((await json(await call(`/v1/spend/requests?endpoint=responses&key_id=${id}`))).data).toHaveLength(1);
  });
});
