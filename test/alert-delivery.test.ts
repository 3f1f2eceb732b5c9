import { describe, expect, it } from "vitest";
import { backoffMs, TIMEOUT_MS } from "../workers/alerts/delivery";
import { type Delivery, listAlerts, newBox, poll, WEBHOOK_SECRET } from "./support/alerts";
import { seed } from "./support/ledger";
import { verified } from "./support/webhook-signature";
import { createKey } from "./support/worker";

const MINUTE = 60_000;
/** $0.50 of nano output: half of a $1 budget. */
const HALF_A_DOLLAR = { inputTokens: 0, outputTokens: 400_000 };

/** A key with a $1 daily budget that has spent $0.50 today: one 50% event for the cron to find. */
async function halfSpentKey(now: number) {
  const { id } = await createKey({ daily_budget_usd: 1 });
  await seed([{ time: now, keyId: id, usage: HALF_A_DOLLAR }]);
  return id;
}

/** The signature the SPEC defines, computed here independently of the Worker's own code. */
async function expectedSignature(body: string, t: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(WEBHOOK_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${body}`)));
  return `t=${t},v1=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
const signedAt = (d: Delivery) => Number(/^t=(\d+),/.exec(d.signature ?? "")?.[1]);

const idOf = (d: Delivery) => JSON.parse(d.body).id as string;

describe("alert delivery from the poll cron", () => {
  it("retries a receiver that fails twice with backoff, sending the same id and bytes, and sends nothing after its 2xx", async () => {
    const t0 = Date.now();
    const keyId = await halfSpentKey(t0);
    const box = newBox();
    await box.answer({ fail: 2 });

    await poll(t0, box.vars);
    let [event] = (await listAlerts({ key_id: keyId })).data;
    expect(event?.delivery).toMatchObject({ state: "failing", attempts: 1, last_status: 500, last_error: "receiver down" });
    expect(event?.delivery.next_attempt_at).toBe(new Date(t0 + backoffMs(1)).toISOString());
    await poll(t0 + backoffMs(1) - 1, box.vars); // not due yet
    expect(await box.deliveries([keyId])).toHaveLength(1);

    await poll(t0 + 5 * MINUTE, box.vars);
    [event] = (await listAlerts({ key_id: keyId })).data;
    expect(event?.delivery.next_attempt_at).toBe(new Date(t0 + 5 * MINUTE + backoffMs(2)).toISOString());
    await poll(t0 + 10 * MINUTE, box.vars);
    for (const later of [15, 60, 24 * 60]) await poll(t0 + later * MINUTE, box.vars);

    const deliveries = await box.deliveries([keyId]);
    expect(deliveries.map((d) => d.answered)).toEqual([500, 500, 200]);
    expect(new Set(deliveries.map((d) => d.body)).size).toBe(1);
    for (const d of deliveries) {
      expect(d.verified).toBe(true);
      expect(d.signature).toBe(await expectedSignature(d.body, signedAt(d)));
    }
    expect(idOf(deliveries[0]!)).toBe(event?.id);

    [event] = (await listAlerts({ key_id: keyId })).data;
    expect(event?.delivery).toMatchObject({ state: "delivered", attempts: 3, last_status: 200, last_error: null, next_attempt_at: null });
    expect(event?.delivery.delivered_at).toBe(new Date(t0 + 10 * MINUTE).toISOString());
    expect(event?.delivery.history.map((h) => [h.status, h.error])).toEqual([
      [500, "receiver down"],
      [500, "receiver down"],
      [200, null],
    ]);
  });

  it("signs the time each delivery is sent with its body, so a receiver refuses it replayed later", async () => {
    const t0 = Date.now();
    const keyId = await halfSpentKey(t0);
    const box = newBox();
    await poll(t0, box.vars);
    const [delivery] = await box.deliveries([keyId]);
    const t = signedAt(delivery!);
    expect(Math.abs(t * 1000 - delivery!.received_at)).toBeLessThan(2_000);
    expect(delivery!.signature).toBe(await expectedSignature(delivery!.body, t));
    // The README's check, as the receiver runs it: within 5 minutes only, over these very bytes.
    const raw = Buffer.from(delivery!.body);
    expect(verified(raw, delivery!.signature!, WEBHOOK_SECRET, t + 299)).toBe(true);
    expect(verified(raw, delivery!.signature!, WEBHOOK_SECRET, t + 301)).toBe(false);
    expect(verified(Buffer.from(delivery!.body.replace("0.5", "0.9")), delivery!.signature!, WEBHOOK_SECRET, t)).toBe(false);
    const bodyOnly = delivery!.signature!.replace(/^t=\d+,v1=/, "sha256=");
    expect(verified(raw, bodyOnly, WEBHOOK_SECRET, t)).toBe(false);
  });

  it("backs off exponentially, up to an hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map(backoffMs)).toEqual([1, 2, 4, 8, 16, 32, 60, 60].map((m) => m * MINUTE));
  });

  it("sends each event once when two pollers run at the same time", async () => {
    const now = Date.now();
    const keys = await Promise.all(Array.from({ length: 6 }, () => halfSpentKey(now)));
    const box = newBox();
    await box.answer({ delay_ms: 100 }); // slow enough that both pollers are sending at once
    await poll(now); // records the events (no URL yet)
    await Promise.all([poll(now + MINUTE, box.vars), poll(now + MINUTE, box.vars), poll(now + 2 * MINUTE, box.vars)]);
    const ids = (await box.deliveries(keys)).map(idOf);
    expect(ids).toHaveLength(keys.length);
    expect(new Set(ids).size).toBe(keys.length);
    const listed = (await listAlerts({})).data.filter((a) => keys.includes(a.key_id));
    expect(listed.map((a) => a.delivery.attempts)).toEqual(keys.map(() => 1));
  });

  it("without ALERT_WEBHOOK_URL records and lists events but sends none; with it, sends them", async () => {
    const now = Date.now();
    const keyId = await halfSpentKey(now);
    const box = newBox();
    await poll(now, { ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const [event] = (await listAlerts({ key_id: keyId })).data;
    expect(event).toMatchObject({ type: "budget_threshold", threshold: 0.5, spent_usd: 0.5, budget_usd: 1 });
    expect(event?.delivery).toMatchObject({ state: "pending", attempts: 0, history: [] });
    // Nor without the secret: an event is never sent unsigned.
    await poll(now + MINUTE, { ALERT_WEBHOOK_URL: box.url });
    expect(await box.deliveries()).toEqual([]);

    await poll(now + 2 * MINUTE, box.vars);
    expect((await box.deliveries([keyId])).map(idOf)).toEqual([event?.id]);
  });

  it("counts a receiver that does not answer in time as a failed attempt", async () => {
    const now = Date.now();
    const keyId = await halfSpentKey(now);
    const box = newBox();
    await box.answer({ delay_ms: TIMEOUT_MS + 2_000 });
    await poll(now, box.vars);
    const [event] = (await listAlerts({ key_id: keyId })).data;
    expect(event?.delivery).toMatchObject({ state: "failing", attempts: 1, last_status: null, last_error: `no answer in ${TIMEOUT_MS} ms` });
  }, 30_000);
});
