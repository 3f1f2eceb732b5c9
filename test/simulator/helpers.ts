/** Shared helpers for the simulator tests: a real server on a free port and independent counts. */
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI from 'openai';
import { afterAll, beforeAll } from 'vitest';
import { z } from 'zod';
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from '../../workers/simulator/node';

/** Starts a simulator for the current test file; read `.url` inside tests. */
export function useSimulator(options: StartSimulatorOptions = {}): { readonly url: string; client(maxRetries?: number): OpenAI } {
  let simulator: RunningSimulator | undefined;
  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await simulator?.close();
  });
  const url = () => {
    if (!simulator) throw new Error('simulator not started');
    return simulator.url;
  };
  return {
    get url() {
      return url();
    },
    client: (maxRetries = 0) => new OpenAI({ baseURL: url(), apiKey: 'x', maxRetries }),
  };
}

/** o200k tokens of a text, counted here independently of the simulator. */
export function tokens(text: string): number {
  return encode(text).length;
}

/** Prompt tokens by the documented rule: texts + 3 per message + 3, plus serialized extras. */
export function expectedPromptTokens(contents: string[], extras: unknown[] = []): number {
  const messages = contents.reduce((sum, text) => sum + tokens(text) + 3, 3);
  return extras.reduce<number>((sum, extra) => sum + tokens(JSON.stringify(extra)), messages);
}

export function isValidAgainst(schema: object, value: unknown): boolean {
  return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value).success;
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer anything', ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

/** A long deterministic text of distinct words (about 2 tokens per word). */
export function longText(words: number, prefix = 'w'): string {
  return Array.from({ length: words }, (_, i) => `${prefix}${i}`).join(' ');
}
