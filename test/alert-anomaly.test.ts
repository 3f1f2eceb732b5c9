import { describe, expect, it } from "vitest";
import { addDays } from "../workers/spend/days";
import { listAlerts, newBox, poll } from "./support/alerts";
import { at, seed } from "./support/ledger";
import { createKey } from "./support/worker";

const TODAY = "2026-04-08";
/** Nano output tokens that cost `usd` ($1.25 per 1M). */
const costing = (usd: number) => ({ inputTokens: 0, outputTokens: Math.round(usd * 800_000) });

/** A key whose spend was `quiet` on each of the 7 days before TODAY (null: no spend that day) and `today` on TODAY. */
async function keyWithDays(quiet: (number | null)[], today: number) {
  const { id } = await createKey({ name: "reports" });
  const days = quiet.map((usd, i) => [addDays(TODAY, i - quiet.length), usd] as const).filter(([, usd]) => usd !== null);
  await seed([...days, [TODAY, today] as const].map(([day, usd]) => ({ time: at(day, 9), keyId: id, usage: costing(usd!) })));
  return id;
}

const anomaliesOf = async (keyId: string) => (await listAlerts({ key_id: keyId, type: "spend_anomaly" })).data;

describe("spend_anomaly alerts from the poll cron", () => {
  it("raises one event for a day at 5 times the trailing mean after seven quiet days, and delivers it once", async () => {
    const keyId = await keyWithDays([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 2.5);
    const box = newBox();
    for (const hour of [10, 11, 23]) await poll(at(TODAY, hour), box.vars);

    const events = await anomaliesOf(keyId);
    expect(events).toHaveLength(1);
    const { delivery, ...event } = events[0]!;
    expect(event).toEqual({
      id: expect.stringMatching(/^alert_[0-9a-f]{24}$/),
      type: "spend_anomaly",
      created: new Date(at(TODAY, 10)).toISOString(),
      key_id: keyId,
      key_name: "reports",
      period: TODAY,
      spent_usd: 2.5,
      trailing_mean_usd: 0.5,
      trailing_from: "2026-04-01",
      trailing_to: "2026-04-07",
      factor: 3,
      min_usd: 1,
    });
    expect(delivery.state).toBe("delivered");
    expect((await box.deliveries([keyId])).map((d) => [JSON.parse(d.body), d.verified])).toEqual([[event, true]]);
  });

  it("needs more than ANOMALY_FACTOR times the mean: a day at exactly 3 times is not one, at 6 times with ANOMALY_FACTOR=6 neither", async () => {
    const exactlyThree = await keyWithDays([1, 1, 1, 1, 1, 1, 1], 3);
    const sixTimes = await keyWithDays([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 3);
    await poll(at(TODAY, 12), { ANOMALY_FACTOR: "6" });
    expect(await anomaliesOf(sixTimes)).toEqual([]);
    await poll(at(TODAY, 13));
    expect(await anomaliesOf(exactlyThree)).toEqual([]);
    expect(await anomaliesOf(sixTimes)).toHaveLength(1);
  });

  it("stays quiet below ANOMALY_MIN_USD (default $1), however large the ratio", async () => {
    const keyId = await keyWithDays([0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01], 0.5);
    await poll(at(TODAY, 12));
    expect(await anomaliesOf(keyId)).toEqual([]);
    await poll(at(TODAY, 13), { ANOMALY_MIN_USD: "0.5" });
    expect((await anomaliesOf(keyId)).map((a) => [a.spent_usd, a.trailing_mean_usd, a.min_usd])).toEqual([[0.5, 0.01, 0.5]]);
  });

  it("counts a day without spend as 0 in the mean, over exactly the 7 days before", async () => {
    // $7 eight days ago is outside the window; $1.40 within it over 7 days is a mean of $0.20.
    const { id } = await createKey();
    await seed([
      { time: at(addDays(TODAY, -8), 9), keyId: id, usage: costing(7) },
      { time: at(addDays(TODAY, -3), 9), keyId: id, usage: costing(1.4) },
      { time: at(TODAY, 9), keyId: id, usage: costing(1) },
    ]);
    await poll(at(TODAY, 12));
    expect((await anomaliesOf(id)).map((a) => [a.spent_usd, a.trailing_mean_usd])).toEqual([[1, 0.2]]);
  });

  it("finds yesterday's anomaly just after midnight, from spend that landed after the day's last poll", async () => {
    const keyId = await keyWithDays([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 0.5);
    await poll(at(TODAY, 23, 55));
    await seed([{ time: at(TODAY, 23, 58), keyId, usage: costing(2) }]);
    await poll(at(addDays(TODAY, 1), 0, 0));
    expect((await anomaliesOf(keyId)).map((a) => [a.period, a.spent_usd])).toEqual([[TODAY, 2.5]]);
  });
});
