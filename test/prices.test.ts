import { describe, expect, it } from "vitest";
import { openaiClient } from "./support/sdk";
import { expectedPico, picoPerToken, type TokenCounts } from "./support/spec-prices";
import { call, createKey, json } from "./support/worker";

const nonce = () => crypto.randomUUID();
const HOUR = 3_600_000;

/** A model of its own, so a test's prices touch no other test's calls. */
const testModel = () => `test-model-${nonce().slice(0, 8)}`;

async function postPrice(body: Record<string, unknown>) {
  return call("/v1/admin/prices", { body: { tier: "default", input_usd_per_1m: 0.3, cached_input_usd_per_1m: 0.03, output_usd_per_1m: 2, ...body } });
}

/** pico-USD by the SPEC's formula at prices given here as USD per 1M tokens. */
function picoAt(u: TokenCounts, [input, cached, output, write]: [string, string, string, string?]) {
  const w = BigInt(u.cache_write_tokens ?? 0);
  const uncached = BigInt(u.input_tokens - u.cached_tokens) - w;
  return uncached * picoPerToken(input) + BigInt(u.cached_tokens) * picoPerToken(cached) + w * picoPerToken(write ?? input) + BigInt(u.output_tokens) * picoPerToken(output);
}

async function chatRow(key: string, model: string, content: string) {
  const res = await call("/v1/chat/completions", { token: key, body: { model, messages: [{ role: "user", content }] } });
  expect(res.status, await res.clone().text()).toBe(200);
  const [row] = (await json(await call(`/v1/spend/requests?model=${model}&limit=1`, { token: key }))).data;
  return row;
}

describe("GET /v1/admin/prices", () => {
  it("lists the seeded table, model × tier, with SPEC's exact prices and when each took effect", async () => {
    const { data } = await json(await call("/v1/admin/prices"));
    const seeded = data.filter((p: { model: string }) => p.model.startsWith("gpt-5.4-"));
    const shown = seeded.map((p: any) => [p.model, p.tier, p.input_usd_per_1m, p.cached_input_usd_per_1m, p.output_usd_per_1m, p.cache_write_usd_per_1m]);
    expect(shown).toEqual([
      ["gpt-5.4-mini", "batch", 0.375, 0.0375, 2.25, null],
      ["gpt-5.4-mini", "default", 0.75, 0.075, 4.5, null],
      ["gpt-5.4-mini", "flex", 0.375, 0.0375, 2.25, null],
      ["gpt-5.4-nano", "batch", 0.1, 0.01, 0.625, null],
      ["gpt-5.4-nano", "default", 0.2, 0.02, 1.25, null],
      ["gpt-5.4-nano", "flex", 0.1, 0.01, 0.625, null],
    ]);
    expect(seeded.every((p: any) => p.effective_from === "2026-01-01T00:00:00.000Z" && p.in_force)).toBe(true);
  });

  it("is the admin's: a key gets 403", async () => {
    const { key } = await createKey();
    expect((await call("/v1/admin/prices", { token: key })).status).toBe(403);
    expect((await call("/v1/admin/prices", { token: key, body: { model: "x" } })).status).toBe(403);
  });
});

