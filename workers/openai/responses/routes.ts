import { type Context, Hono } from "hono";
import type { OwnedObject } from "../../db/schema";
import type { AppEnv } from "../../env";
import { badRequest } from "../../errors";
import { ownedBy } from "../../keys/owned";
import { settleBackground, settleIfFinished } from "./background";
import { createResponses } from "./create";
import { recordItems } from "./items";
import { isFinished } from "./finished";
import { type Query, storedResponseCall } from "./upstream";

/** The query as the caller sent it, a repeated name (`include`) as a list. */
function queryOf(c: Context<AppEnv>): Query {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]));
}

type Answer = Awaited<ReturnType<typeof storedResponseCall>>;

const handOn = (c: Context<AppEnv>, answer: Answer) => c.body(answer.body, 200, { "content-type": "application/json" });

/** Bills an open background response the upstream just showed finished, off the caller's clock. */
function settleSeen(c: Context<AppEnv>, owned: OwnedObject, answer: Answer): void {
  const settling = settleIfFinished(c.env, c.get("db"), owned, answer.data, answer.upstream);
  c.executionCtx.waitUntil(settling.catch((err) => console.error("settling a background response failed", owned.id, String(err))));
}

/**
 * A DELETE must not let an open background response go unbilled: it is read first (and
 * cancelled if it is still running), billed from what that says, and only then deleted.
 */
async function settleBeforeDelete(c: Context<AppEnv>, owned: OwnedObject): Promise<void> {
  let seen = await storedResponseCall(c.env, "get", owned.id);
  if (!isFinished(seen.data)) seen = await storedResponseCall(c.env, "post", owned.id, "/cancel");
  await settleBackground(c.env, c.get("db"), owned, isFinished(seen.data) ? seen.data : null, seen.upstream);
}

/**
 * POST /v1/responses, and the stored responses' routes, each only for the key that created the
 * response: `ownedBy` answers 404 to any other key before anything is asked of the upstream.
 */
export const responseRoutes = new Hono<AppEnv>()
  .post("/", createResponses)
  .get("/:id", async (c) => {
    if (c.req.query("stream") === "true") throw badRequest("nanometer does not resume response streams; ask without stream", "stream");
    const owned = await ownedBy(c, "response", c.req.param("id"));
    const answer = await storedResponseCall(c.env, "get", owned.id, "", queryOf(c));
    settleSeen(c, owned, answer);
    await recordItems(c.get("db"), owned, (answer.data as { output?: unknown }).output);
    return handOn(c, answer);
  })
  .delete("/:id", async (c) => {
    const owned = await ownedBy(c, "response", c.req.param("id"));
    if (owned.settledAt === null) await settleBeforeDelete(c, owned);
    return handOn(c, await storedResponseCall(c.env, "delete", owned.id));
  })
  .get("/:id/input_items", async (c) => {
    const owned = await ownedBy(c, "response", c.req.param("id"));
    const answer = await storedResponseCall(c.env, "get", owned.id, "/input_items", queryOf(c));
    // The owner learns its input items' ids here: from now on it may reference them.
    await recordItems(c.get("db"), owned, (answer.data as { data?: unknown }).data);
    return handOn(c, answer);
  })
  .post("/:id/cancel", async (c) => {
    const owned = await ownedBy(c, "response", c.req.param("id"));
    const answer = await storedResponseCall(c.env, "post", owned.id, "/cancel");
    settleSeen(c, owned, answer);
    return handOn(c, answer);
  });
