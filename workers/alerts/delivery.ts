import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { alerts } from "../db/schema";
import type { Env } from "../env";
import { signer } from "./signature";

/** Events claimed per round, rounds per poll, and sends in flight at once. */
const CLAIM = 50;
const ROUNDS = 4;
const IN_FLIGHT = 6;
/** One attempt's deadline. */
export const TIMEOUT_MS = 10_000;
/** How long a claim holds an event: past it (the poller died mid-send), the next poll tries again. */
const LEASE_MS = 10 * 60_000;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_CAP_MS = 60 * 60_000;

/** The wait after a failed attempt n (1, 2, ...): 1 min, 2, 4, ... up to an hour. */
export const backoffMs = (attempts: number): number => Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));

interface Outcome {
  status: number | null;
  /** Null exactly when the receiver answered 2xx. */
  error: string | null;
  ms: number;
}

/**
 * Claims due events in one statement, so two pollers never hold the same one: each claimed event
 * has its attempt counted and is pushed a lease ahead before anything is sent.
 */
function claimDue(db: Db, now: number) {
  const due = db.select({ id: alerts.id }).from(alerts).where(lte(alerts.nextAttemptAt, now)).orderBy(asc(alerts.nextAttemptAt)).limit(CLAIM);
  return db
    .update(alerts)
    .set({ attempts: sql`${alerts.attempts} + 1`, nextAttemptAt: now + LEASE_MS })
    .where(inArray(alerts.id, due))
    .returning({ id: alerts.id, body: alerts.body, attempts: alerts.attempts });
}

async function send(url: string, signature: string, body: string): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "nanometer-alerts", "x-nanometer-signature": signature },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const answer = (await res.text()).slice(0, 200);
    return { status: res.status, error: res.ok ? null : answer || `HTTP ${res.status}`, ms: Date.now() - started };
  } catch (err) {
    const error = err instanceof Error && err.name === "TimeoutError" ? `no answer in ${TIMEOUT_MS} ms` : err instanceof Error ? err.message : String(err);
    return { status: null, error, ms: Date.now() - started };
  }
}

/** Records an attempt's outcome: delivered on a 2xx, else due again after the backoff. Only the attempt's own claim may. */
function record(db: Db, id: string, attempt: number, outcome: Outcome, now: number) {
  const delivered = outcome.error === null;
  const entry = JSON.stringify({ at: new Date(now).toISOString(), status: outcome.status, error: outcome.error, ms: outcome.ms });
  return db
    .update(alerts)
    .set({
      lastStatus: outcome.status,
      lastError: outcome.error,
      history: sql`json_insert(${alerts.history}, '$[#]', json(${entry}))`,
      ...(delivered ? { deliveredAt: now, nextAttemptAt: null } : { nextAttemptAt: now + backoffMs(attempt) }),
    })
    .where(and(eq(alerts.id, id), eq(alerts.attempts, attempt)));
}

/**
 * Sends every due event to ALERT_WEBHOOK_URL, signed, and records each attempt. An event is due
 * when recorded and after each failed attempt's backoff, until an attempt gets a 2xx; after that
 * it is never sent again. Without a URL (or a secret) nothing is sent: events stay recorded and due.
 */
export async function deliverDue(db: Db, env: Pick<Env, "ALERT_WEBHOOK_URL" | "ALERT_WEBHOOK_SECRET">, now: number) {
  const url = env.ALERT_WEBHOOK_URL;
  if (!url) return { sent: 0, delivered: 0, unsent: "ALERT_WEBHOOK_URL is not set" };
  if (!env.ALERT_WEBHOOK_SECRET) return { sent: 0, delivered: 0, unsent: "ALERT_WEBHOOK_SECRET is not set: events are never sent unsigned" };
  const sign = await signer(env.ALERT_WEBHOOK_SECRET);
  let [sent, delivered] = [0, 0];
  for (let round = 0; round < ROUNDS; round++) {
    const claimed = await claimDue(db, now);
    let next = 0;
    const sender = async () => {
      for (let event = claimed[next++]; event; event = claimed[next++]) {
        const outcome = await send(url, await sign(event.body, Date.now()), event.body);
        await record(db, event.id, event.attempts, outcome, now);
        if (outcome.error === null) delivered++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, claimed.length) }, sender));
    sent += claimed.length;
    if (claimed.length < CLAIM) break;
  }
  return { sent, delivered };
}
