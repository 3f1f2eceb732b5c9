/**
 * Stored responses (`store` is true by default), bounded like the prompt cache: past the cap the
 * oldest are evicted. A background response is computed when it is created but shows its answer
 * only once its delay has passed on the injectable clock: `queued` for the first half of the
 * delay, `in_progress` for the second, then done; cancelled before that, it stays `cancelled`.
 */
import { unfinishedResponse } from './output';
import type { Item, ResponseObject } from './types';

export type StoredResponse = {
  id: string;
  /** The Response as it is once done (completed or incomplete). */
  finished: ResponseObject;
  /** Everything the response was given: the previous response's context and output, then its own input. */
  inputItems: Item[];
  /** Background only: when it was created and when it is done, in epoch ms. */
  background: { createdAtMs: number; readyAtMs: number; cancelled: boolean } | null;
};

/** The Response as it stands at `now`. */
export function currentResponse(record: StoredResponse, now: number): ResponseObject {
  const background = record.background;
  if (!background || (!background.cancelled && now >= background.readyAtMs)) return record.finished;
  if (background.cancelled) return unfinishedResponse(record.finished, 'cancelled');
  const halfway = (background.createdAtMs + background.readyAtMs) / 2;
  return unfinishedResponse(record.finished, now < halfway ? 'queued' : 'in_progress');
}

export class ResponseStore {
  /** Insertion order is age, so the first entry is the oldest. */
  private readonly records = new Map<string, StoredResponse>();
  /** Item id → the response that holds it, for `item_reference` inputs. */
  private readonly itemOwners = new Map<string, string>();

  constructor(private readonly maxEntries: number) {}

  add(record: StoredResponse): void {
    this.records.set(record.id, record);
    for (const item of itemsOf(record)) this.itemOwners.set(item.id, record.id);
    for (const oldest of this.records.keys()) {
      if (this.records.size <= this.maxEntries) break;
      this.delete(oldest);
    }
  }

  get(id: string): StoredResponse | undefined {
    return this.records.get(id);
  }

  delete(id: string): boolean {
    const record = this.records.get(id);
    if (!record) return false;
    this.records.delete(id);
    for (const item of itemsOf(record)) {
      if (this.itemOwners.get(item.id) === id) this.itemOwners.delete(item.id);
    }
    return true;
  }

  /** A stored input or output item by its id. */
  item(id: string): Item | undefined {
    const record = this.records.get(this.itemOwners.get(id) ?? '');
    return record && itemsOf(record).find((item) => item.id === id);
  }
}

function itemsOf(record: StoredResponse): Item[] {
  return [...record.inputItems, ...record.finished.output];
}
