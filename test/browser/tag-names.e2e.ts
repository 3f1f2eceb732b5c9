import OpenAI from "openai";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminToken, base, gateway, spend } from "../support/gateway-calls";
import { expectTable, launch, loaded, openDashboard, WAIT } from "./dashboard-page";

const UNTAGGED = 100;

let browser: Browser;
let key: string;
/** Another key, whose one call carries `zone`, a name after one-tagged's `campaign`. */
let zoned: { id: string; key: string };

// One tagged call, then more untagged ones than a page of recent requests shows; another key's call tagged zone.
beforeAll(async () => {
  ({ key } = (await (await gateway("/v1/admin/keys", adminToken, { name: "one-tagged" })).json()) as { key: string });
  const ask = (apiKey: string, content: string, headers?: Record<string, string>) =>
    new OpenAI({ apiKey, baseURL: `${base}/v1`, maxRetries: 0 }).chat.completions.create({ model: "gpt-5.4-nano", messages: [{ role: "user", content }] }, { headers });
  await ask(key, "Which plan fits a team of five?", { "x-nanometer-tags": "campaign=spring" });
  for (let i = 0; i < UNTAGGED; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => ask(key, `Question ${i + j}`)));
  await vi.waitFor(async () => expect((await spend(key, {})).totals.requests).toBe(UNTAGGED + 1), WAIT);
  zoned = (await (await gateway("/v1/admin/keys", adminToken, { name: "zoned" })).json()) as typeof zoned;
  await ask(zoned.key, "Where is my parcel?", { "x-nanometer-tags": "zone=north" });
  await vi.waitFor(async () => expect((await spend(zoned.key, {})).totals.requests).toBe(1), WAIT);
  browser = await launch();
}, 120_000);
afterAll(() => browser?.close());

describe("the by-tag table in chromium", () => {
  it("starts on the range's tag names, though no recent request carries one", async () => {
    const { page, problems } = await openDashboard(browser, key);
    const recent = (await (await gateway("/v1/spend/requests?limit=100", key)).json()) as { data: { tags: unknown }[] };
    expect(recent.data.filter((r) => r.tags !== null)).toEqual([]);

    expect(await page.inputValue('#by-tag input[name="name"]')).toBe("campaign");
    expect(await page.locator("#tag-names option").evaluateAll((os) => os.map((o) => o.getAttribute("value")))).toEqual(["campaign"]);
    expect(await page.locator("#tags-note").isHidden()).toBe(true);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const range = { from: day(Date.now() - 29 * 86_400_000), to: day(Date.now()) };
    const campaign = await spend(key, { ...range, group_by: "tag:campaign" });
    expect(campaign.rows.map((r) => [(r as unknown as Record<string, unknown>)["tag:campaign"], r.requests])).toEqual([["spring", 1], [null, UNTAGGED]]);
    await expectTable(page, "#tags", campaign, "tag:campaign");
    // The name field emptied and shown again: back to the range's first name.
    await page.fill('#by-tag input[name="name"]', "");
    await page.click('#by-tag button[type="submit"]');
    await loaded(page);
    expect(await page.inputValue('#by-tag input[name="name"]')).toBe("campaign");
    expect(await page.locator("#tags-note").isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it("starts again on the range's first tag name when the filters change to calls without the name shown", async () => {
    const { page, problems } = await openDashboard(browser, adminToken);
    // Every key's names: one-tagged's "campaign" (at least) sorts before zoned's "zone".
    expect(await page.inputValue('#by-tag input[name="name"]')).not.toBe("zone");
    await page.selectOption('#range select[name="key_id"]', zoned.id);
    await page.click('#range button[type="submit"]');
    await loaded(page);
    expect(await page.inputValue('#by-tag input[name="name"]')).toBe("zone");
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const zones = await spend(adminToken, { from: day(Date.now() - 29 * 86_400_000), to: day(Date.now()), key_id: zoned.id, group_by: "tag:zone" });
    expect(zones.rows.map((r) => r.requests)).toEqual([1]);
    await expectTable(page, "#tags", zones, "tag:zone");
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
