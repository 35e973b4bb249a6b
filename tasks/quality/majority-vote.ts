/**
 * Consensus by (weighted) majority vote over crowd labels: the baseline Dawid-Skene is compared
 * against, and its starting point.
 */
import type { Rng } from '../rng';
import { encode, type LabelRow } from './label-rows';

export interface VoteResult {
  consensus: Map<string, string>;
  /** share of the winning label per item */
  support: Map<string, number>;
}

export interface MajorityVoteOptions {
  classes?: readonly string[];
  /** per-annotator weight, multiplied with the row's weight; annotators not in the map weigh 1 */
  weights?: ReadonlyMap<string, number>;
  /** 'first-class' (default) takes the tied class that comes first in the class order */
  tieBreak?: 'first-class' | Rng;
}

/**
 * Weighted majority vote per item. Each label counts its row weight times its annotator's weight;
 * the consensus is the class with the largest total and `support` is that total's share of the
 * item's total. Deterministic unless `tieBreak` is an rng: exact ties (up to float rounding) go to
 * the tied class that comes first in the class order (explicit `classes`, else labels sorted).
 * Items whose labels all weigh 0 get no consensus. Throws on a label outside explicit `classes`
 * or a negative weight.
 */
export function majorityVote(rows: readonly LabelRow[], options: MajorityVoteOptions = {}): VoteResult {
  const enc = encode(rows, options.classes);
  const K = enc.classes.length;
  const annotatorWeight = enc.annotators.map((a) => {
    const w = options.weights?.get(a) ?? 1;
    if (!Number.isFinite(w) || w < 0)
      throw new Error(`annotator weight must be a finite number ≥ 0, got ${w}`);
    return w;
  });
  const tally = new Float64Array(enc.items.length * K);
  for (let r = 0; r < enc.item.length; r++) {
    tally[enc.item[r]! * K + enc.label[r]!]! += enc.weight[r]! * annotatorWeight[enc.annotator[r]!]!;
  }
  const consensus = new Map<string, string>();
  const support = new Map<string, number>();
  const tied: number[] = [];
  for (let i = 0; i < enc.items.length; i++) {
    let total = 0;
    let max = 0;
    for (let k = 0; k < K; k++) {
      const t = tally[i * K + k]!;
      total += t;
      if (t > max) max = t;
    }
    if (total <= 0) continue;
    tied.length = 0;
    // Weighted sums of the same labels in a different order can differ in the last bit.
    for (let k = 0; k < K; k++) if (tally[i * K + k]! >= max * (1 - 1e-12)) tied.push(k);
    const rng = options.tieBreak;
    const k =
      typeof rng === 'function' && tied.length > 1 ? tied[Math.floor(rng() * tied.length)]! : tied[0]!;
    consensus.set(enc.items[i]!, enc.classes[k]!);
    support.set(enc.items[i]!, tally[i * K + k]! / total);
  }
  return { consensus, support };
}
