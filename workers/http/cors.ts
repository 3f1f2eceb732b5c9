import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

/**
 * CORS, off unless configured: CORS_ORIGINS is a comma-separated list of origins
 * (`https://app.example.com,https://admin.example.com`), or `*` for any. Unset or empty, no
 * response carries a CORS header and browsers on other origins cannot read nanometer's answers.
 * Keys travel in `Authorization`, never in cookies, so credentials are not allowed.
 */
export function corsOrigins(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter((o) => o.length > 0);
}

let built: { config: string; handler: MiddlewareHandler } | undefined;

function handlerFor(config: string): MiddlewareHandler | null {
  const origins = corsOrigins(config);
  if (origins.length === 0) return null;
  if (built?.config !== config) {
    const handler = cors({
      origin: origins.includes("*") ? "*" : origins,
      allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["authorization", "content-type"],
      // So a browser app can read the request id and when to retry after a 429 or 402.
      exposeHeaders: ["x-request-id", "retry-after"],
      maxAge: 600,
    });
    built = { config, handler };
  }
  return built.handler;
}

/** Runs before authentication, so preflight requests (which carry no key) are answered. */
export const corsFromEnv: MiddlewareHandler<AppEnv> = async (c, next) => {
  const handler = handlerFor(c.env.CORS_ORIGINS ?? "");
  if (!handler) return next();
  return handler(c, next);
};
