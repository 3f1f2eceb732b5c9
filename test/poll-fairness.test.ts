import { describe, expect, it } from "vitest";
import { nextToPoll, recordOwner } from "../workers/keys/owned";
import { db } from "./support/ledger";
import { batchRows, chatLine, createBatch, jsonl, pollCron, upload, upstreamBatchWhen } from "./support/batches";
import { openaiClient } from "./support/sdk";
import { createKey } from "./support/worker";

const HOUR_MS = String(3_600_000);
const ended = (b: { status: string }) => b.status === "completed";

describe("the poll cron: fair across keys", () => {
  it("meters one key's finished batch although another key has more open batches than a run polls", async () => {
    const [hog, other] = [await createKey({ name: "hog" }), await createKey({ name: "other" })];
    const { client: hogClient } = openaiClient(hog.key);
    const file = await upload(hogClient, jsonl([chatLine("a", `hang ${crypto.randomUUID()}`)]));
    // 51 batches that run for an hour, all older than the other key's one.
    for (let i = 0; i < 51; i++) {
      await hogClient.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h", metadata: { sim_completion_ms: HOUR_MS } });
    }
    const done = await createBatch(openaiClient(other.key).client, [chatLine("b", `quick ${crypto.randomUUID()}`)]);
    await upstreamBatchWhen(done.id, ended);

    await pollCron();
    expect((await batchRows(other.key, done.id)).map((r) => r.request_id)).toEqual([`${done.id}:b`]);
  }, 60_000);

  it("takes each key's least recently polled first, in turns, and the next run goes on with the rest", async () => {
    const keys = [`kP${crypto.randomUUID()}`, `kQ${crypto.randomUUID()}`];
    const t0 = Date.UTC(2020, 0, 1); // older than anything else open, so these come first
    const open = (keyId: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => recordOwner(db(), { kind: "response", id: `${keyId}-${i}`, keyId, requestId: "r", createdAt: t0 + i, settledAt: null, meta: null })));
    await open(keys[0]!, 4);
    await open(keys[1]!, 2);
    const ids = async (now: number) => (await nextToPoll(db(), "response", 3, now)).map((o) => o.id);

    expect(await ids(1)).toEqual([`${keys[0]}-0`, `${keys[1]}-0`, `${keys[0]}-1`]);
    expect(await ids(2)).toEqual([`${keys[1]}-1`, `${keys[0]}-2`, `${keys[0]}-3`]);
    expect(await ids(3)).toEqual([`${keys[0]}-0`, `${keys[1]}-0`, `${keys[0]}-1`]);
  });
});
