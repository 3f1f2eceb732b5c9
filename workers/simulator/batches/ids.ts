/** A fresh id for a file, batch, result line or request: the prefix and `hexDigits` random hex digits. */
export function randomId(prefix: string, hexDigits = 32): string {
  return `${prefix}${(crypto.randomUUID() + crypto.randomUUID()).replace(/-/g, '').slice(0, hexDigits)}`;
}
