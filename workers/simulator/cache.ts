/**
 * Prompt-cache emulation with OpenAI's rules: a prompt is cacheable at prefix lengths 1024,
 * 1152, 1280, ... (1024-token minimum, 128-token steps) up to its length. A request's
 * cached_tokens is the longest such prefix an earlier request in the same scope (model +
 * prompt_cache_key) already stored and that has not expired. After a successful request all its
 * prefixes are stored for `ttlMs`, measured with the injectable clock.
 */
import { hashString, mixInt } from './hash';

export const CACHE_MIN_TOKENS = 1024;
export const CACHE_STEP_TOKENS = 128;

export type PromptCacheOptions = {
  ttlMs: number;
  maxEntries: number;
  now: () => number;
};

/** Prefix keys (scope + length + two independent hashes of the tokens), shortest first. */
function prefixKeys(scope: string, tokens: readonly number[]): string[] {
  const keys: string[] = [];
  let low = hashString(scope);
  let high = hashString(scope, 0x9e3779b9);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as number;
    low = mixInt(low, token);
    high = mixInt(high, token ^ 0x5bd1e995);
    const length = i + 1;
    if (length >= CACHE_MIN_TOKENS && (length - CACHE_MIN_TOKENS) % CACHE_STEP_TOKENS === 0) {
      keys.push(`${length}:${low.toString(36)}:${high.toString(36)}`);
    }
  }
  return keys;
}

export class PromptCache {
  /** key → expiry time; Map order is insertion order, so the first entry is the oldest. */
  private readonly entries = new Map<string, number>();

  constructor(private readonly options: PromptCacheOptions) {}

  /** Cached tokens for this prompt, before it is stored. */
  lookup(scope: string, tokens: readonly number[]): number {
    const now = this.options.now();
    const keys = prefixKeys(scope, tokens);
    for (let i = keys.length - 1; i >= 0; i--) {
      const expiry = this.entries.get(keys[i] as string);
      if (expiry !== undefined && expiry > now) return CACHE_MIN_TOKENS + i * CACHE_STEP_TOKENS;
    }
    return 0;
  }

  /** Stores every cacheable prefix of this prompt with a fresh expiry. */
  store(scope: string, tokens: readonly number[]): void {
    const expiry = this.options.now() + this.options.ttlMs;
    for (const key of prefixKeys(scope, tokens)) {
      this.entries.delete(key);
      this.entries.set(key, expiry);
    }
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}

/** Tokens a prompt writes to the cache: its longest cacheable prefix beyond what was already cached. */
export function cacheWriteTokens(promptTokens: number, cachedTokens: number): number {
  if (promptTokens < CACHE_MIN_TOKENS) return 0;
  const longest = CACHE_MIN_TOKENS + Math.floor((promptTokens - CACHE_MIN_TOKENS) / CACHE_STEP_TOKENS) * CACHE_STEP_TOKENS;
  return Math.max(0, longest - cachedTokens);
}

export function cacheScope(model: string, promptCacheKey: string | undefined): string {
  return promptCacheKey === undefined ? model : `${model}\u0000${promptCacheKey}`;
}
