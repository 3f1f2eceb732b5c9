import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import worker from "../../workers/index";
import { expectDocumented } from "./documented";

/**
 * A `fetch` whose transport is the Worker's own fetch handler, for clients that take one (the
 * openai SDK, the AI SDK, LangChain); `settled()` waits for the Worker's background work (the ledger).
 * Answers of nanometer's own endpoints are checked against /openapi.json (support/documented.ts).
 */
export function workerFetch() {
  const pending: Promise<void>[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const ctx = createExecutionContext();
    const request = new Request(input, init);
    const response = await worker.fetch(request, env, ctx);
    pending.push(waitOnExecutionContext(ctx));
    await expectDocumented(request, response);
    return response;
  };
  return { fetch, settled: () => Promise.all(pending.splice(0)) };
}

/** The official openai SDK as a caller, with nanometer as its base URL. */
export function openaiClient(key: string) {
  const { fetch, settled } = workerFetch();
  const client = new OpenAI({ apiKey: key, baseURL: "http://nanometer.test/v1", maxRetries: 0, fetch });
  return { client, settled };
}

/** The simulator, asked directly (not through nanometer). */
export const simulatorClient = () => new OpenAI({ apiKey: "sk-direct", baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });

/** The upstream's own answer to a request, asked of the simulator directly. */
export async function upstreamAnswer(body: Record<string, unknown>) {
  return simulatorClient().chat.completions.create({ model: "gpt-5.4-nano", ...body } as never) as unknown as Promise<OpenAI.ChatCompletion>;
}
