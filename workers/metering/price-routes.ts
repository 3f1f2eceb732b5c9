import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { ApiError, badRequest } from "../errors";
import { requireAdmin } from "../keys/auth";
import { ADMIN, apiRoute, apiRoutes, errorAnswers, jsonAnswer } from "../openapi/define";
import { picoPerTokenFromUsdPer1M, usd, usdSchema } from "./money";
import { addPrice, forgetPrices, loadPrices, priceAt, type PriceRow, TIERS } from "./prices";

/** The most a token may cost: $1000 per 1M, so one call of a million tokens stays a safe integer of pico-USD. */
const MAX_USD_PER_1M = 1000;

/** USD per 1M tokens, as given, with up to six decimals: exactly a whole number of pico-USD per token. */
const usdPer1M = z
  .number()
  .min(0, "a price cannot be negative")
  .max(MAX_USD_PER_1M, `a price is at most $${MAX_USD_PER_1M} per 1M tokens`)
  .refine((v) => picoPerTokenFromUsdPer1M(v) !== null, "a price has at most six decimals (USD per 1M tokens)")
  .transform((v) => Number(picoPerTokenFromUsdPer1M(v)));

/** An ISO 8601 time with its offset, or a UTC date (its midnight). */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], "expected an ISO 8601 time such as 2026-12-01T00:00:00Z, or a UTC date")
  .transform((s) => Date.parse(/T/.test(s) ? s : `${s}T00:00:00Z`));

const newPrice = z
  .strictObject({
    model: z.string().trim().min(1).max(100),
    tier: z.enum(TIERS, `tier must be one of ${TIERS.join(", ")}`),
    input_usd_per_1m: usdPer1M,
    cached_input_usd_per_1m: usdPer1M,
    output_usd_per_1m: usdPer1M,
    cache_write_usd_per_1m: usdPer1M.nullable().optional(),
    effective_from: instant.optional(),
  })
  .refine((p) => p.cached_input_usd_per_1m <= p.input_usd_per_1m, {
    path: ["cached_input_usd_per_1m"],
    message: "cached input cannot cost more than input",
  })
  // No effective_from: in force from now (a date written here would one day be past, which is refused).
  .meta({ example: { model: "gpt-5.4-nano", tier: "priority", input_usd_per_1m: 0.4, cached_input_usd_per_1m: 0.04, output_usd_per_1m: 2.5 } });

/** pico-USD per token as USD per 1M tokens: the same digits, six places to the left. */
const per1M = (pico: number) => usd(BigInt(pico) * 1_000_000n);

const priceSchema = z
  .strictObject({
    model: z.string(),
    tier: z.string().meta({ description: `One of ${TIERS.join(", ")}` }),
    input_usd_per_1m: usdSchema,
    cached_input_usd_per_1m: usdSchema,
    output_usd_per_1m: usdSchema,
    cache_write_usd_per_1m: usdSchema.nullable(),
    effective_from: z.iso.datetime(),
    created_at: z.iso.datetime(),
    in_force: z.boolean().meta({ description: "Whether this is the price its model and tier are billed at now" }),
  })
  .meta({ id: "Price", description: "USD per 1M tokens, in force from effective_from until the next price of its model and tier" });

function priceJson(p: PriceRow, now: number, table: readonly PriceRow[]): z.infer<typeof priceSchema> {
  return {
    model: p.model,
    tier: p.tier,
    input_usd_per_1m: per1M(p.inputPico),
    cached_input_usd_per_1m: per1M(p.cachedInputPico),
    output_usd_per_1m: per1M(p.outputPico),
    cache_write_usd_per_1m: p.cacheWritePico === null ? null : per1M(p.cacheWritePico),
    effective_from: new Date(p.effectiveFrom).toISOString(),
    created_at: new Date(p.createdAt).toISOString(),
    in_force: priceAt(table, p.model, p.tier, now)?.effectiveFrom === p.effectiveFrom,
  };
}

const byModelTierTime = (a: PriceRow, b: PriceRow) =>
  a.model.localeCompare(b.model) || a.tier.localeCompare(b.tier) || a.effectiveFrom - b.effectiveFrom;

const tags = ["Prices"];

const listPricesRoute = createRoute({
  method: "get",
  path: "/",
  tags,
  summary: "The dated price table: every model × tier × effective time",
  security: ADMIN,
  responses: { 200: jsonAnswer(z.strictObject({ data: z.array(priceSchema) }), "The prices"), ...errorAnswers(401, 403, 429, 500) },
});

const addPriceRoute = createRoute({
  method: "post",
  path: "/",
  tags,
  summary: "Adds a price, in force from now or a later time; calls already made keep theirs",
  security: ADMIN,
  request: { body: { required: true, content: { "application/json": { schema: newPrice } } } },
  responses: { 201: jsonAnswer(priceSchema, "The new price"), ...errorAnswers(400, 401, 403, 409, 413, 429, 500) },
});

/** GET and POST /v1/admin/prices: the dated price table, and a new price that takes effect now or later. */
export const adminPriceRoutes = apiRoutes(
  [
    apiRoute(listPricesRoute, async (c) => {
      forgetPrices(); // the admin reads the table as stored, not this isolate's cached copy
      const table = await loadPrices(c.get("db"));
      const now = Date.now();
      return c.json({ data: [...table].sort(byModelTierTime).map((p) => priceJson(p, now, table)) }, 200);
    }),
    apiRoute(addPriceRoute, async (c) => {
      const body = c.req.valid("json");
      const now = Date.now();
      const effectiveFrom = body.effective_from ?? now;
      if (effectiveFrom < now) throw badRequest("effective_from is in the past: a price never reprices calls already made", "effective_from");
      const row: PriceRow = {
        model: body.model,
        tier: body.tier,
        effectiveFrom,
        inputPico: body.input_usd_per_1m,
        cachedInputPico: body.cached_input_usd_per_1m,
        outputPico: body.output_usd_per_1m,
        cacheWritePico: body.cache_write_usd_per_1m ?? null,
        createdAt: now,
      };
      if (!(await addPrice(c.get("db"), row))) {
        throw new ApiError(409, "conflict", `${row.model} already has a ${row.tier} price from ${new Date(effectiveFrom).toISOString()}`, {
          field: "effective_from",
        });
      }
      return c.json(priceJson(row, Date.now(), await loadPrices(c.get("db"))), 201);
    }),
  ],
  requireAdmin,
);
