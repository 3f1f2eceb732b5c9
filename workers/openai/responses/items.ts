import type { Db } from "../../db/client";
import { ownedObjects, type OwnedObject } from "../../db/schema";

/** Rows per insert: 8 columns each, within D1's 100 bound values a statement. */
const ROWS_PER_INSERT = 12;

/** The ids of a list of Responses items (a Response's `output`, an input_items page's `data`). */
const idsOf = (items: unknown): string[] =>
  Array.isArray(items) ? items.flatMap((item) => (typeof item?.id === "string" ? [item.id as string] : [])) : [];

/**
 * Records the items of a stored response, as nanometer sees them answered to its owner (its
 * output, its input as the owner lists it), as the owner's, so an `item_reference` to one is the
 * owner's alone (keys/owned.ts `ownedReferences`). An item keeps the response's request id, which
 * bounds what it can pull into a request (metering/pulled-in.ts). Recording one twice is a no-op;
 * a failed write is logged and fails nothing: the owner then gets a 404 for that item.
 */
export async function recordItems(db: Db, response: Pick<OwnedObject, "keyId" | "requestId">, items: unknown): Promise<void> {
  const now = Date.now();
  const rows = idsOf(items).map((id) => ({ kind: "item", id, keyId: response.keyId, requestId: response.requestId, createdAt: now, settledAt: now }));
  const inserts = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) inserts.push(db.insert(ownedObjects).values(rows.slice(i, i + ROWS_PER_INSERT)).onConflictDoNothing());
  const [first, ...rest] = inserts;
  if (!first) return;
  try {
    await db.batch([first, ...rest]);
  } catch (err) {
    console.error("recording a response's items failed", response.requestId, JSON.stringify(rows.map((r) => r.id)), err instanceof Error ? err.message : String(err));
  }
}
