/**
 * Turns preference pairs into what the trainer reads: one feature row per distinct
 * (prompt, response) text and index arrays saying which rows each pair compares.
 */
import type { PairSet } from './bradley-terry';
import type { Featurizer } from './featurize';
import { rowCount, selectRows, toRows, type SparseRows, type SparseVector } from './sparse';

export interface TrainingPair {
  prompt: string;
  a: string;
  b: string;
  /** P(A ≻ B) the label asserts: 1, 0, 0.5 for a tie, or in between for a graded judgment */
  target: number;
  /** graded strength × annotator reliability; 1 when unknown */
  weight: number;
}

export interface EncodedPairs {
  rows: SparseRows;
  pairs: PairSet;
}

/** Featurizes each distinct text once. Deterministic row order (first appearance). */
export function encodePairs(
  featurizer: Featurizer,
  pairs: readonly TrainingPair[],
  names?: Map<number, string>,
  onProgress?: (done: number, total: number) => void,
): EncodedPairs {
  const rowOf = new Map<string, number>();
  const vectors: SparseVector[] = [];
  const row = (prompt: string, text: string): number => {
    const key = `${prompt}\u0000${text}`;
    let r = rowOf.get(key);
    if (r === undefined) {
      r = vectors.length;
      rowOf.set(key, r);
      vectors.push(featurizer.featurize(prompt, text, names));
    }
    return r;
  };
  const set: PairSet = {
    a: new Int32Array(pairs.length),
    b: new Int32Array(pairs.length),
    target: new Float64Array(pairs.length),
    weight: new Float64Array(pairs.length),
  };
  pairs.forEach((p, i) => {
    set.a[i] = row(p.prompt, p.a);
    set.b[i] = row(p.prompt, p.b);
    set.target[i] = p.target;
    set.weight[i] = p.weight;
    if (onProgress && (i + 1) % 2000 === 0) onProgress(i + 1, pairs.length);
  });
  return { rows: toRows(vectors, featurizer.dim), pairs: set };
}

/** The pairs at positions `ids`, sharing the same rows. */
export function subsetPairs(set: PairSet, ids: ArrayLike<number>): PairSet {
  const out: PairSet = {
    a: new Int32Array(ids.length),
    b: new Int32Array(ids.length),
    target: new Float64Array(ids.length),
    weight: new Float64Array(ids.length),
  };
  for (let i = 0; i < ids.length; i++) {
    const j = ids[i]!;
    out.a[i] = set.a[j]!;
    out.b[i] = set.b[j]!;
    out.target[i] = set.target[j]!;
    out.weight[i] = set.weight[j]!;
  }
  return out;
}

/**
 * Only the rows that `sets` compare, renumbered in first-use order, and the sets pointing at them.
 * An inner fit on a sample of the pairs should not pay for scoring every text on each iteration.
 */
export function restrictRows(
  rows: SparseRows,
  sets: readonly PairSet[],
): { rows: SparseRows; sets: PairSet[] } {
  const renumber = new Int32Array(rowCount(rows)).fill(-1);
  const kept: number[] = [];
  const map = (r: number) => {
    if (renumber[r] === -1) {
      renumber[r] = kept.length;
      kept.push(r);
    }
    return renumber[r]!;
  };
  const out = sets.map((set) => ({
    a: set.a.map(map),
    b: set.b.map(map),
    target: set.target,
    weight: set.weight,
  }));
  return { rows: selectRows(rows, kept), sets: out };
}
