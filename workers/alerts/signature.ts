import { hex } from "../keys/secrets";

const encoder = new TextEncoder();

/**
 * The webhook signature, `sha256=<hex HMAC-SHA256 of the body's UTF-8 bytes>` keyed with
 * ALERT_WEBHOOK_SECRET: a signer made once per poll, its key imported once.
 */
export async function signer(secret: string): Promise<(body: string) => Promise<string>> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return async (body) => `sha256=${hex(await crypto.subtle.sign("HMAC", key, encoder.encode(body)))}`;
}
