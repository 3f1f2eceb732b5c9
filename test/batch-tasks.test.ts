import { describe, expect, it } from "vitest";
import { batchRows, pollBatch, resultLines } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { asUsd, expectedPico } from "./support/spec-prices";
import { call, createKey, json } from "./support/worker";

const nonce = () => crypto.randomUUID();
const TOPICS = ["the harbour", "a new bridge", "the school budget", "a heat wave", "the election", "a football final"];
const document = (i: number, tag: string) =>
  `Report ${i} (${tag}): the city discussed ${TOPICS[i % TOPICS.length]} on day ${i % 28}. ${"Residents asked questions and officials answered them. ".repeat(1 + (i % 4))}`;

async function taskBatch(key: string, body: unknown) {
  const res = await call("/v1/batches/tasks", { token: key, body });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

/** Every result of a task batch, page by page. */
async function allResults(key: string, batchId: string, limit: number) {
  const results = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: any = await json(await call(`/v1/batches/${batchId}/results?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, { token: key }));
    results.push(...page.data);
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor);
  return { results, pages };
}

describe("Task batches: POST /v1/batches/tasks and GET /v1/batches/{id}/results", () => {
  it("summarizes 1 000 documents in French overnight: every answer and cost, paged; their sum is the spend API's batch total", async () => {
    const { key, id: keyId } = await createKey();
    const { client, settled } = openaiClient(key);
    const tag = nonce();
    const items = Array.from({ length: 1_000 }, (_, i) => ({ custom_id: `doc-${i}`, text: document(i, tag), words: 30, target_language: "French" }));
    const created = await taskBatch(key, { endpoint: "summarize", items });
    expect(created).toMatchObject({ object: "batch", endpoint: "/v1/chat/completions", status: "validating" });

    // Each line is the online call (the task's prompt, its cache key), sharing one prompt prefix.
    const input = await resultLines(client, created.input_file_id);
    expect(input).toHaveLength(1_000);
    expect(new Set(input.map((l: any) => l.body.messages[0].content)).size).toBe(1);
    expect(input.every((l: any) => l.body.prompt_cache_key === `nm:summarize:${keyId}` && l.body.model === "gpt-5.4-nano")).toBe(true);

    const batch = await pollBatch(client, created.id);
    await settled();
    expect(batch.status).toBe("completed");
    const { results, pages } = await allResults(key, batch.id, 300);
    expect(pages).toBe(4);
    expect(results.map((r) => r.custom_id)).toEqual(items.map((i) => i.custom_id));
    let total = 0n;
    for (const r of results) {
      expect(r).toMatchObject({ id: `${batch.id}:${r.custom_id}`, status: 200, model: "gpt-5.4-nano", error: null, summary: expect.any(String) });
      const pico = expectedPico(r.usage, "gpt-5.4-nano", "batch");
      expect(r.cost.usd).toBe(asUsd(pico));
      expect(r.cost.mini_usd).toBe(asUsd(expectedPico(r.usage, "gpt-5.4-mini", "batch")));
      total += pico;
    }

    // The same body asked online gets the same answer: one code path builds both.
    const online = await json(await call("/v1/summarize", { token: key, body: { text: items[7]!.text, words: 30, target_language: "French" } }));
    expect(online.summary).toBe(results[7].summary);
    expect(online.usage.input_tokens).toBe(results[7].usage.input_tokens);

    const spend = await json(await call("/v1/spend?group_by=tier,endpoint", { token: key }));
    const batchRow = spend.rows.find((r: any) => r.service_tier === "batch");
    expect(batchRow).toMatchObject({ endpoint: "summarize", requests: 1_000, errors: 0, cost_usd: asUsd(total) });
    expect(spend.rows.find((r: any) => r.service_tier === "default")).toMatchObject({ requests: 1, endpoint: "summarize" });
    const csv = await (await call("/v1/spend?group_by=tier&format=csv", { token: key })).text();
    const [header, ...lines] = csv.trim().split("\r\n");
    const cost = header!.split(",").indexOf("cost_usd");
    const batchLine = lines.find((l) => l.startsWith("batch,"))!.split(",");
    expect(batchLine[cost]).toBe(`0.${total.toString().padStart(12, "0")}`);
    expect(await batchRows(key, batch.id)).toHaveLength(1_000);
  }, 120_000);

  it("checks each answer as the online endpoint does: one that fails its check is a 422 with its error, and billed", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const schema = { type: "object", properties: { city: { type: "string" }, year: { type: "integer" } }, required: ["city", "year"] };
    const items = [
      { custom_id: "good", text: `Lisbon, founded long ago, in 1147 ${nonce()}`, schema },
      { custom_id: "broken", text: `[[sim:fail_rate=1,model=gpt-5.4-nano]] Porto ${nonce()}`, schema },
      { custom_id: "refused", text: `[[sim:fault=400]] ${nonce()}`, schema },
    ];
    const batch = await pollBatch(client, (await taskBatch(key, { endpoint: "extract", items })).id);
    await settled();
    const { results } = await allResults(key, batch.id, 100);
    const byId = Object.fromEntries(results.map((r) => [r.custom_id, r]));
    expect(byId.good).toMatchObject({ status: 200, data: { city: expect.any(String), year: expect.any(Number) }, error: null });
    expect(byId.broken).toMatchObject({ status: 422, error: { type: "invalid_output", message: expect.stringContaining("does not fit the schema") } });
    expect(byId.broken.cost.usd).toBeGreaterThan(0);
    expect(byId.broken.data).toBeUndefined();
    expect(byId.refused).toMatchObject({ status: 400, error: { type: "upstream_rejected" }, cost: { usd: 0 } });
    const rows = await batchRows(key, batch.id);
    const row = (id: string) => rows.find((r) => r.request_id === `${batch.id}:${id}`);
    expect(row("broken")).toMatchObject({ endpoint: "extract", status: 422, outcome: "invalid", cost_usd: byId.broken.cost.usd, error: expect.stringMatching(/^invalid_output: /) });
    expect(row("good")).toMatchObject({ endpoint: "extract", status: 200, outcome: "ok", cost_usd: byId.good.cost.usd });
  });

  it("has no results while the batch runs (409); cancelled, the items it never ran are listed as not_run", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const tag = nonce();
    const items = ["first", "[[sim:fault=timeout]] hangs", "never"].map((text, i) => ({ custom_id: `i${i}`, text: `${text} ${tag}` }));
    const created = await taskBatch(key, { endpoint: "summarize", items });
    await pollBatch(client, created.id, (b) => b.request_counts?.completed === 1);
    const early = await call(`/v1/batches/${created.id}/results`, { token: key });
    expect([early.status, (await json(early)).error.type, early.headers.get("retry-after")]).toEqual([409, "conflict", "60"]);
    await client.batches.cancel(created.id);
    expect((await pollBatch(client, created.id)).status).toBe("cancelled");
    await settled();
    const { results } = await allResults(key, created.id, 100);
    expect(results.map((r) => [r.custom_id, r.status, r.error?.type ?? null])).toEqual([
      ["i0", 200, null],
      ["i1", null, "not_run"],
      ["i2", null, "not_run"],
    ]);
    expect(results[1]).toMatchObject({ usage: null, cost: null });
    expect(await batchRows(key, created.id)).toHaveLength(1);
  });

  it("answers 400 for the results of a batch that is not a task batch", async () => {
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const { chatLine, createBatch } = await import("./support/batches");
    const batch = await createBatch(client, [chatLine("a", `hi ${nonce()}`)]);
    const res = await call(`/v1/batches/${batch.id}/results`, { token: key });
    expect([res.status, (await json(res)).error.field]).toEqual([400, "id"]);
  });
});
