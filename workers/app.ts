import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { adminAlertRoutes, budgetRoutes } from "./alerts/routes";
import { dashboardRoutes } from "./dashboard/routes";
import { dbFor } from "./db/client";
import type { AppEnv } from "./env";
import { ApiError, onError } from "./errors";
import { limitBody } from "./http/body-limit";
import { corsFromEnv } from "./http/cors";
import { requestLog } from "./http/request-log";
import { readAttribution } from "./attribution/attribution";
import { authenticate } from "./keys/auth";
import { rateLimit } from "./keys/rate-limit";
import { batchRoutes, taskBatchRoutes } from "./batch/routes";
import { adminKeyRoutes } from "./keys/routes";
import { adminPriceRoutes } from "./metering/price-routes";
import { chatCompletions } from "./openai/chat-completions";
import { modelRoutes } from "./openai/models";
import { responseRoutes } from "./openai/responses/routes";
import { randomHex } from "./keys/secrets";
import { type ApiRoutes, apiRoute, apiRoutes } from "./openapi/define";
import { openapiDocument } from "./openapi/document";
import { docsRoutes, documentRoutes } from "./openapi/routes";
import { adminRollupRoutes, spendRoutes } from "./spend/routes";
import { taskRoutes } from "./tasks/routes";

export const app = new OpenAPIHono<AppEnv>();

/** nanometer's own API is mounted only as groups of defined operations, so each is in /openapi.json. */
const mount = (path: string, routes: ApiRoutes) => app.route(path, routes);

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["Reference"],
  summary: "Whether the Worker is up (no key needed)",
  responses: { 200: { description: "Up", content: { "text/plain": { schema: z.literal("ok") } } } },
});

app.use(requestLog);
app.use(async (c, next) => {
  const requestId = `req_${randomHex(12)}`;
  c.set("requestId", requestId);
  c.set("db", dbFor(c.env.DB));
  await next();
  c.res.headers.set("x-request-id", requestId);
});

app.use(corsFromEnv);
mount("/", apiRoutes([apiRoute(healthRoute, (c) => c.text("ok", 200))]));
mount("/", documentRoutes(() => openapiDocument(app)));
// Pages, not API.
app.route("/docs", docsRoutes);
app.route("/dashboard", dashboardRoutes);

app.use("/v1/*", limitBody);
app.use("/v1/*", authenticate);
app.use("/v1/*", readAttribution);
app.use("/v1/*", rateLimit);
mount("/v1/admin/keys", adminKeyRoutes);
mount("/v1/admin/rollup", adminRollupRoutes);
mount("/v1/admin/prices", adminPriceRoutes);
mount("/v1/admin/alerts", adminAlertRoutes);
mount("/v1/spend/budgets", budgetRoutes);
mount("/v1/spend", spendRoutes);
mount("/v1", taskRoutes);
mount("/v1/batches", taskBatchRoutes);
// OpenAI-compatible: listed in the document with links to OpenAI's reference (openapi/openai-compatible.ts).
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
