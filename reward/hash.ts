/**
 * 32-bit MurmurHash3 over UTF-16 code units, and an integer mixer for combining token hashes into
 * n-gram hashes. Deterministic across machines and Node versions (pure integer arithmetic).
 */

/** MurmurHash3 (x86, 32-bit) of the string's UTF-16 code units, seeded. */
export function murmur3(text: string, seed = 0): number {
  let h = seed >>> 0;
  const n = text.length;
  let i = 0;
  // two code units per 32-bit block
  for (; i + 1 < n; i += 2) {
    let k = (text.charCodeAt(i) & 0xffff) | ((text.charCodeAt(i + 1) & 0xffff) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = text.charCodeAt(i) & 0xffff;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n * 2;
  return fmix(h);
}

/** Murmur's finalizer: a bijective avalanche on 32 bits. */
export function fmix(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Order-sensitive combination of two hashes (an n-gram's prefix and its next token). */
export function combine(prefix: number, next: number): number {
  return fmix((Math.imul(prefix, 0x9e3779b1) + next) | 0);
}
