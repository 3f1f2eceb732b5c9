import { describe, expect, it, vi } from "vitest";
import { call, createKey, json } from "./support/worker";

const INTENT = { text: "I was charged twice this month", labels: ["billing", "shipping", "other"] };

/** The request lines the Worker wrote to the console during `run`. */
async function loggedDuring(run: () => Promise<unknown>): Promise<string[]> {
  const log = vi.spyOn(console, "log");
  try {
    await run();
    return log.mock.calls.map((args) => args.join(" ")).filter((line) => /^[A-Z]+ \/\S* \d{3} \d+ms /.test(line));
  } finally {
    log.mockRestore();
  }
}

describe("the request log", () => {
  it("is off without REQUEST_LOG", async () => {
    const { key } = await createKey();
    expect(await loggedDuring(() => call("/v1/intent", { token: key, body: INTENT }))).toEqual([]);
  });

  it("with REQUEST_LOG=1, writes one line per request once answered: its cost, or - without one", async () => {
    const { key } = await createKey();
    const env = { REQUEST_LOG: "1" };
    let cost = 0;
    const lines = await loggedDuring(async () => {
      cost = (await json(await call("/v1/intent", { token: key, body: INTENT, env }))).cost.usd;
      await call("/v1/intent", { token: key, body: { ...INTENT, labels: [] }, env });
      await call("/v1/spend/requests?limit=1", { token: key, env });
    });
    expect(lines).toEqual([
      expect.stringMatching(/^POST \/v1\/intent 200 \d+ms \$/),
      expect.stringMatching(/^POST \/v1\/intent 400 \d+ms -$/),
      expect.stringMatching(/^GET \/v1\/spend\/requests 200 \d+ms -$/),
    ]);
    expect(Number(lines[0]!.split("$")[1])).toBe(cost);
  });
});
