import type { MiddlewareHandler } from "hono";
import type { ApiKey } from "../db/schema";
import { type Env, type AppEnv, numberVar } from "../env";
import { ApiError } from "../errors";
import { gateOf } from "./budget";
import type { Verdict } from "./gcra";

export const DEFAULT_RATE_LIMIT_RPM = 1000;

/**
 * The requests-per-minute limit that applies to a key: its own `rpm` if it has one, else the
 * deployment's RATE_LIMIT_RPM (default 1000). 0 means none: RATE_LIMIT_RPM=0 turns the default
 * off, while a key created with its own `rpm` keeps it (an explicit limit is never dropped).
 */
export function rpmFor(key: ApiKey, env: Pick<Env, "RATE_LIMIT_RPM">): number {
  return key.rpm ?? numberVar(env.RATE_LIMIT_RPM, DEFAULT_RATE_LIMIT_RPM);
}

/**
 * Counts every /v1 request made with an API key (the admin token is not limited) against the
 * key's KeyGate Durable Object, and answers 429 `rate_limited` with `retry-after` past it.
 * Runs after authentication, so a bad key never reaches a limiter. If the limiter itself cannot
 * be reached the call goes through: the gateway must not fail a user's call over its own
 * bookkeeping, and budgets still bound the spend.
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const caller = c.get("caller");
  if (caller.kind !== "key") return next();
  const rpm = rpmFor(caller.key, c.env);
  if (rpm > 0) {
    const verdict = await take(c.env, caller.key.id, rpm);
    if (!verdict.ok) {
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      throw new ApiError(429, "rate_limited", `this key is limited to ${rpm} requests per minute; retry in ${seconds} s`, {
        headers: { "retry-after": String(seconds) },
      });
    }
  }
  await next();
};

async function take(env: Env, keyId: string, rpm: number): Promise<Verdict> {
  try {
    return await gateOf(env, keyId).take(rpm);
  } catch (err) {
    console.error("rate limiter unavailable, call admitted", err instanceof Error ? err.message : typeof err);
    return { ok: true };
  }
}
