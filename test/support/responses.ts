import { env } from "cloudflare:workers";
import type { ResponseUsage } from "openai/resources/responses/responses";
import { expect } from "vitest";
import { openaiSchemaErrors } from "./openai-schemas";
import { expectedUsd } from "./spec-prices";
import { call, json } from "./worker";

/** Helpers for the tests of /v1/responses. */

export interface LedgerRow {
  request_id: string;
  attempt: number;
  time: string;
  endpoint: string;
  model: string;
  upstream: string;
  service_tier: string;
  status: number;
  error: string | null;
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  latency_ms: number;
}

/** The key's `responses` ledger rows, newest first. */
export async function responsesRows(key: string): Promise<LedgerRow[]> {
  return (await json(await call("/v1/spend/requests?endpoint=responses", { token: key }))).data;
}

/** The one row bills exactly the usage the upstream reported, at the tier it reported. */
export function expectBilled(row: LedgerRow | undefined, usage: ResponseUsage | null | undefined, tier = "default", model = "gpt-5.4-nano") {
  expect(usage).toBeTruthy();
  const tokens = {
    input_tokens: usage!.input_tokens,
    cached_tokens: usage!.input_tokens_details.cached_tokens,
    cache_write_tokens: (usage!.input_tokens_details as { cache_write_tokens?: number }).cache_write_tokens ?? 0,
    output_tokens: usage!.output_tokens,
    reasoning_tokens: usage!.output_tokens_details.reasoning_tokens,
  };
  expect(row).toMatchObject({ endpoint: "responses", model, upstream: "simulator", service_tier: tier, ...tokens });
  expect(row!.cost_usd).toBe(expectedUsd(tokens, model, tier));
  expect(row!.cost_usd).toBeGreaterThan(0);
}

/** What the upstream itself holds for a response id: the simulator asked directly, not through nanometer. */
export async function upstreamStored(id: string): Promise<any> {
  return (await fetch(`${env.OPENAI_BASE_URL}/responses/${id}`)).json();
}

export type StreamEvent = { type: string; sequence_number: number; response?: any; [field: string]: unknown };

/** A Responses SSE body's events; each frame's `event:` line must name its data's type. */
export function sseEvents(text: string): StreamEvent[] {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      const event = JSON.parse((dataLine ?? "").replace(/^data: /, "")) as StreamEvent;
      expect(eventLine).toBe(`event: ${event.type}`);
      return event;
    });
}

/** Every event fits OpenAI's published `ResponseStreamEvent` (the union of each event's own schema). */
export function expectPublishedEvents(events: readonly StreamEvent[]) {
  expect(events.length).toBeGreaterThan(3);
  for (const event of events) expect(openaiSchemaErrors("ResponseStreamEvent", event), event.type).toEqual([]);
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
}

export const nonce = () => crypto.randomUUID();
/** A prompt over 1024 tokens (cacheable), unique to one test. */
export const longPrompt = (id: string) => `${id} ${"The quick brown fox jumps over the lazy dog. ".repeat(150)}`;
