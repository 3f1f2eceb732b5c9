import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { Stream } from "openai/core/streaming";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "openai/resources/chat/completions";
import { type Env, numberVar } from "../env";
import { ApiError } from "../errors";

const MAX_RETRIES = 3;
const BASE_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

export interface UpstreamResult {
  completion: ChatCompletion;
  /** The upstream's answer exactly as it came, for the passthrough to hand on unchanged. */
  body: string;
  /** Which upstream served the call, for the ledger: "simulator" or the API's host. */
  upstream: string;
}

const clients = new Map<string, OpenAI>();

/** OpenAI itself needs a key; a local or self-hosted compatible server (the simulator, vLLM...) may not. */
const needsKey = (baseURL: string) => /^https:\/\/api\.openai\.com(\/|$)/.test(baseURL);

/** The openai SDK's client for the upstream (cached per base URL and key); 503 when OpenAI's key is missing. */
export function upstreamClient(env: Env): OpenAI {
  if (!env.OPENAI_API_KEY && needsKey(env.OPENAI_BASE_URL)) {
    throw new ApiError(503, "not_configured", "no upstream API key is set: `wrangler secret put OPENAI_API_KEY`");
  }
  const apiKey = env.OPENAI_API_KEY || "none";
  const cacheKey = `${env.OPENAI_BASE_URL}\n${apiKey}`;
  let c = clients.get(cacheKey);
  if (!c) {
    // Retries are ours (below), so that they honour retry-after inside one deadline.
    c = new OpenAI({ apiKey, baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });
    clients.set(cacheKey, c);
  }
  return c;
}

export function upstreamName(env: Env, headers: Headers): string {
  if (headers.get("x-nanometer-simulator")) return "simulator";
  try {
    return new URL(env.OPENAI_BASE_URL).host;
  } catch {
    return "unknown";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isRetryable(err: unknown): boolean {
  if (err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) return false;
  if (err instanceof APIError) return err.status === undefined || err.status === 429 || err.status >= 500;
  return false;
}

/** The wait before retry `n` (0-based): the upstream's retry-after when it gives one, else exponential. */
function retryDelayMs(err: unknown, n: number): number {
  const headers = err instanceof APIError ? err.headers : undefined;
  const ms = Number(headers?.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && headers?.get("retry-after-ms")) return ms;
  const s = Number(headers?.get("retry-after"));
  if (Number.isFinite(s) && s >= 0 && headers?.get("retry-after")) return s * 1000;
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** n);
}

/** An upstream failure as the caller sees it: 504 for the deadline, 400 for the upstream's own 4xx, else 502. */
export function upstreamFailure(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) {
    return new ApiError(504, "upstream_timeout", "the upstream did not answer before the deadline");
  }
  if (err instanceof APIError && err.status !== undefined) {
    if (err.status >= 400 && err.status < 500 && ![401, 403, 408, 429].includes(err.status)) {
      return new ApiError(400, "upstream_rejected", `the upstream rejected the request: ${err.message}`);
    }
    return new ApiError(502, "upstream_error", `the upstream failed with status ${err.status}`);
  }
  if (err instanceof APIError) return new ApiError(502, "upstream_error", "could not reach the upstream");
  return new ApiError(502, "upstream_error", "the upstream sent a malformed answer");
}

/** Runs `call` with retries of 429/5xx (backoff honouring retry-after), all within UPSTREAM_TIMEOUT_MS. */
export async function withRetries<T>(env: Env, call: (openai: OpenAI, timeoutMs: number) => Promise<T>): Promise<T> {
  const openai = upstreamClient(env);
  const deadline = Date.now() + numberVar(env.UPSTREAM_TIMEOUT_MS, 30_000);
  for (let retry = 0; ; retry++) {
    try {
      return await call(openai, Math.max(1, deadline - Date.now()));
    } catch (err) {
      const wait = retryDelayMs(err, retry);
      if (!isRetryable(err) || retry >= MAX_RETRIES || Date.now() + wait >= deadline) throw upstreamFailure(err);
      await sleep(wait);
    }
  }
}

/** One Chat Completions call, answered whole. */
export function createCompletion(env: Env, params: ChatCompletionCreateParamsNonStreaming): Promise<UpstreamResult> {
  return withRetries(env, async (openai, timeout) => {
    const response = await openai.chat.completions.create(params, { timeout }).asResponse();
    const { data, body, upstream } = await readAnswer(env, response, (value) => Array.isArray((value as ChatCompletion).choices));
    return { completion: data as ChatCompletion, body, upstream };
  });
}

/**
 * A JSON answer read whole: the body exactly as it came, to hand on unchanged, and parsed. A body
 * that is not JSON, or not an object that passes `fits`, is a malformed answer (502).
 */
export async function readAnswer(env: Env, response: Response, fits: (value: object) => boolean) {
  const body = await response.text();
  const data: unknown = JSON.parse(body); // a SyntaxError is a malformed answer: upstreamFailure makes it a 502
  if (!data || typeof data !== "object" || !fits(data)) throw new SyntaxError("malformed answer");
  return { data, body, upstream: upstreamName(env, response.headers) };
}

/** One streamed Chat Completions call; the deadline covers the wait for the stream to start. */
export function createCompletionStream(
  env: Env,
  params: ChatCompletionCreateParamsStreaming,
): Promise<{ stream: Stream<ChatCompletionChunk>; upstream: string }> {
  return withRetries(env, async (openai, timeout) => {
    const { data, response } = await openai.chat.completions.create(params, { timeout }).withResponse();
    return { stream: data, upstream: upstreamName(env, response.headers) };
  });
}
