import { describe, expect, it } from "vitest";
import { chatLine, createBatch, upstreamBatchWhen } from "./support/batches";
import { openaiSchemaErrors } from "./support/openai-schemas";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

describe("GET /v1/batches lists the batches as nanometer last saw them", () => {
  it("asks the upstream nothing: a batch shows its last seen status until it is retrieved (or polled)", async () => {
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const batch = await createBatch(client, [chatLine("a", `hello ${crypto.randomUUID()}`)]);
    const done = await upstreamBatchWhen(batch.id, (b) => b.status === "completed");

    const listed = await json(await call("/v1/batches?limit=100", { token: key }));
    expect(openaiSchemaErrors("ListBatchesResponse", listed)).toEqual([]);
    // The upstream has finished it, but the list says what the create answered.
    expect(listed.data).toEqual([batch]);

    const retrieved = await client.batches.retrieve(batch.id);
    expect(retrieved).toMatchObject({ status: "completed", output_file_id: done.output_file_id });
    expect((await json(await call("/v1/batches", { token: key }))).data).toEqual([retrieved]);
  });
});
