/**
 * For the bench Worker (worker.ts): the real spend routes (workers/spend/routes.ts) mounted behind
 * an admin caller, so a timed GET is the gateway's own answer, JSON included.
 */
import { Hono } from "hono";
import { dbFor } from "../../../workers/db/client";
import type { AppEnv } from "../../../workers/env";
import { onError } from "../../../workers/errors";
import { spendRoutes } from "../../../workers/spend/routes";

/** GET /v1/spend/* as the gateway answers it, for the admin (authentication is not what is measured). */
export function spendApi() {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("db", dbFor(c.env.DB));
    c.set("caller", { kind: "admin" });
    await next();
  });
  app.route("/v1/spend", spendRoutes);
  app.onError(onError);
  return app;
}
