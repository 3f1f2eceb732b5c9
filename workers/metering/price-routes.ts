import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env";
import { ApiError, badRequest } from "../errors";
import { readJson, validate } from "../http/body";
import { requireAdmin } from "../keys/auth";
import { picoPerTokenFromUsdPer1M, usd, usdOrNull } from "./money";
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
  });

/** pico-USD per token as USD per 1M tokens: the same digits, six places to the left. */
const per1M = (pico: number | null) => (pico === null ? null : usd(BigInt(pico) * 1_000_000n));

function priceJson(p: PriceRow, now: number, table: readonly PriceRow[]) {
  return {
    model: p.model,
    tier: p.tier,
    input_usd_per_1m: per1M(p.inputPico),
    cached_input_usd_per_1m: per1M(p.cachedInputPico),
    output_usd_per_1m: per1M(p.outputPico),
    cache_write_usd_per_1m: usdOrNull(p.cacheWritePico === null ? null : BigInt(p.cacheWritePico) * 1_000_000n),
    effective_from: new Date(p.effectiveFrom).toISOString(),
    created_at: new Date(p.createdAt).toISOString(),
    in_force: priceAt(table, p.model, p.tier, now)?.effectiveFrom === p.effectiveFrom,
  };
}

const byModelTierTime = (a: PriceRow, b: PriceRow) =>
  a.model.localeCompare(b.model) || a.tier.localeCompare(b.tier) || a.effectiveFrom - b.effectiveFrom;

/** GET and POST /v1/admin/prices: the dated price table, and a new price that takes effect now or later. */
export const adminPriceRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .get("/", async (c) => {
    forgetPrices(); // the admin reads the table as stored, not this isolate's cached copy
    const table = await loadPrices(c.get("db"));
    const now = Date.now();
    return c.json({ data: [...table].sort(byModelTierTime).map((p) => priceJson(p, now, table)) });
  })
  .post("/", async (c) => {
    const body = validate(newPrice, await readJson(c));
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
  });
