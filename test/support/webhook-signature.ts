import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * What the README shows a receiver doing: `t=<unix seconds>,v1=<hex>` parsed, the HMAC of "<t>." and
 * the raw body compared in constant time, and a timestamp more than `toleranceS` from now refused
 * (a replayed delivery).
 */
export function verified(rawBody: Buffer, header: string | undefined, secret: string, nowS = Date.now() / 1000, toleranceS = 300): boolean {
  const parts = new Map((header ?? "").split(",").map((part) => part.split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const given = Buffer.from(parts.get("v1") ?? "");
  if (!Number.isSafeInteger(t) || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest("hex"));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
