/**
 * The platform's floor (`npm run bench`): the least a metering gateway on Workers can do. It
 * forwards the POST body as-is to the upstream's /chat/completions, reads the answer to find its
 * usage, answers the upstream's bytes unchanged, and writes one ledger row in ctx.waitUntil with
 * one prepared statement (no Drizzle, no auth, no validation).
 *
 * `?mode=` turns one piece on or off, so the bench can price it on its own:
 *   (none)   fetch + one D1 row            the floor itself
 *   nowrite  fetch only                    what the D1 row costs, by difference
 *   sdk      the openai SDK instead of fetch, called as the gateway calls it + one D1 row
 */
import OpenAI from "openai";

interface Env {
  DB: D1Database;
  OPENAI_BASE_URL: string;
  OPENAI_API_KEY?: string;
}

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

const INSERT = `INSERT INTO ledger (request_id, attempt, time, key_id, endpoint, model, upstream, status, error,
  input_tokens, cached_tokens, output_tokens, reasoning_tokens, cost_nano, mini_cost_nano, latency_ms)
  VALUES (?, 1, ?, 'floor', 'chat.completions', ?, 'simulator', ?, NULL, ?, ?, ?, ?, ?, ?, ?)`;

let client: OpenAI | undefined;

function row(env: Env, started: number, model: string, status: number, usage: Usage | undefined) {
  const input = usage?.prompt_tokens ?? 0;
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens ?? 0;
  const cost = (input - cached) * 200 + cached * 20 + output * 1250;
  const mini = (input - cached) * 750 + cached * 75 + output * 4500;
  const id = `req_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
  return env.DB.prepare(INSERT).bind(id, started, model, status, input, cached, output, reasoning, cost, mini, Date.now() - started);
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "POST") return new Response("ok");
    const started = Date.now();
    const mode = url.searchParams.get("mode") ?? "";

    if (mode === "sdk") {
      // As the gateway calls it: the raw answer (asResponse), its bytes handed on unchanged.
      client ??= new OpenAI({ apiKey: env.OPENAI_API_KEY ?? "sk-floor", baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });
      const params = (await request.json()) as OpenAI.ChatCompletionCreateParamsNonStreaming;
      const answer = await client.chat.completions.create(params, { timeout: 30_000 }).asResponse();
      const text = await answer.text();
      const completion = JSON.parse(text) as { usage?: Usage };
      ctx.waitUntil(row(env, started, params.model, answer.status, completion.usage).run());
      return new Response(text, { status: answer.status, headers: { "content-type": "application/json" } });
    }

    const upstream = await fetch(`${env.OPENAI_BASE_URL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${env.OPENAI_API_KEY ?? "sk-floor"}` },
      body: request.body,
    });
    const text = await upstream.text();
    if (mode !== "nowrite") {
      let parsed: { model?: string; usage?: Usage } = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // an unparseable answer is recorded at zero usage
      }
      ctx.waitUntil(row(env, started, parsed.model ?? "unknown", upstream.status, parsed.usage).run());
    }
    return new Response(text, { status: upstream.status, headers: { "content-type": "application/json" } });
  },
} satisfies ExportedHandler<Env>;
