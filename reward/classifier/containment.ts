/**
 * Which texts are fragments of other texts. Some corpora label a sentence and also its phrases
 * (SST-2 has about 67k phrases from under 7k sentences); near-duplicates (quotes, retweets) do the
 * same on a smaller scale. A validation split that puts a sentence on one side and its phrases on
 * the other measures memory, not generalization, and picks a far too weak L2 penalty and an
 * overconfident temperature. The trainer therefore validates on whole texts only and keeps their
 * fragments out of the matching training side (see train.ts).
 */
import { combine, murmur3 } from '../hash';
import { tokenize } from '../tokenize';

const MIN_TOKENS = 3;

/**
 * For each text, the indices of the longer texts that contain it as a run of whole tokens
 * (case-insensitive), or an empty list. Texts under three tokens are treated as never contained:
 * a word or two carries lexicon knowledge that generalizes, not a memorized sentence. Finds
 * candidates through each text's rarest token trigram, so it stays near-linear on large corpora.
 */
export function containers(texts: readonly string[]): number[][] {
  const normalized = texts.map((t) => tokenize(t, true));
  const joined = normalized.map((tokens) => ` ${tokens.join(' ')} `);
  const trigrams = normalized.map((tokens) => {
    const hashes = tokens.map((t) => murmur3(t));
    const out = new Set<number>();
    for (let i = 0; i + 2 < hashes.length; i++)
      out.add(combine(combine(hashes[i]!, hashes[i + 1]!), hashes[i + 2]!));
    return [...out];
  });
  const postings = new Map<number, number[]>();
  trigrams.forEach((grams, i) => {
    for (const g of grams) {
      const list = postings.get(g);
      if (list) list.push(i);
      else postings.set(g, [i]);
    }
  });
  return normalized.map((tokens, i) => {
    if (tokens.length < MIN_TOKENS) return [];
    let rarest: number[] | undefined;
    for (const g of trigrams[i]!) {
      const list = postings.get(g)!;
      if (!rarest || list.length < rarest.length) rarest = list;
    }
    const out: number[] = [];
    for (const j of rarest ?? []) {
      if (j !== i && normalized[j]!.length > tokens.length && joined[j]!.includes(joined[i]!)) out.push(j);
    }
    return out;
  });
}

/**
 * Validation folds over whole texts: each text that no other text contains gets a fold (in the
 * seeded `order` given, round-robin); fragments get none. Fold f validates on its whole texts and
 * trains on every text that is neither one of them nor a fragment of one of them.
 */
export function wholeTextFolds(
  containedBy: readonly number[][],
  order: readonly number[],
  folds: number,
): { train: number[]; valid: number[] }[] {
  const fold = new Int32Array(containedBy.length).fill(-1);
  let next = 0;
  for (const i of order) if (containedBy[i]!.length === 0) fold[i] = next++ % folds;
  return Array.from({ length: folds }, (_, f) => {
    const valid: number[] = [];
    const train: number[] = [];
    for (const i of order) {
      if (fold[i] === f) valid.push(i);
      else if (!containedBy[i]!.some((j) => fold[j] === f)) train.push(i);
    }
    return { train, valid };
  });
}

/**
 * One validation split for large data: whole texts (in `order`) go to validation, each taking its
 * fragments out of training with it, until validation and the fragments it removed account for
 * `validShare` of `size` texts; training is the next texts of `order` that are neither, up to
 * `size` in all. Without fragments this is a plain random split of the first `size` texts.
 */
export function wholeTextSplit(
  containedBy: readonly number[][],
  order: readonly number[],
  size: number,
  validShare: number,
): { train: number[]; valid: number[] } {
  const inValid = new Uint8Array(containedBy.length);
  const valid: number[] = [];
  const budget = Math.max(1, Math.round(size * validShare));
  let removed = 0;
  // fragments of a text, found once: the inverse of containedBy
  const fragments = new Map<number, number[]>();
  containedBy.forEach((list, i) => {
    for (const j of list) {
      const f = fragments.get(j);
      if (f) f.push(i);
      else fragments.set(j, [i]);
    }
  });
  const taken = new Uint8Array(containedBy.length);
  for (const i of order) {
    if (removed >= budget) break;
    if (containedBy[i]!.length > 0 || taken[i]) continue;
    inValid[i] = 1;
    taken[i] = 1;
    valid.push(i);
    removed++;
    for (const f of fragments.get(i) ?? []) {
      if (!taken[f]) {
        taken[f] = 1;
        removed++;
      }
    }
  }
  const train: number[] = [];
  for (const i of order) {
    if (train.length + removed >= size) break;
    if (!taken[i]) train.push(i);
  }
  return { train, valid };
}
