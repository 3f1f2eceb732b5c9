import { describe, expect, it } from "vitest";
import { rollDay } from "../workers/spend/rollup";
import { at, db, seed } from "./support/ledger";
import { openaiClient } from "./support/sdk";
import { asUsd, expectedPico, expectedUsd } from "./support/spec-prices";
import { ledgerRowsOf } from "./support/tasks";
import { call, createKey, json } from "./support/worker";

const nonce = () => crypto.randomUUID();
const ask = (content: string) => ({ model: "gpt-5.4-nano", messages: [{ role: "user" as const, content }] });
const chatRows = async (key: string) => (await json(await call("/v1/spend/requests?endpoint=chat.completions", { token: key }))).data;

describe("Price tiers: a call is priced at the tier its answer reports", () => {
  it("the official openai SDK sends service_tier flex: the answer says flex and the ledger shows the flex price", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const answer = await client.chat.completions.create({ ...ask(`Summarize the night shift ${nonce()}`), service_tier: "flex" });
    await settled();
    expect(answer.service_tier).toBe("flex");
    const [row, ...rest] = await chatRows(key);
    expect(rest).toHaveLength(0);
    expect(row).toMatchObject({ service_tier: "flex", status: 200, error: null, input_tokens: answer.usage!.prompt_tokens });
    expect(row.cost_usd).toBe(expectedUsd(row, "gpt-5.4-nano", "flex"));
    expect(row.mini_cost_usd).toBe(expectedUsd(row, "gpt-5.4-mini", "flex"));
    expect(row.cost_usd * 2).toBeCloseTo(expectedUsd(row, "gpt-5.4-nano", "default"), 15);
  });

  it("prices one call at each seeded tier: default when none is asked, flex, and batch when the answer reports it", async () => {
    const { key } = await createKey();
    const calls = [
      [{}, "default"],
      [{ service_tier: "auto" }, "default"],
      [{ service_tier: "default" }, "default"],
      [{ service_tier: "flex" }, "flex"],
      // No caller can ask for batch online; the simulator reports it when told to.
      [{ messages: [{ role: "user", content: `[[sim:tier=batch]] ${nonce()}` }] }, "batch"],
    ] as const;
    for (const [extra, tier] of calls) {
      const res = await call("/v1/chat/completions", { token: key, body: { ...ask(`Which tier ${nonce()}?`), ...extra } });
      expect(res.status, tier).toBe(200);
      const [row] = await chatRows(key);
      expect(row.service_tier, JSON.stringify(extra)).toBe(tier);
      expect(row.cost_usd, tier).toBe(expectedUsd(row, "gpt-5.4-nano", tier));
      expect(row.mini_cost_usd, tier).toBe(expectedUsd(row, "gpt-5.4-mini", tier));
    }
  });

  it("refuses a request asking for a tier without a price with a 400 before any call, recording nothing", async () => {
    const { key } = await createKey();
    for (const service_tier of ["priority", "fast", "scale", "gold"]) {
      const res = await call("/v1/chat/completions", { token: key, body: { ...ask("hi"), service_tier } });
      expect(res.status, service_tier).toBe(400);
      expect((await json(res)).error, service_tier).toMatchObject({ type: "invalid_request", field: "service_tier" });
    }
    const task = await call("/v1/intent", { token: key, body: { text: "hi", service_tier: "priority" } });
    expect([task.status, (await json(task)).error.field]).toEqual([400, "service_tier"]);
    expect(await chatRows(key)).toEqual([]);
  });

  it("prices an answer that reports an unpriced tier at default, and its row says tier_unpriced", async () => {
    const { key } = await createKey();
    const res = await call("/v1/chat/completions", { token: key, body: ask(`Serve me fast [[sim:tier=priority]] ${nonce()}`) });
    expect(res.status).toBe(200);
    expect((await json(res)).service_tier).toBe("priority");
    const [row] = await chatRows(key);
    expect(row).toMatchObject({ status: 200, service_tier: "priority", error: expect.stringMatching(/^tier_unpriced: /) });
    expect(row.cost_usd).toBeGreaterThan(0);
    expect(row.cost_usd).toBe(expectedUsd(row, "gpt-5.4-nano", "default"));
  });

  it("prices a stream at the tier its chunks report", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const stream = await client.chat.completions.create({ ...ask(`A story about ${nonce()}`), stream: true, service_tier: "flex" });
    for await (const chunk of stream) expect(chunk.service_tier).toBe("flex");
    await settled();
    const [row] = await chatRows(key);
    expect(row).toMatchObject({ service_tier: "flex", error: null });
    expect(row.cost_usd).toBe(expectedUsd(row, "gpt-5.4-nano", "flex"));
  });

  it("task endpoints take service_tier, and bill each attempt at its own answer's tier", async () => {
    const { key } = await createKey();
    const body = await json(await call("/v1/intent", { token: key, body: { text: `cancel my plan ${nonce()}`, service_tier: "flex" } }));
    const [row] = await ledgerRowsOf(key, body.id);
    expect(row).toMatchObject({ endpoint: "intent", service_tier: "flex" });
    expect(body.cost.usd).toBe(expectedUsd(body.usage, "gpt-5.4-nano", "flex"));
    expect(body.cost.mini_usd).toBe(expectedUsd(body.usage, "gpt-5.4-mini", "flex"));
    expect(row.cost_usd).toBe(body.cost.usd);
  });
});

describe("Price tiers: group_by=tier", () => {
  it("sums per tier exactly, live and rolled alike, in JSON and CSV", async () => {
    const day = "2026-09-21";
    const keyId = `kT_${nonce()}`;
    const usage = { inputTokens: 3000, cachedTokens: 1024, outputTokens: 77 };
    await seed([
      { time: at(day, 1), keyId, usage },
      { time: at(day, 2), keyId, usage, tier: "flex" },
      { time: at(day, 3), keyId, usage, tier: "flex" },
      { time: at(day, 4), keyId, usage, tier: "batch" },
    ]);
    const query = `/v1/spend?from=${day}&to=${day}&key_id=${keyId}&group_by=tier`;
    const live = await json(await call(query));
    await rollDay(db(), day, at(day, 24, 15), 90);
    const rolled = await json(await call(query));
    expect(rolled.rows).toEqual(live.rows);
    expect(rolled.totals).toEqual(live.totals);

    const tokens = { input_tokens: 3000, cached_tokens: 1024, output_tokens: 77 };
    const expected = { default: expectedPico(tokens), flex: 2n * expectedPico(tokens, "gpt-5.4-nano", "flex"), batch: expectedPico(tokens, "gpt-5.4-nano", "batch") };
    expect(rolled.rows.map((r: { service_tier: string; requests: number; cost_usd: number }) => [r.service_tier, r.requests, r.cost_usd])).toEqual([
      ["batch", 1, asUsd(expected.batch)],
      ["default", 1, asUsd(expected.default)],
      ["flex", 2, asUsd(expected.flex)],
    ]);
    expect(rolled.totals.cost_usd).toBe(asUsd(expected.default + expected.flex + expected.batch));

    const csv = await (await call(`${query}&format=csv`)).text();
    const [header, ...lines] = csv.trim().split("\r\n");
    expect(header!.split(",").slice(0, 2)).toEqual(["service_tier", "requests"]);
    expect(lines.map((l) => l.split(",")[0])).toEqual(["batch", "default", "flex"]);
    const costAt = header!.split(",").indexOf("cost_usd");
    expect(lines[2]!.split(",")[costAt]).toBe(`0.${expected.flex.toString().padStart(12, "0")}`);
  });
});
