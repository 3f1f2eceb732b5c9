/** Real calls to the running gateway (dev-gateway.ts), made before a test looks at their spend. */
import { inject } from "vitest";

export const base = inject("gatewayUrl");
export const adminToken = inject("gatewayAdminToken");

export interface SpendMetrics {
  requests: number;
  errors: number;
  cost_usd: number;
  mini_cost_usd: number;
  saved_usd: number;
  cache_hit_ratio: number;
  shadow_requests: number;
  shadow_cost_usd: number;
  agreement: number | null;
  agreement_low: number | null;
  agreement_high: number | null;
  mini_cost_usd_measured: number | null;
  mini_cost_usd_measured_low: number | null;
  mini_cost_usd_measured_high: number | null;
}
export type SpendRow = SpendMetrics & Partial<Record<"day" | "endpoint" | "model" | "service_tier", string>>;
export interface Spend {
  from: string;
  to: string;
  rows: SpendRow[];
  totals: SpendMetrics;
  projection: { monthly_usd: number; monthly_mini_usd: number };
}

export async function gateway(path: string, token: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${base}${path}`, { method: body === undefined ? "GET" : "POST", headers, body: JSON.stringify(body) });
}

export async function spend(token: string, query: Record<string, string>): Promise<Spend> {
  const res = await gateway(`/v1/spend?${new URLSearchParams(query)}`, token);
  if (!res.ok) throw new Error(`GET /v1/spend answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Spend;
}

/** Over 1024 tokens of fixed system prompt, so a repeated chat call reads it from the prompt cache. */
const LONG_SYSTEM = `You answer questions about parcels. ${"Keep every answer short, polite and exact. ".repeat(150)}`;

/**
 * A new key, then its calls: intent ×3 (each shadowed by mini: SHADOW_RATE in dev-gateway.ts),
 * chat ×2 sharing a cached prefix, one of them at the flex tier, and one chat the upstream
 * refuses (an error row). Waits until the ledger, written after each answer, has all of them and
 * every shadow call.
 */
export async function keyWithCalls(name: string): Promise<{ key: string; requests: number }> {
  const created = await gateway("/v1/admin/keys", adminToken, { name });
  if (created.status !== 201) throw new Error(`creating a key answered ${created.status}`);
  const { key } = (await created.json()) as { key: string };

  const texts = ["I was charged twice this month", "where is my parcel?", "cancel my subscription"];
  const chat = (content: string) => ({ model: "gpt-5.4-nano", messages: [{ role: "system", content: LONG_SYSTEM }, { role: "user", content }] });
  const calls: [string, unknown, number][] = [
    ...texts.map((text): [string, unknown, number] => ["/v1/intent", { text, labels: ["billing", "shipping", "other"] }, 200]),
    ["/v1/chat/completions", chat("Where is parcel 42?"), 200],
    ["/v1/chat/completions", { ...chat("Where is parcel 43?"), service_tier: "flex" }, 200],
    ["/v1/chat/completions", chat("[[sim:fault=400]]"), 400],
  ];
  for (const [path, body, status] of calls) {
    const res = await gateway(path, key, body);
    if (res.status !== status) throw new Error(`POST ${path} answered ${res.status}, not ${status}: ${await res.text()}`);
  }

  const deadline = Date.now() + 20_000;
  const recorded = ({ totals }: Spend) => totals.requests >= calls.length && totals.shadow_requests >= texts.length;
  while (!recorded(await spend(key, {}))) {
    if (Date.now() > deadline) throw new Error("the ledger did not record every call in time");
    await new Promise((r) => setTimeout(r, 200));
  }
  return { key, requests: calls.length };
}
