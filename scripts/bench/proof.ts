/**
 * Issue 9's figures: the caller's p50 on /v1/intent with shadowing off and on (the shadow call to
 * mini runs in ctx.waitUntil, so it should cost the caller nothing), and the prompt-cache hit
 * ratio of a repeated intent workload whose fixed prefix (the label list) is over 1024 tokens.
 */
import { randomBytes } from "node:crypto";
import { runLoad } from "./load";
import { startWorker, type Service } from "./services";

/** 60 labels with descriptions: a fixed prefix long enough (> 1024 tokens) for the prompt cache. */
const MANY_LABELS = Array.from({ length: 60 }, (_, i) => ({
  name: `topic_${String(i).padStart(2, "0")}`,
  description: `messages about product area ${i}: questions, requests, complaints and feedback that concern it`,
}));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function gateway(name: string, simulator: Service, admin: string, shadowRate: string, inspector: "on" | "off") {
  return startWorker({
    name,
    config: "wrangler.toml",
    readyPath: "/healthz",
    inspector,
    vars: { OPENAI_BASE_URL: simulator.base, OPENAI_API_KEY: "sk-bench", ADMIN_TOKEN: admin, RATE_LIMIT_RPM: "0", SHADOW_RATE: shadowRate },
  });
}

async function newKey(g: Service, admin: string): Promise<string> {
  const res = await fetch(`${g.base}/v1/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench-proof" }),
  });
  return ((await res.json()) as { key: string }).key;
}

export async function proofFigures(simulator: Service, seconds: number, rounds: number, inspector: "on" | "off", log: (s: string) => void) {
  const admin = `admin_${randomBytes(16).toString("hex")}`;
  const [off, on] = await Promise.all([gateway("gateway-shadow-off", simulator, admin, "0", inspector), gateway("gateway-shadow-on", simulator, admin, "1", inspector)]);
  const keys = { off: await newKey(off, admin), on: await newKey(on, admin) };
  const p50: Record<"off" | "on", number[]> = { off: [], on: [] };
  for (let round = 1; round <= rounds; round++) {
    for (const [mode, g] of [["off", off], ["on", on]] as const) {
      const r = await runLoad({
        url: `${g.base}/v1/intent`,
        method: "POST",
        headers: { authorization: `Bearer ${keys[mode]}`, "content-type": "application/json" },
        body: JSON.stringify({ text: "I was charged twice this month" }),
        connections: 1,
        seconds,
      });
      p50[mode].push(r.p50_ms);
      log(`  shadow ${mode}, round ${round}: p50 ${r.p50_ms.toFixed(2)} ms (${r.failures} failed)`);
    }
  }

  const cacheKey = await newKey(off, admin);
  const load = await runLoad({
    url: `${off.base}/v1/intent`,
    method: "POST",
    headers: { authorization: `Bearer ${cacheKey}`, "content-type": "application/json" },
    body: JSON.stringify({ text: "Where is the invoice for my last order?", labels: MANY_LABELS }),
    connections: 1,
    seconds,
  });
  const cache = (await (await fetch(`${off.base}/v1/spend/cache`, { headers: { authorization: `Bearer ${cacheKey}` } })).json()) as {
    totals: { input_tokens: number; cached_tokens: number; cache_hit_ratio: number; prefix_saving_usd: number };
  };
  return {
    intent_p50_ms: { shadow_off: median(p50.off), shadow_on: median(p50.on), rounds },
    repeated_intent_cache: { requests: load.requests + load.warmupRequests, failures: load.failures, ...cache.totals },
  };
}
