import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import OpenAI from "openai";
import worker from "../../workers/index";

/**
 * The official openai SDK as a caller, with nanometer as its base URL. Its transport is the
 * Worker's own fetch handler; `settled()` waits for the Worker's background work (the ledger).
 */
export function openaiClient(key: string) {
  const pending: Promise<void>[] = [];
  const client = new OpenAI({
    apiKey: key,
    baseURL: "http://nanometer.test/v1",
    maxRetries: 0,
    fetch: async (url, init) => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request(url, init), env, ctx);
      pending.push(waitOnExecutionContext(ctx));
      return response;
    },
  });
  return { client, settled: () => Promise.all(pending.splice(0)) };
}

/** The upstream's own answer to a request, asked of the simulator directly. */
export async function upstreamAnswer(body: Record<string, unknown>) {
  const direct = new OpenAI({ apiKey: "sk-direct", baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });
  return direct.chat.completions.create({ model: "gpt-5.4-nano", ...body } as never) as unknown as Promise<OpenAI.ChatCompletion>;
}
