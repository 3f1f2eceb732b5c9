import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { type Db, dbFor } from "../../db/client";
import type { OwnedObject } from "../../db/schema";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { recordInserted } from "../../keys/budget";
import { nextToPoll, settle } from "../../keys/owned";
import { writeLedgerRows } from "../../metering/ledger";
import { type LedgerError, MeteredRequest } from "../../metering/metered-request";
import { loadPrices } from "../../metering/prices";
import { billFinished, isFinished } from "./finished";
import { recordItems } from "./items";
import { storedResponseCall } from "./upstream";

/**
 * Background responses are billed once, when first seen finished. Until then the request has no
 * ledger row, only an open owner record (keys/owned.ts) keeping the model and tier it asked for.
 * Whoever sees it finished first (its owner's GET or cancel, a DELETE, the cron's poll) writes
 * its one row: request_id of the call that created it, attempt 1, at that call's time and prices.
 * Any other writer's row is a no-op under the ledger's unique (request_id, attempt), and
 * `settle` stops the polling.
 */

interface OpenMeta {
  model: string;
  tier: string;
}

export const openMeta = (model: string, tier: string) => JSON.stringify({ model, tier } satisfies OpenMeta);

const GONE: LedgerError = { type: "usage_missing", message: "the background response was gone upstream before it was seen finished" };

/**
 * Writes an open response's ledger row from its finished Response (null: gone upstream), ends
 * the reservation its create call has held with that cost (the writer that inserted the row
 * does), then settles it.
 */
export async function settleBackground(env: Env, db: Db, owned: OwnedObject, response: OpenAIResponse | null, upstream: string): Promise<void> {
  const { model, tier } = JSON.parse(owned.meta ?? "{}") as OpenMeta;
  const meter = new MeteredRequest(owned.requestId, owned.keyId, "responses", await loadPrices(db), tier, owned.createdAt);
  const { status, error } = response ? billFinished(meter, model, upstream, response) : { status: 200, error: GONE };
  await recordInserted(env, await writeLedgerRows(db, meter.ledgerRows(status, error, model)), owned.requestId);
  if (response) await recordItems(db, owned, response.output);
  await settle(db, "response", owned.id);
}

/** Settles `owned` if it is open and `response` (what the upstream just said of it) is finished. */
export async function settleIfFinished(env: Env, db: Db, owned: OwnedObject, response: unknown, upstream: string): Promise<boolean> {
  if (owned.settledAt !== null || !isFinished(response)) return false;
  await settleBackground(env, db, owned, response, upstream);
  return true;
}

const POLL_LIMIT = 100;

/** The cron's poller (poll.ts): asks the upstream about open background responses (fairly across keys), settles the finished. */
export async function pollBackgroundResponses(env: Env, now = Date.now()): Promise<{ open: number; settled: number; failed: number }> {
  const db = dbFor(env.DB);
  const open = await nextToPoll(db, "response", POLL_LIMIT, now);
  const outcomes = await Promise.allSettled(
    open.map(async (owned) => {
      try {
        const { data, upstream } = await storedResponseCall(env, "get", owned.id);
        return await settleIfFinished(env, db, owned, data, upstream);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        await settleBackground(env, db, owned, null, "none");
        return true;
      }
    }),
  );
  const settled = outcomes.filter((o) => o.status === "fulfilled" && o.value).length;
  const failed = outcomes.filter((o) => o.status === "rejected").length;
  return { open: open.length, settled, failed };
}
