import { DurableObject } from "cloudflare:workers";

const MINUTE_US = 60_000_000;

export type Verdict = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * The request-per-minute limit of one API key (one instance per key, `idFromName(key.id)`).
 *
 * Why a Durable Object: it is the one place where every call of a key meets, whichever isolate
 * or colo serves it, and it runs one call at a time, so the count is exact with no lock and no
 * D1 write per call. Cloudflare's rate limiting binding cannot carry a per-key rpm (its limit is
 * fixed per binding, with 10 s or 60 s periods only); D1 counters would add a write to the
 * primary on every call and contend on hot keys; an isolate-local counter is only per isolate.
 * The cost is one DO round trip per call by a key, skipped entirely when no limit applies.
 *
 * The algorithm is GCRA (a token bucket in one number): a full bucket holds `rpm` calls and
 * refills at rpm per minute, so a burst of `rpm` calls passes, then one every 60/rpm seconds;
 * `retry-after` is exactly when the next call would pass. Refused calls consume nothing.
 *
 * State is in memory only, on purpose: after 60 s of quiet the bucket is full whatever was
 * stored, and an instance is only evicted after being idle, so storage would buy nothing but a
 * durable write per call. A restart (a deploy) gives each key at most one fresh burst.
 */
export class RateLimiter extends DurableObject {
  /** The theoretical arrival time: when the bucket would next be full, epoch microseconds. */
  private readonly state = { tat: 0 };

  /** Admits one call under `rpm` or says how long until one would be admitted. Synchronous, so atomic. */
  take(rpm: number): Verdict {
    return gcra(this.state, rpm, Date.now());
  }
}

/**
 * The GCRA step on `state.tat`, exported to test its arithmetic without a clock. Integer
 * microseconds (exact below 2^53 for epoch times), so exactly `rpm` calls fit in a full bucket.
 */
export function gcra(state: { tat: number }, rpm: number, nowMs: number): Verdict {
  const now = Math.round(nowMs * 1000);
  const interval = Math.ceil(MINUTE_US / rpm);
  const tolerance = interval * (Math.ceil(rpm) - 1);
  const tat = Math.max(state.tat, now);
  if (tat - now > tolerance) return { ok: false, retryAfterMs: (tat - tolerance - now) / 1000 };
  state.tat = tat + interval;
  return { ok: true };
}
