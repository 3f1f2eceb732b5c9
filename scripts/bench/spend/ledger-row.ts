/** The bench Workers' ledger rows (spend/worker.ts, queue/worker.ts), made one at a time. */
import type { NewLedgerRow } from "../../../workers/db/schema";

const ENDPOINTS = ["intent", "route", "extract", "tool", "rerank", "summarize", "chat.completions"];

/** Row i as the gateway writes it: 28-character request id, 20-character key id (key i % keys), endpoint i % 7. */
export function ledgerRow(i: number, time: number, keys: number): NewLedgerRow {
  const input = 168 + (i % 200);
  const cached = i % 4 === 0 ? 128 : 0;
  const output = 60 + (i % 150);
  return {
    requestId: `req_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
    attempt: 1,
    time,
    keyId: `key_${(i % keys).toString(16).padStart(16, "0")}`,
    endpoint: ENDPOINTS[i % ENDPOINTS.length]!,
    model: "gpt-5.4-nano",
    upstream: "api.openai.com",
    status: 200,
    error: null,
    inputTokens: input,
    cachedTokens: cached,
    outputTokens: output,
    reasoningTokens: 64,
    costPico: (input - cached) * 200_000 + cached * 20_000 + output * 1_250_000,
    miniCostPico: (input - cached) * 750_000 + cached * 75_000 + output * 4_500_000,
    latencyMs: 300 + (i % 500),
  };
}
