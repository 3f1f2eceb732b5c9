import type { OpenAPIHono } from "@hono/zod-openapi";
import packageJson from "../../package.json";
import { alertWebhook } from "../alerts/events";
import type { AppEnv } from "../env";
import { registerOpenAICompatible } from "./openai-compatible";

const DESCRIPTION = `A metered gateway for OpenAI's gpt-5.4-nano: task endpoints, the spend API, keys, prices and alerts,
and OpenAI's own API (chat completions, responses, files, batches) passed through and metered.

Send \`Authorization: Bearer <key>\`: an API key for model calls and the key's own spend, the admin token for
keys, prices, alerts and everyone's spend. Every error is \`{"error": {"type", "message", "field"?}}\`; a 400
names the first offending field. Money is a JSON number of USD exact to the pico-dollar (1e-12): read it as
a decimal where that matters.`;

const TAGS = [
  { name: "Tasks", description: "Model calls with a checked answer; every answer carries its id, model, usage, cost and attempts" },
  { name: "Task batches", description: "Many bodies of one task as one Batch API batch, at the batch price" },
  { name: "Spend", description: "The ledger, spend by day, endpoint, model, tier or key, cache efficiency, budgets" },
  { name: "Keys", description: "API keys, their budgets and rate limits (admin token)" },
  { name: "Prices", description: "The dated model × tier price table (admin token)" },
  { name: "Alerts", description: "Budget thresholds and spend anomalies, and their webhook deliveries (admin token)" },
  { name: "OpenAI-compatible", description: "OpenAI's API as it is, metered: each operation links OpenAI's reference" },
  { name: "Reference", description: "This document, and whether the Worker is up" },
];

const documents = new WeakMap<OpenAPIHono<AppEnv>, Record<string, unknown>>();

function build(app: OpenAPIHono<AppEnv>): Record<string, unknown> {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer", description: "An API key (POST /v1/admin/keys)" });
  registry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer", description: "The deployment's ADMIN_TOKEN" });
  registerOpenAICompatible(registry);
  registry.registerWebhook(alertWebhook);
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "nanometer", version: packageJson.version, description: DESCRIPTION },
    tags: TAGS,
  }) as unknown as Record<string, unknown>;
}

/** The app's OpenAPI document, generated from its routes' definitions once, when first asked for (never on a call's path). */
export function openapiDocument(app: OpenAPIHono<AppEnv>): Record<string, unknown> {
  let document = documents.get(app);
  if (!document) documents.set(app, (document = build(app)));
  return document;
}
