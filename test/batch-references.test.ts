import { describe, expect, it } from "vitest";
import { jsonl, pollBatch, resultLines, upload } from "./support/batches";
import { keyWithSecret, messageOf, MODEL as model, outcome } from "./support/references";
import { call, json } from "./support/worker";

const responsesLine = (custom_id: string, body: Record<string, unknown>) => ({ custom_id, method: "POST", url: "/v1/responses", body: { model, ...body } });

describe("a stored id in a batch line is the key's own, or the batch is a 400 naming the line", () => {
  it("refuses Batch API lines and task batch items naming another key's response, item or file; takes the key's own", async () => {
    const b = await keyWithSecret();
    const bFile = await upload(b.client, jsonl([{ hello: "b" }]));
    const a = await keyWithSecret();
    const lines = [
      [{ input: "go on", previous_response_id: b.response.id }, `no response with id ${b.response.id}`],
      [{ input: [{ type: "item_reference", id: messageOf(b.response).id }] }, `no item with id ${messageOf(b.response).id}`],
      [{ input: [{ id: b.inputItemId }] }, `no item with id ${b.inputItemId}`],
      [{ input: [{ role: "user", content: [{ type: "input_file", file_id: bFile.id }] }] }, `no file with id ${bFile.id}`],
    ] as const;
    for (const [body, message] of lines) {
      const file = await upload(a.client, jsonl([responsesLine("mine", { input: "hello" }), responsesLine("theirs", body)]));
      const seen = await outcome(a.client.batches.create({ input_file_id: file.id, endpoint: "/v1/responses", completion_window: "24h" }));
      expect(seen).toMatchObject({ status: 400, error: { type: "invalid_request", field: "input_file_id", message: `input_file_id: line 2 of ${file.id} names ${message}` } });
    }
    const task = await call("/v1/batches/tasks", {
      token: a.key,
      body: { endpoint: "tool", items: [{ custom_id: "x", messages: [{ role: "user", content: [{ type: "file", file: { file_id: bFile.id } }] }], tools: [{ type: "function", function: { name: "noop" } }] }] },
    });
    expect(task.status).toBe(400);
    expect((await json(task)).error).toMatchObject({ field: "items.0.messages.0.content.0.file.file_id", message: `items.0: no file with id ${bFile.id}` });

    const own = await upload(
      a.client,
      jsonl([responsesLine("previous", { input: "go on", previous_response_id: a.response.id }), responsesLine("item", { input: [{ type: "item_reference", id: a.inputItemId }] })]),
    );
    const batch = await pollBatch(a.client, (await a.client.batches.create({ input_file_id: own.id, endpoint: "/v1/responses", completion_window: "24h" })).id);
    const results = await resultLines(a.client, batch.output_file_id);
    expect(results.map((line) => line.response?.status_code)).toEqual([200, 200]);
    expect(JSON.stringify(results)).toContain(a.secret.split(" ").at(-1));
    expect(JSON.stringify(results)).not.toContain(b.secret.split(" ").at(-1));
  });
});
