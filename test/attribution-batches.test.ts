import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { batchRows, chatLine, jsonl, pollBatch, upload } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

const TAGS = "x-nanometer-tags";
const USER = "x-nanometer-user";

/** custom_id → the row's tags and end user. */
const attributionByLine = (rows: any[]) => Object.fromEntries(rows.map((r) => [r.request_id.split(":")[1], { tags: r.tags, end_user: r.end_user }]));

async function lineUsersLeft(batchId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM batch_line_users WHERE batch_id = ?").bind(batchId).first<{ n: number }>();
  return row?.n ?? -1;
}

describe("Attribution of batch lines", () => {
  it("gives Batch API lines the creating call's tags and each line's safety_identifier or user, the header's end user first", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const lines = [
      chatLine("a", "Summarize: the harbour reopened.", { safety_identifier: "sid-a", user: "u-a" }),
      chatLine("b", "Summarize: the bridge closed.", { user: "u-b" }),
      chatLine("c", "Summarize: the school opened."),
    ];
    const file = await upload(client, jsonl(lines));
    const created = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }, { headers: { [TAGS]: "feature=bulk" } });
    expect(await lineUsersLeft(created.id)).toBe(2);
    const batch = await pollBatch(client, created.id);
    await settled();
    expect(batch.status).toBe("completed");
    await settled();

    expect(attributionByLine(await batchRows(key, batch.id))).toEqual({
      a: { tags: { feature: "bulk" }, end_user: "sid-a" },
      b: { tags: { feature: "bulk" }, end_user: "u-b" },
      c: { tags: { feature: "bulk" }, end_user: null },
    });
    expect(await lineUsersLeft(batch.id)).toBe(0); // kept only until the lines are metered

    const withUser = await client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }, { headers: { [USER]: "cust-1" } });
    await pollBatch(client, withUser.id);
    await settled();
    await settled();
    const rows = await batchRows(key, withUser.id);
    expect(rows.map((r) => r.end_user)).toEqual(["cust-1", "cust-1", "cust-1"]);
  });

  it("refuses a batch whose line names a bad end user, naming the line", async () => {
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const file = await upload(client, jsonl([chatLine("a", "fine"), chatLine("b", "too long a user", { user: "x".repeat(300) })]));
    const res = await call("/v1/batches", { token: key, body: { input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.field).toBe("input_file_id");
    expect(body.error.message).toMatch(/line 2 of .*user/);
  });

  it("gives task batch items their own tags and user, merged with the creating call's tags", async () => {
    const { key } = await createKey();
    const { settled } = openaiClient(key);
    const items = [
      { custom_id: "x", text: "The harbour reopened after repairs.", tags: { team: "news" }, user: "reader-1" },
      { custom_id: "y", text: "The bridge closed for a week." },
    ];
    const res = await call("/v1/batches/tasks", { token: key, headers: { [TAGS]: "feature=digest" }, body: { endpoint: "summarize", items } });
    expect(res.status, await res.clone().text()).toBe(200);
    const created = await json(res);
    for (let i = 0; i < 500; i++) {
      const batch = await json(await call(`/v1/batches/${created.id}`, { token: key }));
      if (batch.status === "completed") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await settled();
    let rows: any[] = [];
    for (let i = 0; i < 100 && rows.length < 2; i++) {
      rows = await batchRows(key, created.id);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(attributionByLine(rows)).toEqual({
      x: { tags: { feature: "digest", team: "news" }, end_user: "reader-1" },
      y: { tags: { feature: "digest" }, end_user: null },
    });
  });

  it("refuses a task item whose tag contradicts the header's, naming the item", async () => {
    const { key } = await createKey();
    const items = [{ custom_id: "x", text: "one" }, { custom_id: "y", text: "two", tags: { feature: "other" } }];
    const res = await call("/v1/batches/tasks", { token: key, headers: { [TAGS]: "feature=digest" }, body: { endpoint: "summarize", items } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.field).toBe("items.1.tags.feature");
  });
});
