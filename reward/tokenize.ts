/**
 * Word tokenization shared by the featurizer's n-grams and its hand-written features: runs of
 * letters/digits (apostrophes kept inside words) and single punctuation marks, so "don't!" is
 * ["don't", "!"]. Whitespace is dropped; markdown markers survive as punctuation tokens.
 */
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[^\s\p{L}\p{N}]/gu;

export function tokenize(text: string, lowercase: boolean): string[] {
  const source = lowercase ? text.toLowerCase() : text;
  return source.match(TOKEN) ?? [];
}

const WORD = /^[\p{L}\p{N}]/u;

/** Only the word tokens (no punctuation). */
export function words(tokens: readonly string[]): string[] {
  return tokens.filter((t) => {
    const c = t.charCodeAt(0);
    // ASCII decides by arithmetic (almost every token); the rest through the Unicode classes
    if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    return WORD.test(t);
  });
}
