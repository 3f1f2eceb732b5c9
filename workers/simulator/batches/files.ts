/**
 * The Files API's store: OpenAI's `File` objects and their bytes, in memory. Bounded by total
 * size (the oldest files are evicted first); a file past its `expires_at` (by the injectable
 * clock) is gone.
 */
import { InvalidRequestError } from '../errors';
import { randomId } from './ids';

/** What an upload may say (CreateFileRequest's purposes that the File object can also report). */
export const UPLOAD_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data'] as const;
export type FilePurpose = (typeof UPLOAD_PURPOSES)[number] | 'batch_output';

export const MAX_STORED_BYTES = 256 * 1024 * 1024;
const DAY_SECONDS = 24 * 60 * 60;
/** OpenAI: "files with purpose=batch expire after 30 days"; others stay until deleted. */
const DEFAULT_EXPIRY_SECONDS: Partial<Record<FilePurpose, number>> = { batch: 30 * DAY_SECONDS };

export type FileObject = {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at?: number;
  filename: string;
  purpose: FilePurpose;
  status: 'processed';
};

type StoredFile = { file: FileObject; content: Uint8Array };

/** `{anchor: "created_at", seconds}` (FileExpirationAfter), checked; undefined when absent. */
export function expiresAfterSeconds(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const { anchor, seconds } = (typeof value === 'object' ? value : {}) as { anchor?: unknown; seconds?: unknown };
  if (anchor !== 'created_at') throw new InvalidRequestError(`'${param}.anchor' must be 'created_at'.`, `${param}.anchor`);
  if (!Number.isInteger(seconds) || (seconds as number) < 3600 || (seconds as number) > 30 * DAY_SECONDS) {
    throw new InvalidRequestError(`'${param}.seconds' must be an integer between 3600 and 2592000.`, `${param}.seconds`);
  }
  return seconds as number;
}

export function noSuchFile(id: string, param = 'file_id'): InvalidRequestError {
  return new InvalidRequestError(`No such File object: ${id}`, param, null, 404);
}

export class FileStore {
  /** Insertion order is creation order, so the first entry is the oldest. */
  private readonly files = new Map<string, StoredFile>();
  private storedBytes = 0;

  constructor(private readonly now: () => number) {}

  add(filename: string, purpose: FilePurpose, content: Uint8Array, expiresAfter?: number): FileObject {
    if (content.byteLength > MAX_STORED_BYTES) {
      throw new InvalidRequestError(`The simulator keeps files up to ${MAX_STORED_BYTES} bytes.`, 'file', 'file_too_large', 413);
    }
    const createdAt = Math.floor(this.now() / 1000);
    const lifetime = expiresAfter ?? DEFAULT_EXPIRY_SECONDS[purpose];
    const file: FileObject = {
      id: randomId('file-', 22),
      object: 'file',
      bytes: content.byteLength,
      created_at: createdAt,
      ...(lifetime === undefined ? {} : { expires_at: createdAt + lifetime }),
      filename,
      purpose,
      status: 'processed',
    };
    for (const oldest of this.files.keys()) {
      if (this.storedBytes + content.byteLength <= MAX_STORED_BYTES) break;
      this.delete(oldest);
    }
    this.files.set(file.id, { file, content });
    this.storedBytes += content.byteLength;
    return file;
  }

  /** The file and its bytes; a 404 when unknown, deleted or expired. */
  get(id: string, param?: string): StoredFile {
    const stored = this.files.get(id);
    if (!stored || this.expired(stored.file)) throw noSuchFile(id, param);
    return stored;
  }

  /** Live files, oldest first. */
  list(): FileObject[] {
    return [...this.files.values()].map((stored) => stored.file).filter((file) => !this.expired(file));
  }

  delete(id: string): boolean {
    const stored = this.files.get(id);
    if (!stored) return false;
    this.files.delete(id);
    this.storedBytes -= stored.content.byteLength;
    return !this.expired(stored.file);
  }

  private expired(file: FileObject): boolean {
    return file.expires_at !== undefined && file.expires_at * 1000 <= this.now();
  }
}
