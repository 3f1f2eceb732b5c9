import { getTableColumns, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { ledger, type NewLedgerRow } from "../db/schema";
import type { Env } from "../env";
import { recordInserted } from "../keys/budget";
import { postRows } from "./ledger-outbox";

const WRITE_ATTEMPTS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every column a row binds (all but the autoincrement id), with what it takes when a row leaves it out. */
const ROW_COLUMNS = Object.entries(getTableColumns(ledger))
  .filter(([, column]) => !column.primary)
  .map(([name, column]) => ({ name, absent: column.hasDefault ? (column.default as unknown) : null }));

/** The one-row insert, built once per Drizzle client: building the SQL costs more than running it. */
const prepared = new WeakMap<Db, ReturnType<typeof prepareRowInsert>>();

/** What an insert says of each row it really wrote (a row already there is not among them). */
const INSERTED = { requestId: ledger.requestId, keyId: ledger.keyId, costPico: ledger.costPico, time: ledger.time };
export type InsertedRow = { requestId: string; keyId: string; costPico: number; time: number };

function prepareRowInsert(db: Db) {
  const placeholders = Object.fromEntries(ROW_COLUMNS.map(({ name }) => [name, sql.placeholder(name)]));
  return db.insert(ledger).values(placeholders as unknown as NewLedgerRow).onConflictDoNothing().returning(INSERTED).prepare();
}

function insertOne(db: Db, row: NewLedgerRow) {
  let insert = prepared.get(db);
  if (!insert) {
    insert = prepareRowInsert(db);
    prepared.set(db, insert);
  }
  const values = row as Record<string, unknown>;
  return insert.all(Object.fromEntries(ROW_COLUMNS.map(({ name, absent }) => [name, values[name] ?? absent])));
}

/**
 * The one writer of ledger rows. One row (the common case) is the prepared insert; several (a
 * queue batch) go in statements that each read up to ROWS_PER_STATEMENT of them from one bound
 * JSON array with json_each, in one transaction: D1 binds at most 100 values a statement, and
 * one statement per 3 rows cost the queue's consumer a third of its time. Retries a failed write
 * with backoff; the unique (request_id, attempt) index makes a retried write that had in fact
 * landed a no-op. Answers the rows this write inserted: a row already in the ledger (written by
 * a concurrent writer, or by an earlier try that landed) is not among them.
 */
export async function writeLedgerRows(db: Db, rows: NewLedgerRow[], backoffMs = 50): Promise<InsertedRow[]> {
  if (rows.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeOnce(db, rows);
    } catch (err) {
      if (attempt >= WRITE_ATTEMPTS) {
        // Last resort: the row goes to the logs whole (it holds no secret), so it can be replayed.
        // Drizzle wraps D1's error (the reason) as its cause, under the failed SQL.
        const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause : err).message : String(err);
        console.error("ledger write failed", JSON.stringify(rows), reason);
        throw err;
      }
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
}

const COLUMNS = getTableColumns(ledger);
/**
 * Several rows in one statement around one bound value: a JSON array of each row's values in
 * ROW_COLUMNS order (AFTER INSERT triggers still fire row by row). Raw SQL, so it goes to the D1
 * binding itself: Drizzle's batch takes only its query builders.
 */
const INSERT_MANY = `insert into "ledger" (${ROW_COLUMNS.map(({ name }) => `"${COLUMNS[name as keyof typeof COLUMNS].name}"`).join(", ")}) SELECT ${ROW_COLUMNS.map((_, i) => `value ->> ${i}`).join(", ")} FROM json_each(?) WHERE true ON CONFLICT DO NOTHING RETURNING request_id, key_id, cost_pico, time`;

/**
 * Rows a statement reads from its one bound JSON array: a queue batch is up to 100 messages of up
 * to 20 rows (ledger-outbox.ts), and D1 takes a bound value of at most 2 MB (a row's values are
 * under 1 KB as JSON, a few hundred bytes as a rule).
 */
export const ROWS_PER_STATEMENT = 500;

function insertMany(db: Db, rows: NewLedgerRow[]) {
  const values = rows.map((row) => ROW_COLUMNS.map(({ name, absent }) => (row as Record<string, unknown>)[name] ?? absent));
  return db.$client.prepare(INSERT_MANY).bind(JSON.stringify(values));
}

/** One write of the rows, in one transaction (one statement, or one D1 batch of them): all of them land, or none. */
export async function writeOnce(db: Db, rows: NewLedgerRow[]): Promise<InsertedRow[]> {
  const [only] = rows;
  if (only && rows.length === 1) return insertOne(db, only);
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) statements.push(insertMany(db, rows.slice(i, i + ROWS_PER_STATEMENT)));
  const results = await db.$client.batch<{ request_id: string; key_id: string; cost_pico: number; time: number }>(statements);
  return results.flatMap(({ results: written }) => written.map((r) => ({ requestId: r.request_id, keyId: r.key_id, costPico: r.cost_pico, time: r.time })));
}

/**
 * A message of the ledger's queue: the rows of the calls an isolate ended within OUTBOX_WINDOW_MS
 * (ledger-outbox.ts), and the requests among them whose cost their key's gate has not counted
 * (calls that held no reservation): whoever writes those rows adds them to the gate.
 */
export interface LedgerMessage {
  rows: NewLedgerRow[];
  uncounted?: string[];
}

/**
 * Writes rows and adds those of `uncounted` requests that this write really inserted to their
 * keys' gates (keys/budget.ts recordInserted), once however often the rows are written: the gate
 * counts a call without a reservation when, and only when, the ledger does.
 */
export async function writeAndCount(env: Pick<Env, "KEY_GATE">, db: Db, rows: NewLedgerRow[], uncounted: ReadonlySet<string>, write = writeLedgerRows): Promise<void> {
  const inserted = await write(db, rows);
  if (uncounted.size > 0) await recordInserted(env, inserted.filter((row) => uncounted.has(row.requestId)));
}

/** The queue that carries online calls' rows to D1: LEDGER_QUEUE when bound, unless LEDGER_TRANSPORT is "direct". */
export const ledgerQueue = (env: Env) => (env.LEDGER_TRANSPORT === "direct" ? undefined : env.LEDGER_QUEUE);

/**
 * Records a request's rows after the answer has gone out, on the Worker's time, not the
 * caller's: put in the isolate's outbox for the ledger queue (ledger-outbox.ts; its consumer
 * writes them, ledger-queue.ts), or written to D1 directly when there is no queue, or when the
 * queue refused them. Resolves once handed over (to the outbox, or to D1). `counted`: whether the
 * key's gate has counted the rows' cost already (the call held a reservation and settles it);
 * if not, the rows' writer adds them to it (writeAndCount), so a call costs no gate write of its own.
 */
export function recordInBackground(ctx: Pick<ExecutionContext, "waitUntil">, env: Env, db: Db, rows: NewLedgerRow[], counted: boolean): Promise<void> {
  const direct = (toWrite: NewLedgerRow[], uncounted: ReadonlySet<string>) => writeAndCount(env, db, toWrite, uncounted);
  const queue = ledgerQueue(env);
  if (queue) {
    postRows(ctx, queue, rows, counted, direct);
    return Promise.resolve();
  }
  const written = direct(rows, new Set(counted ? [] : rows.map((row) => row.requestId))).catch(() => undefined);
  ctx.waitUntil(written);
  return written;
}
