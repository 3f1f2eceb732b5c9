import type { LocalKey } from "./local-state";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The key kept from the last run while it still works; a new one when it was revoked or the
 * local D1 was wiped (a 401), or when there is none yet.
 */
export async function localKey(base: string, adminToken: string, kept: LocalKey | undefined): Promise<{ key: LocalKey; kept: boolean }> {
  if (kept) {
    const check = await fetch(`${base}/v1/spend/requests?limit=1`, { headers: bearer(kept.secret) });
    if (check.ok) return { key: kept, kept: true };
    if (check.status !== 401) throw new Error(`checking the kept API key answered ${check.status}: ${await check.text()}`);
  }
  const created = await fetch(`${base}/v1/admin/keys`, {
    method: "POST",
    headers: { ...bearer(adminToken), "content-type": "application/json" },
    body: JSON.stringify({ name: "local" }),
  });
  if (!created.ok) throw new Error(`creating an API key answered ${created.status}: ${await created.text()}`);
  const { id, key } = (await created.json()) as { id: string; key: string };
  return { key: { id, secret: key }, kept: false };
}
