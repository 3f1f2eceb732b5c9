/** Key material: generation, hashing, and a comparison that does not leak timing. */

const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** Lowercase hex; on every call's path (its request id, its key's digest), so one lookup a byte. */
export function hex(bytes: ArrayBuffer | Uint8Array): string {
  let out = "";
  for (const b of new Uint8Array(bytes)) out += BYTE_HEX[b];
  return out;
}

export function randomHex(bytes: number): string {
  return hex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A new API key: 256 random bits, so a plain SHA-256 is enough to store it safely. */
export function newApiKey(): string {
  return `nm_${randomHex(32)}`;
}

/** A presented secret's SHA-256: computed once per request, for the admin check and the key lookup both. */
export class Digest {
  private constructor(readonly bytes: ArrayBuffer) {}

  static async of(text: string): Promise<Digest> {
    return new Digest(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  }

  get hex(): string {
    return hex(this.bytes);
  }

  /** Constant-time equality (over digests, so the secrets' lengths leak nothing either). */
  equals(other: Digest): boolean {
    return crypto.subtle.timingSafeEqual(this.bytes, other.bytes);
  }
}

export async function sha256Hex(text: string): Promise<string> {
  return (await Digest.of(text)).hex;
}

let adminDigest: { token: string; digest: Digest } | undefined;

/** The admin token's digest, computed once per isolate rather than on every request. */
export async function adminTokenDigest(token: string): Promise<Digest> {
  if (adminDigest?.token !== token) adminDigest = { token, digest: await Digest.of(token) };
  return adminDigest.digest;
}
