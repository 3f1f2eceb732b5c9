import { hex } from "../keys/secrets";

const encoder = new TextEncoder();

/**
 * The webhook signature, `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` keyed with
 * ALERT_WEBHOOK_SECRET (Stripe's scheme): the timestamp is signed with the body, so a receiver
 * can refuse a delivery replayed later. A signer made once per poll, its key imported once.
 */
export async function signer(secret: string): Promise<(body: string, atMs: number) => Promise<string>> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return async (body, atMs) => {
    const t = Math.floor(atMs / 1000);
    return `t=${t},v1=${hex(await crypto.subtle.sign("HMAC", key, encoder.encode(`${t}.${body}`)))}`;
  };
}