describe("POST /v1/admin/prices", () => {
  it("refuses a bad price with a 400 naming the field, and adds nothing", async () => {
    const model = testModel();
    const cases: [Record<string, unknown>, string][] = [
      [{ model, input_usd_per_1m: -0.1 }, "input_usd_per_1m"],
      [{ model, output_usd_per_1m: 1.0000001 }, "output_usd_per_1m"],
      [{ model, cached_input_usd_per_1m: 1e-7 }, "cached_input_usd_per_1m"],
      [{ model, cache_write_usd_per_1m: -1 }, "cache_write_usd_per_1m"],
      [{ model, tier: "gold" }, "tier"],
      [{ model, tier: "scale" }, "tier"],
      [{ model, input_usd_per_1m: 0.1, cached_input_usd_per_1m: 0.2 }, "cached_input_usd_per_1m"],
      [{ model, effective_from: new Date(Date.now() - HOUR).toISOString() }, "effective_from"],
      [{ model, effective_from: "2020-01-01" }, "effective_from"],
      [{ model, effective_from: "next tuesday" }, "effective_from"],
      [{ model, input_usd_per_1m: "0.2" }, "input_usd_per_1m"],
      [{ model, colour: "blue" }, "colour"],
      [{ tier: "default" }, "model"],
    ];
    for (const [body, field] of cases) {
      const res = await postPrice(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error, JSON.stringify(body)).toMatchObject({ type: "invalid_request", field });
    }
    const { data } = await json(await call("/v1/admin/prices"));
    expect(data.filter((p: { model: string }) => p.model === model)).toEqual([]);
  });

  it("holds six decimals exactly, and a cache-write price; a second price at the same moment is a 409", async () => {
    const model = testModel();
    const effective_from = new Date(Date.now() + HOUR).toISOString();
    const body = { model, tier: "flex", input_usd_per_1m: 123.456789, cached_input_usd_per_1m: 0.000001, output_usd_per_1m: 999.999999, cache_write_usd_per_1m: 0.0375, effective_from };
    const res = await postPrice(body);
    expect(res.status).toBe(201);
    expect(await res.text()).toContain('"input_usd_per_1m":123.456789,"cached_input_usd_per_1m":0.000001,"output_usd_per_1m":999.999999,"cache_write_usd_per_1m":0.0375');
    const again = await postPrice(body);
    expect([again.status, (await json(again)).error.type]).toEqual([409, "conflict"]);
  });

  it("takes effect now by default: calls after it use the new price, rows before keep theirs (a change in the middle of a day)", async () => {
    const model = testModel();
    const { key } = await createKey();
    expect((await postPrice({ model, input_usd_per_1m: 0.3, cached_input_usd_per_1m: 0.03, output_usd_per_1m: 2 })).status).toBe(201);
    const before = await chatRow(key, model, `before the change ${nonce()}`);
    const changed = await postPrice({ model, input_usd_per_1m: 0.15, cached_input_usd_per_1m: 0.015, output_usd_per_1m: 1.000001 });
    expect(changed.status).toBe(201);
    const after = await chatRow(key, model, `after the change ${nonce()}`);
    expect(before.time.slice(0, 10)).toBe(after.time.slice(0, 10));

    expect(before.cost_usd).toBe(Number(picoAt(before, ["0.3", "0.03", "2"])) / 1e12);
    expect(after.cost_usd).toBe(Number(picoAt(after, ["0.15", "0.015", "1.000001"])) / 1e12);
    // The earlier row is as it was: history is never repriced.
    const [stored] = (await json(await call(`/v1/spend/requests?request_id=${before.request_id}`, { token: key }))).data;
    expect(stored.cost_usd).toBe(before.cost_usd);
    // mini is the same tokens at mini's own price.
    expect(after.mini_cost_usd).toBe(Number(expectedPico(after, "gpt-5.4-mini")) / 1e12);

    const listed = (await json(await call("/v1/admin/prices"))).data.filter((p: { model: string }) => p.model === model);
    expect(listed.map((p: { input_usd_per_1m: number; in_force: boolean }) => [p.input_usd_per_1m, p.in_force])).toEqual([
      [0.3, false],
      [0.15, true],
    ]);
  });

  it("leaves calls at the old price until a future price's time comes", async () => {
    const model = testModel();
    const { key } = await createKey();
    await postPrice({ model, input_usd_per_1m: 0.3, cached_input_usd_per_1m: 0.03, output_usd_per_1m: 2 });
    const future = await postPrice({ model, input_usd_per_1m: 9, cached_input_usd_per_1m: 0.9, output_usd_per_1m: 9, effective_from: new Date(Date.now() + HOUR).toISOString() });
    expect((await json(future)).in_force).toBe(false);
    const row = await chatRow(key, model, `still the old price ${nonce()}`);
    expect(row.cost_usd).toBe(Number(picoAt(row, ["0.3", "0.03", "2"])) / 1e12);
  });

  it("prices cache-write tokens at the cache-write price when the row has one", async () => {
    const model = testModel();
    const { key } = await createKey();
    await postPrice({ model, input_usd_per_1m: 0.2, cached_input_usd_per_1m: 0.02, output_usd_per_1m: 1.25, cache_write_usd_per_1m: 0.25 });
    // Over 1024 tokens: the simulator writes the prompt's cacheable prefix and says how many tokens.
    const row = await chatRow(key, model, `${nonce()} ${"Cache this long instruction text, please. ".repeat(150)}`);
    expect(row.cache_write_tokens).toBeGreaterThanOrEqual(1024);
    expect(row.cost_usd).toBe(Number(picoAt(row, ["0.2", "0.02", "1.25", "0.25"])) / 1e12);
    expect(row.cost_usd).toBeGreaterThan(Number(picoAt(row, ["0.2", "0.02", "1.25"])) / 1e12);
  });
});

describe("GET /v1/models", () => {
  it("lists the priced models in OpenAI's list shape, through the official SDK", async () => {
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const ids = [];
    for await (const model of client.models.list()) {
      expect(model).toMatchObject({ object: "model", owned_by: "openai", created: expect.any(Number) });
      ids.push(model.id);
    }
    expect(ids).toEqual(expect.arrayContaining(["gpt-5.4-mini", "gpt-5.4-nano"]));
    expect(await client.models.retrieve("gpt-5.4-nano")).toEqual({ id: "gpt-5.4-nano", object: "model", created: 1767225600, owned_by: "openai" });
    expect((await call("/v1/models/gpt-9", { token: key })).status).toBe(404);
  });

  it("leaves out a model whose first price is still to come", async () => {
    const model = testModel();
    await postPrice({ model, effective_from: new Date(Date.now() + HOUR).toISOString() });
    const { key } = await createKey();
    const { data } = await json(await call("/v1/models", { token: key }));
    expect(data.map((m: { id: string }) => m.id)).not.toContain(model);
  });
});
