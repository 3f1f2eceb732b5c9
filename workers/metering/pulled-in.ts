import { and, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledger, type OwnedObject } from "../db/schema";
import { MAX_CONTEXT_TOKENS } from "./bounds";

/** Request ids per lookup: D1 binds at most 100 values a statement. */
const IDS_PER_LOOKUP = 90;

/**
 * Tokens each stored object a request names (keys/owned.ts `ownedReferences`) can pull into its
 * input, beyond the request's own bytes (bounds.ts): a previous response, or an item of a stored
 * response, at most that response's billed input + output (the ledger's rows of the request that
 * made it: its own previous context is inside its input); the whole context while the ledger has
 * no usage of it (not yet written, or none reported). A file is counted with the part naming it.
 */
export async function pulledInTokens(db: Db, objects: readonly OwnedObject[]): Promise<number[]> {
  const stored = objects.filter((o) => o.kind === "response" || o.kind === "item");
  const requestIds = [...new Set(stored.map((o) => o.requestId))];
  const sizes = new Map<string, number>();
  for (let i = 0; i < requestIds.length; i += IDS_PER_LOOKUP) {
    const rows = await db
      .select({ requestId: ledger.requestId, tokens: sql<number>`sum(${ledger.inputTokens} + ${ledger.outputTokens})` })
      .from(ledger)
      .where(and(inArray(ledger.requestId, requestIds.slice(i, i + IDS_PER_LOOKUP)), gt(ledger.inputTokens, 0)))
      .groupBy(ledger.requestId);
    for (const row of rows) sizes.set(row.requestId, row.tokens);
  }
  return objects.map((o) => (o.kind === "response" || o.kind === "item" ? (sizes.get(o.requestId) ?? MAX_CONTEXT_TOKENS) : 0));
}
