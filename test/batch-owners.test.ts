import { describe, expect, it } from "vitest";
import { chatLine, createBatch, jsonl, pollBatch, upload } from "./support/batches";
import { openaiSchemaErrors } from "./support/openai-schemas";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

const nonce = () => crypto.randomUUID();

/** A key with one finished summarize task batch: its batch, input file and output file. */
async function keyWithBatch() {
  const { key } = await createKey();
  const { client, settled } = openaiClient(key);
  const res = await call("/v1/batches/tasks", { token: key, body: { endpoint: "summarize", items: [{ custom_id: "a", text: `The ferry is late ${nonce()}.` }] } });
  expect(res.status).toBe(200);
  const batch = await pollBatch(client, (await json(res)).id);
  await settled();
  return { key, client, batch };
}

describe("Files and batches belong to the key that created them", () => {
  it("another key gets 404 on the batch, its input and output files and its results; the owner and the admin do not", async () => {
    const { key, batch } = await keyWithBatch();
    const other = await createKey();
    const paths: [string, string?][] = [
      [`/v1/batches/${batch.id}`],
      [`/v1/batches/${batch.id}/results`],
      [`/v1/batches/${batch.id}/cancel`, "POST"],
      [`/v1/files/${batch.input_file_id}`],
      [`/v1/files/${batch.input_file_id}/content`],
      [`/v1/files/${batch.output_file_id}`],
      [`/v1/files/${batch.output_file_id}/content`],
      [`/v1/files/${batch.output_file_id}`, "DELETE"],
    ];
    for (const [path, method] of paths) {
      const res = await call(path, { token: other.key, method });
      expect(res.status, `${method ?? "GET"} ${path}`).toBe(404);
      expect((await json(res)).error.type).toBe("not_found");
    }
    for (const [path, method] of paths.filter(([, m]) => !m)) {
      for (const token of [key, undefined]) expect((await call(path, { token, method })).status, path).toBe(200);
    }
    expect((await json(await call("/v1/batches", { token: other.key }))).data).toEqual([]);
    expect((await json(await call("/v1/files", { token: other.key }))).data).toEqual([]);
  });

  it("lists a key's own files and batches in OpenAI's shapes, newest first, page by page; the admin lists everyone's", async () => {
    const [first, second] = [await keyWithBatch(), await keyWithBatch()];
    const { client } = first;
    const more = await createBatch(client, [chatLine("x", `hello ${nonce()}`)]);
    await pollBatch(client, more.id);

    const batches = await json(await call("/v1/batches", { token: first.key }));
    expect(openaiSchemaErrors("ListBatchesResponse", batches)).toEqual([]);
    expect(batches.data.map((b: { id: string }) => b.id)).toEqual([more.id, first.batch.id]);
    const page1 = await json(await call("/v1/batches?limit=1", { token: first.key }));
    expect(page1).toMatchObject({ object: "list", first_id: more.id, last_id: more.id, has_more: true });
    const page2 = await json(await call(`/v1/batches?limit=1&after=${more.id}`, { token: first.key }));
    expect(page2).toMatchObject({ first_id: first.batch.id, has_more: false });
    const sdkPages = [];
    for await (const batch of client.batches.list({ limit: 1 })) sdkPages.push(batch.id);
    expect(sdkPages).toEqual([more.id, first.batch.id]);

    const files = await json(await call("/v1/files", { token: first.key }));
    expect(openaiSchemaErrors("ListFilesResponse", files)).toEqual([]);
    for (const file of files.data) expect(openaiSchemaErrors("OpenAIFile", file)).toEqual([]);
    // Two batches: two input files, two output files.
    expect(files.data).toHaveLength(4);
    const outputs = await json(await call("/v1/files?purpose=batch_output&order=asc", { token: first.key }));
    expect(outputs.data.map((f: { id: string }) => f.id)).toEqual([first.batch.output_file_id, (await client.batches.retrieve(more.id)).output_file_id]);

    const all = await json(await call("/v1/batches?limit=100"));
    const ids = all.data.map((b: { id: string }) => b.id);
    expect(ids).toEqual(expect.arrayContaining([more.id, first.batch.id, second.batch.id]));
    expect((await json(await call(`/v1/batches?after=${second.batch.id}`, { token: first.key }))).error.field).toBe("after");
  });

  it("a deleted file is gone for its owner too: not listed, and a 404", async () => {
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const file = await upload(client, jsonl([chatLine("a", "hi")]));
    expect(openaiSchemaErrors("OpenAIFile", await client.files.retrieve(file.id))).toEqual([]);
    const deleted = await client.files.delete(file.id);
    expect(deleted).toEqual({ id: file.id, object: "file", deleted: true });
    expect(openaiSchemaErrors("DeleteFileResponse", deleted)).toEqual([]);
    expect((await call(`/v1/files/${file.id}`, { token: key })).status).toBe(404);
    expect((await json(await call("/v1/files", { token: key }))).data).toEqual([]);
  });
});
