import { Hono } from "hono";
import { adminAlertRoutes, budgetRoutes } from "./alerts/routes";
import { dashboardRoutes } from "./dashboard/routes";
import { dbFor } from "./db/client";
import type { AppEnv } from "./env";
import { ApiError, onError } from "./errors";
import { limitBody } from "./http/body-limit";
import { corsFromEnv } from "./http/cors";
import { readAttribution } from "./attribution/attribution";
import { authenticate } from "./keys/auth";
import { rateLimit } from "./keys/rate-limit";
import { batchRoutes } from "./batch/routes";
import { adminKeyRoutes } from "./keys/routes";
import { adminPriceRoutes } from "./metering/price-routes";
import { chatCompletions } from "./openai/chat-completions";
import { modelRoutes } from "./openai/models";
import { responseRoutes } from "./openai/responses/routes";
import { randomHex } from "./keys/secrets";
import { adminRollupRoutes, spendRoutes } from "./spend/routes";
import { taskRoutes } from "./tasks/routes";

export const app = new Hono<AppEnv>();

app.use(async (c, next) => {
  const requestId = `req_${randomHex(12)}`;
  c.set("requestId", requestId);
  c.set("db", dbFor(c.env.DB));
  await next();
  c.res.headers.set("x-request-id", requestId);
});

app.use(corsFromEnv);
app.get("/healthz", (c) => c.text("ok"));
app.route("/dashboard", dashboardRoutes);

app.use("/v1/*", limitBody);
app.use("/v1/*", authenticate);
app.use("/v1/*", readAttribution);
app.use("/v1/*", rateLimit);
app.route("/v1/admin/keys", adminKeyRoutes);
app.route("/v1/admin/rollup", adminRollupRoutes);
app.route("/v1/admin/prices", adminPriceRoutes);
app.route("/v1/admin/alerts", adminAlertRoutes);
app.route("/v1/spend/budgets", budgetRoutes);
app.route("/v1/spend", spendRoutes);
app.route("/v1", taskRoutes);
app.post("/v1/chat/completions", chatCompletions);
app.route("/v1/responses", responseRoutes);
app.route("/v1/models", modelRoutes);
app.route("/v1", batchRoutes);

// A known path asked with another method is a 405 naming the allowed ones, not a 404.
const allowed = new Map<string, Set<string>>();
for (const r of app.routes) {
  if (r.method !== "ALL") allowed.set(r.path, (allowed.get(r.path) ?? new Set()).add(r.method));
}
for (const [path, methods] of allowed) {
  app.all(path, () => {
    const allow = [...methods].join(", ");
    throw new ApiError(405, "method_not_allowed", `use ${allow} for this path`, { headers: { allow } });
  });
}

app.notFound((c) => onError(new ApiError(404, "not_found", "no such path"), c));
app.onError(onError);
