import fc from "fast-check";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { IMAGE_TOKENS, inputTokenBound, MAX_CONTEXT_TOKENS, outputTokenBound, withPulledIn } from "../workers/metering/bounds";
import { promptTokenSequence } from "../workers/simulator/tokens";
import type { ChatRequest } from "../workers/simulator/types";

/** Texts o200k finds hard to predict: emoji (with joiners), CJK, long digit runs, whitespace runs, and mixtures. */
const pieces = fc.constantFrom(
  "👩‍👩‍👧‍👦",
  "🏳️‍🌈",
  "🤷🏽‍♀️",
  "😀",
  "漢字",
  "日本語のテキスト",
  "한국어",
  "ภาษาไทย",
  "Ελληνικά",
  "3141592653589793238462643383279",
  "00000000",
  "1,234,567.891",
  " ",
  "\t",
  "\n",
  "\r\n",
  "   \n\n\t  ",
  "\u00a0",
  "\u200b",
  "a",
  "<|endoftext|>",
  "\\u0000",
  '"',
  "\u0000",
);
const hostileText = fc.array(pieces, { minLength: 1, maxLength: 400 }).map((parts) => parts.join(""));
const anyText = fc.oneof(hostileText, fc.string({ unit: "binary", maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 300 }));

describe("the input bound: never fewer tokens than a request holds, by the real o200k tokenizer", () => {
  it("is at least the o200k count of any text, hostile ones included (every token is at least one byte)", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(inputTokenBound(text)).toBeGreaterThanOrEqual(encode(text, { disallowedSpecial: new Set() }).length);
      }),
      { numRuns: 300 },
    );
  });

  it("is at least the prompt the upstream counts: messages, their framing, tools and schemas", () => {
    const message = fc.record({ role: fc.constantFrom("system", "user", "assistant"), content: anyText });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.boolean(), (messages, withTools) => {
        const request: ChatRequest = {
          model: "gpt-5.4-nano",
          messages,
          ...(withTools && { tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { x: { type: "string", enum: [messages[0]!.content] } } } } }] }),
        };
        expect(inputTokenBound(request)).toBeGreaterThanOrEqual(promptTokenSequence(request).length);
      }),
      { numRuns: 200 },
    );
  });

  it("adds room for each image, and a whole context for what the request's size cannot bound", () => {
    const text = { role: "user", content: "what is in this picture?" };
    const image = { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }, { type: "image_url", image_url: { url: "https://example.com/b.png" } }] };
    expect(inputTokenBound({ messages: [text, image] }) - inputTokenBound({ messages: [text] })).toBeGreaterThan(2 * IMAGE_TOKENS);
    // What stored references pull in is added to the request's own bound, within a context.
    expect(withPulledIn(inputTokenBound({ input: "go on" }), [150_000, 150_000])).toBe(inputTokenBound({ input: "go on" }) + 300_000);
    expect(withPulledIn(inputTokenBound({ input: "go on" }), [MAX_CONTEXT_TOKENS])).toBe(MAX_CONTEXT_TOKENS);
    expect(inputTokenBound({ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] }] })).toBe(MAX_CONTEXT_TOKENS);
  });
});

describe("the output bound", () => {
  it("of a Chat Completions request is its max_completion_tokens or max_tokens (the larger), times its choices, else the fallback", () => {
    expect(outputTokenBound("chat.completions", { max_completion_tokens: 300 }, 4096)).toBe(300);
    expect(outputTokenBound("chat.completions", { max_tokens: 200 }, 4096)).toBe(200);
    expect(outputTokenBound("chat.completions", { max_completion_tokens: 1, max_tokens: 200 }, 4096)).toBe(200);
    expect(outputTokenBound("chat.completions", { max_completion_tokens: 300, n: 3 }, 4096)).toBe(900);
    expect(outputTokenBound("chat.completions", {}, 4096)).toBe(4096);
    expect(outputTokenBound("chat.completions", { max_completion_tokens: -5, n: "x" }, 4096)).toBe(4096);
  });

  it("of a Responses request is its max_output_tokens alone, else the fallback: the other API's limits do not count", () => {
    expect(outputTokenBound("responses", { max_output_tokens: 100 }, 4096)).toBe(100);
    expect(outputTokenBound("responses", { max_completion_tokens: 1, max_tokens: 1 }, 4096)).toBe(4096);
    expect(outputTokenBound("responses", { max_output_tokens: 100, max_completion_tokens: 1, n: 8 }, 4096)).toBe(100);
  });

  it("of a Chat Completions request ignores max_output_tokens, which only Responses honours", () => {
    expect(outputTokenBound("chat.completions", { max_output_tokens: 1 }, 4096)).toBe(4096);
  });
});
