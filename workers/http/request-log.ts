import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import type { Cost } from "../metering/cost";
import { usdDecimal } from "../metering/money";

const isStream = (res: Response) => res.headers.get("content-type")?.startsWith("text/event-stream") === true;

/**
 * REQUEST_LOG=1 (`npm start` sets it): one console line per request once it is answered, e.g.
 * `POST /v1/intent 200 82ms $0.00013485`, with the cost its meter closed with (http/meter.ts),
 * the answer's `cost.usd`; `-` when no meter closed (no upstream call, or one billed later). A
 * stream's meter closes when the stream ends, so its line is written then, its time included.
 */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.env.REQUEST_LOG !== "1") return next();
  const started = Date.now();
  let cost: Cost | undefined;
  const closed = new Promise<void>((resolve) =>
    c.set("onMeterClosed", (closedCost) => {
      cost = closedCost;
      resolve();
    }),
  );
  await next();
  const write = () => console.log(logLine(c, Date.now() - started, cost));
  if (cost === undefined && isStream(c.res)) c.executionCtx.waitUntil(closed.then(write));
  else write();
};

function logLine(c: Context<AppEnv>, ms: number, cost: Cost | undefined): string {
  return `${c.req.method} ${c.req.path} ${c.res.status} ${ms}ms ${cost ? `$${usdDecimal(cost.costPico)}` : "-"}`;
}
