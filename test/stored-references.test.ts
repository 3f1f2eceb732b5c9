import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { jsonl, upload } from "./support/batches";
import { keyWithSecret, messageOf, MODEL as model, notFound, outcome } from "./support/references";
import { nonce, responsesRows } from "./support/responses";
import { openaiClient } from "./support/sdk";
import { call, createKey, json } from "./support/worker";

describe("a stored id in a request is the caller's own, or a 404", () => {
  it("another key's items, previous responses, conversations and files are a 404 online, and nothing goes upstream", async () => {
    const b = await keyWithSecret();
    const bFile = await upload(b.client, jsonl([{ hello: "b" }]));
    const { key } = await createKey();
    const { client } = openaiClient(key);
    const outputItem = messageOf(b.response);
    const attempts = [
      [() => client.responses.create({ model, input: [{ type: "item_reference", id: outputItem!.id! }] }), notFound("item", outputItem!.id!, "input.0.id")],
      [() => client.responses.create({ model, input: [{ role: "user", content: "go on" }, { id: b.inputItemId }] }), notFound("item", b.inputItemId, "input.1.id")],
      [() => client.responses.create({ model, input: "go on", previous_response_id: b.response.id }), notFound("response", b.response.id, "previous_response_id")],
      [() => client.responses.create({ model, input: "go on", conversation: "conv_made_elsewhere" }), notFound("conversation", "conv_made_elsewhere", "conversation")],
      [() => client.responses.create({ model, input: [{ type: "item_reference", id: "msg_made_elsewhere" }] }), notFound("item", "msg_made_elsewhere", "input.0.id")],
      [
        () => client.responses.create({ model, input: [{ role: "user", content: [{ type: "input_file", file_id: bFile.id }] }] }),
        notFound("file", bFile.id, "input.0.content.0.file_id"),
      ],
    ] as const;
    for (const [request, expected] of attempts) {
      const seen = await outcome(request());
      expect(seen).toEqual(expected);
      expect(JSON.stringify(seen)).not.toContain(b.secret);
    }
    const chat = await call("/v1/chat/completions", {
      token: key,
      body: { model, messages: [{ role: "user", content: [{ type: "file", file: { file_id: bFile.id } }] }] },
    });
    expect({ status: chat.status, error: (await json(chat)).error }).toMatchObject(notFound("file", bFile.id, "messages.0.content.0.file.file_id"));
    const tool = await call("/v1/tool", {
      token: key,
      body: { messages: [{ role: "user", content: [{ type: "file", file: { file_id: bFile.id } }] }], tools: [{ type: "function", function: { name: "noop" } }] },
    });
    expect({ status: tool.status, error: (await json(tool)).error }).toMatchObject(notFound("file", bFile.id, "messages.0.content.0.file.file_id"));
    // Refused before anything was asked of the upstream: no row, no cost.
    expect((await json(await call("/v1/spend/requests", { token: key }))).data).toEqual([]);
  });

  it("the key's own items (output items as created, input items once listed) and previous responses are used as before", async () => {
    const own = await keyWithSecret();
    const references = [messageOf(own.response)!.id!, own.inputItemId];
    for (const id of references) {
      const answer = await own.client.responses.create({ model, input: [{ type: "item_reference", id }] });
      expect(answer.status).toBe("completed");
    }
    const next = await own.client.responses.create({ model, input: "and then?", previous_response_id: own.response.id });
    expect(next.status).toBe("completed");
    // A streamed response's output items are the key's once the stream has ended.
    const stream = await own.client.responses.create({ model, input: `stream ${nonce()}`, stream: true });
    let streamed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === "response.completed") streamed = event.response;
    const byStreamed = await own.client.responses.create({ model, input: [{ type: "item_reference", id: messageOf(streamed!)!.id }] });
    expect(byStreamed.status).toBe("completed");
    await own.settled();
    expect(await responsesRows(own.key)).toHaveLength(6);
  });
});
