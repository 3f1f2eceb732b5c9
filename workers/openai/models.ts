import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { loadPrices, type PriceRow } from "../metering/prices";

/** The models with a price in force now, in OpenAI's model shape; `created` is when each was first priced. */
function pricedModelList(table: readonly PriceRow[], now: number) {
  const firstPriced = new Map<string, number>();
  for (const p of table) {
    if (p.effectiveFrom <= now) firstPriced.set(p.model, Math.min(firstPriced.get(p.model) ?? Infinity, p.effectiveFrom));
  }
  return [...firstPriced]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, since]) => ({ id, object: "model" as const, created: Math.floor(since / 1000), owned_by: "openai" }));
}

/** GET /v1/models and /v1/models/{id}: what nanometer can call (and bill), so clients that list models work. */
export const modelRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ object: "list", data: pricedModelList(await loadPrices(c.get("db")), Date.now()) }))
  .get("/:model{.+}", async (c) => {
    const model = pricedModelList(await loadPrices(c.get("db")), Date.now()).find((m) => m.id === c.req.param("model"));
    if (!model) throw new ApiError(404, "not_found", `no priced model ${c.req.param("model")}`);
    return c.json(model);
  });
