import type { MiddlewareHandler } from "hono";
import type { ApiKey } from "../db/schema";
import type { AppEnv, Caller } from "../env";
import { ApiError } from "../errors";
import { adminTokenDigest, Digest } from "./secrets";
import { findActiveKey } from "./store";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Resolves `Authorization: Bearer` to the admin token or an active API key; 401 otherwise. */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
  if (!token) throw new ApiError(401, "unauthorized", "send an API key as `Authorization: Bearer <key>`");
  const presented = await Digest.of(token);
  let caller: Caller | undefined;
  if (c.env.ADMIN_TOKEN && presented.equals(await adminTokenDigest(c.env.ADMIN_TOKEN))) caller = { kind: "admin" };
  else {
    const key = await findActiveKey(c.get("db"), presented);
    if (key) caller = { kind: "key", key };
  }
  if (!caller) throw new ApiError(401, "unauthorized", "the API key is not valid or was revoked");
  c.set("caller", caller);
  await next();
};

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("caller").kind !== "admin") throw new ApiError(403, "forbidden", "this needs the admin token");
  await next();
};

/** Model calls are made with an API key, so that every cent is attributed to a tenant. */
export function callerKey(caller: Caller): ApiKey {
  if (caller.kind !== "key") throw new ApiError(403, "forbidden", "model calls need an API key, not the admin token");
  return caller.key;
}
