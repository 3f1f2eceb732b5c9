import { Hono } from "hono";
import type { AppEnv, Caller } from "../env";
import { ApiError } from "../errors";
import { validate } from "../http/body";
import { listLedger, requestsQuery } from "./requests";

/** A key reads only its own rows; the admin reads all, or one key's with `key_id`. */
export function scopeKeyId(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.kind === "admin") return requested;
  if (requested !== undefined && requested !== caller.key.id) {
    throw new ApiError(403, "forbidden", "a key can read only its own spend", { field: "key_id" });
  }
  return caller.key.id;
}

export const spendRoutes = new Hono<AppEnv>().get("/requests", async (c) => {
  const q = validate(requestsQuery, c.req.query());
  return c.json(await listLedger(c.var.db, q, scopeKeyId(c.var.caller, q.key_id)));
});
