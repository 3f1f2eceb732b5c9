import type { Attribution } from "./attribution/attribution";
import type { ApiKey } from "./db/schema";
import type { Db } from "./db/client";
import type { KeyGate } from "./keys/key-gate";
import type { Cost } from "./metering/cost";
import type { LedgerMessage } from "./metering/ledger";

/** Bindings, vars and secrets of the Worker (wrangler.toml, `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  /** Any OpenAI-compatible Chat Completions API; the simulator in local runs. */
  OPENAI_BASE_URL: string;
  OPENAI_API_KEY?: string;
  ADMIN_TOKEN?: string;
  UPSTREAM_TIMEOUT_MS?: string;
  /** Once an upstream stream has ended, how long the client has to take the rest before it is recorded as gone (default 5000). */
  STREAM_DELIVERY_MS?: string;
  /** Requests per minute for keys without their own `rpm`; 0 turns that default off. */
  RATE_LIMIT_RPM?: string;
  MAX_BODY_BYTES?: string;
  /** POST /v1/files: the largest batch input file passed through to the upstream (default 100 MiB). */
  MAX_UPLOAD_BYTES?: string;
  /** POST /v1/batches/tasks: the largest body, parsed whole (default 32 MiB). */
  MAX_TASK_BATCH_BYTES?: string;
  /** auto: when nano's answer fails its check, ask gpt-5.4-mini once (a request may say otherwise). */
  ESCALATE?: string;
  /** Classifier answers under this confidence escalate (default 0.5). */
  ESCALATE_BELOW?: string;
  /** Share of requests asked again of mini to measure it: "0.05" or "0.05,extract=0.5". */
  SHADOW_RATE?: string;
  /** Days of ledger rows kept once their day is rolled up (default 90). */
  RETENTION_DAYS?: string;
  /** Comma-separated origins allowed by CORS (`*` for any); empty or unset: no CORS headers. */
  CORS_ORIGINS?: string;
  /** Where alert events are POSTed (workers/alerts/); unset: they are recorded and listed, not sent. */
  ALERT_WEBHOOK_URL?: string;
  /** The HMAC-SHA256 key of each event's `x-nanometer-signature` (a secret); nothing is sent without it. */
  ALERT_WEBHOOK_SECRET?: string;
  /** A key's day is an anomaly past this many times its trailing 7-day daily mean (default 3; 0: off). */
  ANOMALY_FACTOR?: string;
  /** ...and only from this much spend in the day, USD (default 1). */
  ANOMALY_MIN_USD?: string;
  /** Output tokens a passthrough call without its own limit reserves against a budget (default 4096). */
  BUDGET_RESERVE_OUTPUT_TOKENS?: string;
  /** The ledger's queue (workers/metering/ledger-queue.ts): online calls' rows reach D1 through it when bound. */
  LEDGER_QUEUE?: Queue<LedgerMessage>;
  /** "direct" writes online calls' rows to D1 from the Worker even when LEDGER_QUEUE is bound. */
  LEDGER_TRANSPORT?: string;
  /** "1": one console line per request, with its cost (http/request-log.ts; `npm start` sets it). */
  REQUEST_LOG?: string;
  /** One KeyGate Durable Object per API key: its rate limit and budgets (workers/keys/key-gate.ts). */
  KEY_GATE: DurableObjectNamespace<KeyGate>;
}

/** Who is calling: the admin token, or one API key (a tenant). */
export type Caller = { kind: "admin" } | { kind: "key"; key: ApiKey };

export interface AppEnv {
  Bindings: Env;
  /** Read with `c.get(name)`: Hono's `c.var` copies every variable into a new object on each read. */
  Variables: {
    requestId: string;
    db: Db;
    caller: Caller;
    /** The call's tags and end user: its headers', then its body's (attribution/attribution.ts). */
    attribution: Attribution;
    /** Told the request's cost when its meter closes (http/meter.ts); set by the request log when it is on. */
    onMeterClosed: ((cost: Cost) => void) | undefined;
  };
}

/** A numeric var from wrangler.toml or `--var`, with its default when unset or not a number. */
export function numberVar(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === "" ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
