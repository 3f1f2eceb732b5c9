import { dbFor } from "../db/client";
import type { Env } from "../env";
import { type LedgerMessage, writeAndCount, writeOnce } from "./ledger";

/** The wait before a message's next delivery: 2^attempts seconds, at most five minutes. */
export const retryDelaySeconds = (attempts: number) => Math.min(300, 2 ** Math.max(1, attempts));

/**
 * The ledger queue's consumer (the `queue` handler): a delivered batch of messages is written
 * to D1 in one transaction (writeOnce), and acknowledged only once written. The ledger's unique
 * (request_id, attempt) makes a row already written a no-op, and what is kept in step with each
 * inserted row (key_spend, the rollup, the key's gate for a call that held no reservation) moves
 * only for rows really inserted: a batch
 * delivered twice, or again after a partial failure, counts nothing twice. When the batch as a
 * whole fails, each message is tried alone, so one bad message cannot hold back the others;
 * those that fail are retried with backoff (D1 down for a while: they wait in the queue), and
 * after the queue's max_retries go to its dead-letter queue.
 */
export async function consumeLedger(batch: MessageBatch<LedgerMessage>, env: Pick<Env, "DB" | "KEY_GATE">): Promise<{ written: number; retried: number }> {
  const db = dbFor(env.DB);
  const rows = batch.messages.flatMap((m) => m.body.rows);
  const uncounted = (messages: readonly Message<LedgerMessage>[]) => new Set(messages.flatMap((m) => m.body.uncounted ?? []));
  try {
    await writeAndCount(env, db, rows, uncounted(batch.messages), writeOnce);
    batch.ackAll();
    return { written: batch.messages.length, retried: 0 };
  } catch {
    let retried = 0;
    for (const message of batch.messages) {
      try {
        await writeAndCount(env, db, message.body.rows, uncounted([message]), writeOnce);
        message.ack();
      } catch (err) {
        retried += 1;
        console.error("ledger message not written, retried", message.id, message.attempts, err instanceof Error ? err.message : String(err));
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }
    return { written: batch.messages.length - retried, retried };
  }
}
