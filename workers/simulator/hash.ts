/** Small deterministic hashing helpers (FNV-1a, 32 bit); not cryptographic. */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function hashString(text: string, seed = FNV_OFFSET): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** Mixes one integer into a running hash. */
export function mixInt(hash: number, value: number): number {
  let h = hash >>> 0;
  for (let shift = 0; shift < 32; shift += 8) {
    h ^= (value >>> shift) & 0xff;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** A number in [0, 1) derived from a seed and a label. */
export function unitFloat(seed: number, label: string): number {
  return hashString(label, seed) / 0x100000000;
}

/** Picks one element deterministically. */
export function pick<T>(items: readonly T[], seed: number, label: string): T {
  const index = Math.floor(unitFloat(seed, label) * items.length);
  return items[index] as T;
}

export function hexId(text: string, length: number): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    out += hashString(text, mixInt(FNV_OFFSET, round)).toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}
