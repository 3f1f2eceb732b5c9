import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../workers/index";
import { createKey } from "./support/worker";

const UPLOAD = 'multipart/form-data; boundary=b';
const UPLOAD_START = '--b\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nbatch\r\n--b\r\ncontent-disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n';

/**
 * A body that stops before the bytes its content-length promises: it ends there, or its
 * connection is lost (what workerd's body stream does when the client goes quiet and closes).
 */
function cutShort(text: string, how: "ends" | "is lost") {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      if (how === "ends") controller.close();
      else controller.error(new Error("Network connection lost."));
    },
  });
}

async function send(key: string, path: string, contentType: string, text: string, how: "ends" | "is lost") {
  const headers = { authorization: `Bearer ${key}`, "content-type": contentType, "content-length": String(text.length + 1000) };
  const request = new Request(`http://nanometer.test${path}`, { method: "POST", headers, body: cutShort(text, how), duplex: "half" } as RequestInit);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return { status: response.status, body: await response.json<{ error: { type: string; message: string } }>() };
}

describe("a request body shorter than its content-length", () => {
  it("is a 400 in the error shape, for a JSON call and for an upload", async () => {
    const { key } = await createKey();
    const cases: [string, string, string, "ends" | "is lost"][] = [
      ["/v1/summarize", "application/json", '{"text": "a rep', "is lost"],
      ["/v1/files", UPLOAD, UPLOAD_START, "is lost"],
      ["/v1/files", UPLOAD, UPLOAD_START, "ends"],
    ];
    for (const [path, contentType, text, how] of cases) {
      const answer = await send(key, path, contentType, text, how);
      expect(answer, `${path}, the body ${how}`).toEqual({
        status: 400,
        body: { error: { type: "invalid_request", message: "the request body broke off before the length its content-length gives" } },
      });
    }
  });
});
