import type { NewLedgerRow } from "../db/schema";
import type { LedgerMessage } from "./ledger";

/**
 * Calls that end within OUTBOX_WINDOW_MS of each other in one isolate send their rows to the
 * ledger queue as one message. Queues bill, and cap, messages (about 3 operations each; 5 000
 * messages a second per queue), and a send is the costliest thing a call does after the upstream
 * call (about 0.28 ms of CPU in local workerd, BENCHMARKS.md run J). 100 ms, not 10: at one call
 * at a time (3 ms a call locally) 10 ms still sent a message every third call, and that send ran
 * while the next call was being served (BENCHMARKS.md run K). A row's 100 ms in memory is what
 * the README states as at risk; at a call every few seconds each message holds one call's rows.
 */
export const OUTBOX_WINDOW_MS = 100;
/** At most this many rows a message (a row is well under 1 KB; a message may be 128 KB). */
export const OUTBOX_MAX_ROWS = 20;

interface Outbox {
  rows: NewLedgerRow[];
  uncounted: string[];
  sent: boolean;
}

/** Writes a message's rows to D1 when the queue refused it, counting its `uncounted` requests in their gates. */
export type Fallback = (rows: NewLedgerRow[], uncounted: ReadonlySet<string>) => Promise<unknown>;

/** The isolate's open outbox per queue binding (one in a deployment; tests may pass others). */
const open = new WeakMap<Queue<LedgerMessage>, Outbox>();

/**
 * Puts a call's rows in the isolate's open outbox. The call that opens it sends it when the
 * window ends, inside its own ctx.waitUntil; the call that fills it sends it at once, inside
 * its own. No call waits on another's promise (a promise settled from another request's context
 * is cancelled when that request ends first), and every row is in some call's waitUntil until
 * its message is sent. When a send fails, `fallback` writes the message's rows to D1 instead.
 * `counted` false: the rows' cost is not yet in their key's gate, and the message says so.
 */
export function postRows(
  ctx: Pick<ExecutionContext, "waitUntil">,
  queue: Queue<LedgerMessage>,
  rows: NewLedgerRow[],
  counted: boolean,
  fallback: Fallback,
): void {
  let outbox = open.get(queue);
  if (!outbox) {
    const opened: Outbox = { rows: [], uncounted: [], sent: false };
    open.set(queue, opened);
    outbox = opened;
    ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, OUTBOX_WINDOW_MS)).then(() => send(queue, opened, fallback)));
  }
  outbox.rows.push(...rows);
  if (!counted) outbox.uncounted.push(...new Set(rows.map((row) => row.requestId)));
  if (outbox.rows.length >= OUTBOX_MAX_ROWS) ctx.waitUntil(send(queue, outbox, fallback));
}

function send(queue: Queue<LedgerMessage>, outbox: Outbox, fallback: Fallback): Promise<void> {
  if (outbox.sent) return Promise.resolve();
  outbox.sent = true;
  if (open.get(queue) === outbox) open.delete(queue);
  const message: LedgerMessage = outbox.uncounted.length > 0 ? { rows: outbox.rows, uncounted: outbox.uncounted } : { rows: outbox.rows };
  return queue.send(message).then(
    () => undefined,
    () => fallback(message.rows, new Set(outbox.uncounted)).then(() => undefined, () => undefined),
  );
}
