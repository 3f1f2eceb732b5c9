import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import type { Env } from "../../workers/env";
import worker from "../../workers/index";
import { POLL_CRON } from "../../workers/poll";
import { call, json } from "./worker";

/** The shared secret of the test receiver (webhook-receiver.ts), which checks every signature with it. */
export const WEBHOOK_SECRET = inject("webhookSecret");
const receiver = inject("webhookUrl");

export interface Delivery {
  body: string;
  signature: string | null;
  verified: boolean;
  /** When the receiver got it (its own clock, epoch ms). */
  received_at: number;
  answered: number;
}

let boxes = 0;

/** A box of its own on the test receiver: the URL to deliver to, how it answers, what it got. */
export function newBox() {
  const name = `box${++boxes}-${crypto.randomUUID()}`;
  return {
    url: `${receiver}/hooks/${name}`,
    /** The vars that point the alerts at this box, signed with the receiver's secret. */
    vars: { ALERT_WEBHOOK_URL: `${receiver}/hooks/${name}`, ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET } satisfies Partial<Env>,
    async answer(how: { fail?: number; delay_ms?: number }) {
      await fetch(`${receiver}/boxes/${name}`, { method: "PUT", body: JSON.stringify(how) });
    },
    /** Everything it got, or only the events of these keys (a file's tests share its D1, and the cron sends every due event). */
    async deliveries(keyIds?: string[]): Promise<Delivery[]> {
      const { deliveries } = (await (await fetch(`${receiver}/boxes/${name}`)).json()) as { deliveries: Delivery[] };
      return keyIds ? deliveries.filter((d) => keyIds.includes(JSON.parse(d.body).key_id)) : deliveries;
    },
  };
}

/** Runs the poll cron (every poller, alerts among them) as if at `at`, with these vars. */
export async function poll(at: number, vars: Partial<Env> = {}): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: POLL_CRON }), { ...env, ...vars });
}

export interface ListedAlert {
  id: string;
  type: string;
  created: string;
  key_id: string;
  key_name: string;
  period: string;
  threshold?: number;
  spent_usd: number;
  budget_usd?: number;
  delivery: {
    state: string;
    attempts: number;
    delivered_at: string | null;
    next_attempt_at: string | null;
    last_status: number | null;
    last_error: string | null;
    history: { at: string; status: number | null; error: string | null; ms: number }[];
  };
  [field: string]: unknown;
}

/** GET /v1/admin/alerts with this query, as the admin. */
export async function listAlerts(query: Record<string, string>): Promise<{ data: ListedAlert[]; next_cursor: string | null }> {
  const res = await call(`/v1/admin/alerts?${new URLSearchParams(query)}`);
  if (res.status !== 200) throw new Error(`GET /v1/admin/alerts answered ${res.status}: ${await res.text()}`);
  return json(res);
}

/** A listed event without its delivery state: what the webhook body says. */
export const eventOf = ({ delivery: _, ...event }: ListedAlert) => event;
