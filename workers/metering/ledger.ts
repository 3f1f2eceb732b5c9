import { getTableColumns } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledger, type NewLedgerRow } from "../db/schema";

const WRITE_ATTEMPTS = 4;
/** D1 binds at most 100 values per statement; a ledger row binds one per column. */
const ROWS_PER_INSERT = Math.floor(100 / Object.keys(getTableColumns(ledger)).length);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one writer of ledger rows. The rows go in one D1 batch (one transaction) of inserts small
 * enough for D1's bound-value limit. Retries a failed write with backoff; the unique
 * (request_id, attempt) index makes a retried write that had in fact landed a no-op.
 */
export async function writeLedgerRows(db: Db, rows: NewLedgerRow[], backoffMs = 50): Promise<void> {
  if (rows.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    try {
      const inserts = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        inserts.push(db.insert(ledger).values(rows.slice(i, i + ROWS_PER_INSERT)).onConflictDoNothing());
      }
      // One insert (the common case) goes alone: a batch costs more than a single statement.
      if (inserts.length === 1) await inserts[0];
      else await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
      return;
    } catch (err) {
      if (attempt >= WRITE_ATTEMPTS) {
        // Last resort: the row goes to the logs whole (it holds no secret), so it can be replayed.
        console.error("ledger write failed", JSON.stringify(rows), err instanceof Error ? err.message : String(err));
        throw err;
      }
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
}

/** Writes the rows after the answer has gone out: on the Worker's time, not the caller's. */
export function recordInBackground(ctx: Pick<ExecutionContext, "waitUntil">, db: Db, rows: NewLedgerRow[]): void {
  ctx.waitUntil(writeLedgerRows(db, rows).catch(() => undefined));
}
