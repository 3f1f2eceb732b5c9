const MINUTE_US = 60_000_000;

export type Verdict = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * A requests-per-minute limit by GCRA (a token bucket in one number): a full bucket holds `rpm`
 * calls and refills at rpm per minute, so a burst of `rpm` calls passes, then one every 60/rpm
 * seconds; `retry-after` is exactly when the next call would pass. Refused calls consume nothing.
 * The step on `state.tat` (the theoretical arrival time), pure, to test its arithmetic without a clock. Integer
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
