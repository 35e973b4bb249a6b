/**
 * What a selection policy sees: one column per signal over all candidate units (pairs or sentiment
 * items), so a million candidates are a handful of typed arrays rather than a million objects.
 */

export interface CandidateSet {
  ids: readonly string[];
  /** outcomes per unit: 2 for a pair (A, B), the number of classes for an item */
  outcomes: number;
  /** the model's predicted distribution, row-major [unit][outcome]; null before a model exists */
  probabilities: Float64Array | null;
  /**
   * each ensemble member's distribution, row-major [unit][member][outcome]; null when the model has
   * a single member (then the ensemble signal falls back to uncertainty)
   */
  members: Float64Array | null;
  memberCount: number;
  /** human answers so far, row-major [unit][outcome] (a tie counts half to each side) */
  votes: Float64Array;
  /** answers so far per unit (votes summed, ties counted once) */
  judgments: Int32Array;
  /**
   * a dense, low-dimensional picture of the given units' features, row-major [unit][dims] in the
   * order asked, for spreading a batch over feature space; null when the caller has none (then
   * diversity is skipped). A function, because the app embeds only the few units a batch draws on.
   */
  embedding: ((units: readonly number[]) => Float32Array) | null;
  embeddingDims: number;
  /**
   * the spread (standard deviation) of the members' P(first outcome), when the members themselves
   * are not at hand (stored pair scores keep only this); used for the ensemble signal then
   */
  memberSpread: Float64Array | null;
}

/** An empty-votes candidate set over `ids` (callers fill in what they know). */
export function emptyCandidates(ids: readonly string[], outcomes: number): CandidateSet {
  return {
    ids,
    outcomes,
    probabilities: null,
    members: null,
    memberCount: 0,
    votes: new Float64Array(ids.length * outcomes),
    judgments: new Int32Array(ids.length),
    embedding: null,
    embeddingDims: 0,
    memberSpread: null,
  };
}

/** Entropy of a distribution in [start, start + n) of `values`, divided by log n (0 sure … 1 uniform). */
export function normalizedEntropyAt(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 2) return 0;
  let total = 0;
  for (let c = 0; c < n; c++) total += values[start + c]!;
  if (!(total > 0)) return 0;
  let h = 0;
  for (let c = 0; c < n; c++) {
    const p = values[start + c]! / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return Math.min(1, Math.max(0, h / Math.log(n)));
}

/** Model uncertainty of unit i: normalized entropy of its predicted distribution (0.5 unknown → 1). */
export function uncertaintyOf(set: CandidateSet, i: number): number {
  if (!set.probabilities) return 1;
  return normalizedEntropyAt(set.probabilities, i * set.outcomes, set.outcomes);
}

/**
 * BALD for an ensemble: the mutual information between the outcome and the member, i.e. the
 * entropy of the mean prediction minus the members' mean entropy, over log(outcomes). High when
 * members are each confident but disagree — the part of the uncertainty more labels can remove.
 */
export function ensembleDisagreementOf(set: CandidateSet, i: number): number {
  const k = set.outcomes;
  const m = set.memberCount;
  // a Bernoulli probability's standard deviation is at most 0.5: twice it is a share, like BALD
  if (!set.members && set.memberSpread) return Math.min(1, 2 * set.memberSpread[i]!);
  if (!set.members || m < 2) return uncertaintyOf(set, i);
  const base = i * m * k;
  const mean = new Float64Array(k);
  let memberEntropy = 0;
  for (let j = 0; j < m; j++) {
    for (let c = 0; c < k; c++) mean[c]! += set.members[base + j * k + c]! / m;
    memberEntropy += normalizedEntropyAt(set.members, base + j * k, k) / m;
  }
  return Math.max(0, normalizedEntropyAt(mean, 0, k) - memberEntropy);
}

/** Share of unit i's votes held by its most-voted outcome (1 when unanimous; 0 without votes). */
export function majorityShareOf(set: CandidateSet, i: number): number {
  const k = set.outcomes;
  let total = 0;
  let top = 0;
  for (let c = 0; c < k; c++) {
    const v = set.votes[i * k + c]!;
    total += v;
    top = Math.max(top, v);
  }
  return total > 0 ? top / total : 0;
}
