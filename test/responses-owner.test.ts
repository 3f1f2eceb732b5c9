import { describe, expect, it } from "vitest";
import { openaiSchemaErrors } from "./support/openai-schemas";
import { nonce, responsesRows, upstreamStored } from "./support/responses";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

const NOT_FOUND = { error: { type: "not_found", message: expect.stringContaining("no response with id") } };

describe("stored responses belong to the key that created them", () => {
  it("another key gets 404 on every route and as previous_response_id, and nothing is forwarded for it", async () => {
    const owner = await createKey();
    const other = await createKey();
    // Still queued for a minute, so a forwarded cancel or delete would show upstream.
    const created = await json(await call("/v1/responses", { token: owner.key, body: { input: `[[sim:background_ms=60000]] ${nonce()}`, background: true } }));
    const path = `/v1/responses/${created.id}`;
    const attempts = [
      call(path, { token: other.key }),
      call(`${path}/input_items`, { token: other.key }),
      call(`${path}/cancel`, { token: other.key, method: "POST" }),
      call(path, { token: other.key, method: "DELETE" }),
      call("/v1/responses", { token: other.key, body: { input: "go on", previous_response_id: created.id } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(await json(res)).toMatchObject(NOT_FOUND);
    }
    // The same answer as for an id that exists nowhere: a key learns nothing of another's responses.
    expect(await json(await call("/v1/responses/resp_nowhere", { token: other.key }))).toMatchObject(NOT_FOUND);
    expect(await responsesRows(other.key)).toHaveLength(0);
    expect(await upstreamStored(created.id)).toMatchObject({ id: created.id, status: "queued" });
    const own = await call(path, { token: owner.key });
    expect(own.status).toBe(200);
    expect((await json(own)).status).toBe("queued");
    await call(`${path}/cancel`, { token: owner.key, method: "POST" });
  });

  it("the owner retrieves, lists input items and deletes with the openai SDK, the upstream's answers unchanged", async () => {
    const { key } = await createKey();
    const { client, settled } = openaiClient(key);
    const created = await client.responses.create({ model: "gpt-5.4-nano", input: [{ role: "user", content: `Remember ${nonce()}` }] });

    const raw = await client.responses.retrieve(created.id).asResponse();
    const retrieved = await raw.json();
    expect(openaiSchemaErrors("Response", retrieved)).toEqual([]);
    expect(retrieved).toEqual(await upstreamStored(created.id));
    expect((await client.responses.retrieve(created.id)).output_text).toBe(created.output_text);

    const items = await client.responses.inputItems.list(created.id).asResponse();
    const list = (await items.json()) as { data: { type: string }[] };
    expect(openaiSchemaErrors("ResponseItemList", list)).toEqual([]);
    expect(list.data.map((item) => item.type)).toEqual(["message"]);

    const deleted = await json(await call(`/v1/responses/${created.id}`, { token: key, method: "DELETE" }));
    expect(deleted).toEqual({ id: created.id, object: "response", deleted: true });
    expect(await upstreamStored(created.id)).toHaveProperty("error");
    // Gone upstream: the owner gets nanometer's 404, and the create is still its only row.
    expect(await json(await call(`/v1/responses/${created.id}`, { token: key }))).toMatchObject(NOT_FOUND);
    await settled();
    expect(await responsesRows(key)).toHaveLength(1);
  });

  it("records no owner for `store: false` (the upstream keeps nothing), and refuses to resume a stream", async () => {
    const { key } = await createKey();
    const unstored = await json(await call("/v1/responses", { token: key, body: { input: `once ${nonce()}`, store: false } }));
    expect((await call(`/v1/responses/${unstored.id}`, { token: key })).status).toBe(404);
    const stored = await json(await call("/v1/responses", { token: key, body: { input: `twice ${nonce()}` } }));
    const resume = await call(`/v1/responses/${stored.id}?stream=true`, { token: key });
    expect(resume.status).toBe(400);
    expect((await json(resume)).error.field).toBe("stream");
  });

  it("a streamed response is owned from its first event: the owner reads it, another key cannot", async () => {
    const { key } = await createKey();
    const other = await createKey();
    const { client, settled } = openaiClient(key);
    const stream = await client.responses.create({ model: "gpt-5.4-nano", input: `Stream ${nonce()}`, stream: true });
    let id = "";
    for await (const event of stream) {
      if (event.type !== "response.created") continue;
      id = event.response.id;
      // The owner can read it while the stream is still going.
      expect((await call(`/v1/responses/${id}`, { token: key })).status).toBe(200);
    }
    await settled();
    expect((await call(`/v1/responses/${id}`, { token: other.key })).status).toBe(404);
    expect((await json(await call(`/v1/responses/${id}`, { token: key }))).status).toBe("completed");
  });
});
