import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../workers/index";
import type { Env } from "../../workers/env";
import { expectDocumented } from "./documented";

export const ADMIN_TOKEN = "test-admin-token";

export interface CallOptions {
  method?: string;
  /** A value to send as JSON, or a raw string sent as is. */
  body?: unknown;
  token?: string | null;
  headers?: Record<string, string>;
  /** Vars to override for this call, e.g. UPSTREAM_TIMEOUT_MS. */
  env?: Partial<Env>;
}

/** Calls the Worker's own fetch handler and waits for its background work (the ledger write). */
export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const { response, settled } = await dispatch(path, options);
  await settled();
  return response;
}

/**
 * Calls the Worker's fetch handler; `settled()` waits for its background work. Every answer is
 * checked against /openapi.json first (support/documented.ts), so the whole suite checks shapes.
 */
export async function dispatch(path: string, options: CallOptions = {}): Promise<{ response: Response; settled: () => Promise<void> }> {
  const headers = new Headers(options.headers);
  if (options.token !== null) headers.set("authorization", `Bearer ${options.token ?? ADMIN_TOKEN}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const request = new Request(`http://nanometer.test${path}`, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...options.env }, ctx);
  await expectDocumented(request, response);
  return { response, settled: () => waitOnExecutionContext(ctx) };
}

export async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Creates an API key through the admin API. */
export async function createKey(body: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const res = await call("/v1/admin/keys", { body: { name: "test", ...body } });
  if (res.status !== 201) throw new Error(`creating a key answered ${res.status}: ${await res.text()}`);
  return json(res);
}
