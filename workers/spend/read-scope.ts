import { z } from "zod";
import type { Caller } from "../env";
import { ApiError, badRequest } from "../errors";
import { errorAnswers } from "../openapi/define";
import { addDays, daySchema } from "./days";

/** A key reads only its own rows; the admin reads all, or one key's with `key_id`. */
export function scopeKeyId(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.kind === "admin") return requested;
  if (requested !== undefined && requested !== caller.key.id) {
    throw new ApiError(403, "forbidden", "a key can read only its own spend", { field: "key_id" });
  }
  return caller.key.id;
}

const DEFAULT_DAYS = 30;

export const rangeQuery = z.object({
  from: daySchema.optional(),
  to: daySchema.optional(),
  key_id: z.string().max(100).optional(),
});

/** A 400 naming `from` when it is after `to` (either may be open). */
export function checkOrder(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) throw badRequest(`from (${from}) is after to (${to})`, "from");
}

/** from..to: `to` defaults to today, `from` to the 30 days ending at `to`. */
export function range(q: z.infer<typeof rangeQuery>, today: string): { from: string; to: string } {
  const to = q.to ?? today;
  const from = q.from ?? addDays(to, 1 - DEFAULT_DAYS);
  checkOrder(from, to);
  return { from, to };
}

/** What the spend paths' definitions share. */
export const tags = ["Spend"];
export const scoped = "A key reads its own; the admin token everyone's, or one key's with `key_id`";
export const spendErrors = errorAnswers(400, 401, 403, 429, 500);
export const csvAnswer = { "text/csv": { schema: z.string().meta({ description: "The rows, a header line first" }) } };
