import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { chatDialect } from "../workers/openai/chat-completions";
import { relayStream, type StreamEnd } from "../workers/openai/sse";
import { simulatorClient } from "./support/sdk";

/** Endings the simulator cannot produce: its own chunks, replayed through the relay with that ending. */
async function simulatorChunks(): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  const messages = [{ role: "user" as const, content: `A long story about ${crypto.randomUUID()} and the sea` }];
  for await (const chunk of await simulatorClient().chat.completions.create({ model: "gpt-5.4-nano", messages, stream: true })) chunks.push(chunk);
  return chunks;
}

async function relay(upstream: ChatCompletionChunk[]): Promise<{ frames: string[]; end: StreamEnd }> {
  let ended!: (end: StreamEnd) => void;
  const done = new Promise<StreamEnd>((resolve) => (ended = resolve));
  const body = relayStream((async function* () {
    yield* upstream;
  })(), chatDialect(false), async (end) => ended(end), () => undefined, 1_000);
  const frames = (await new Response(body).text()).split("\n\n").filter(Boolean);
  return { frames, end: await done };
}

describe("the Chat Completions stream dialect of the one SSE relay", () => {
  it("a stream with its finish chunk ends with [DONE], the call not failed", async () => {
    const chunks = await simulatorChunks();
    const { frames, end } = await relay(chunks);
    expect(frames).toHaveLength(chunks.length + 1);
    expect(frames.at(-1)).toBe("data: [DONE]");
    expect(end.failure).toBeNull();
  });

  it("a stream that ends before any finish_reason ends with an error frame, not [DONE], and marks the call failed", async () => {
    const chunks = await simulatorChunks();
    expect(chunks.length).toBeGreaterThan(3);
    const { frames, end } = await relay(chunks.slice(0, 2));
    expect(frames).toHaveLength(3);
    expect(JSON.parse(frames[2]!.replace(/^data: /, ""))).toEqual({ error: { type: "upstream_error", message: "the upstream's stream ended before its answer did" } });
    expect(end.failure).toEqual({ type: "upstream_error", message: "the upstream's stream ended before its answer did" });
  });
});
