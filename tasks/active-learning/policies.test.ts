import { describe, expect, it } from 'vitest';
import { emptyCandidates, ensembleDisagreementOf, type CandidateSet } from './candidates';
import { embeddingLookup, kCenterGreedy } from './diversity';
import { PolicySettingsSchema, rankCandidates, splitOf, type PolicyName } from './policies';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `u${i}`);
const settings = (policy: PolicyName, extra: Record<string, unknown> = {}) =>
  PolicySettingsSchema.parse({ policy, ...extra });

/** Pairs with P(A ≻ B) as given (two outcomes). */
function withModel(pA: number[]): CandidateSet {
  const set = emptyCandidates(ids(pA.length), 2);
  set.probabilities = Float64Array.from(pA.flatMap((p) => [p, 1 - p]));
  return set;
}

function vote(set: CandidateSet, i: number, outcome: number, times = 1) {
  set.votes[i * set.outcomes + outcome]! += times;
  set.judgments[i]! += times;
}

const order = (set: CandidateSet, policy: PolicyName, options = {}, extra = {}) =>
  Array.from(rankCandidates(set, settings(policy, extra), { redundancy: 1, batch: 3, ...options }).order);

describe('selection policies', () => {
  it('are pure and seeded: the same inputs give the same order, another seed another order', () => {
    const set = withModel(Array.from({ length: 50 }, (_, i) => (i % 10) / 10));
    for (const policy of ['random', 'uncertainty', 'hybrid', 'diverse'] as const) {
      expect(order(set, policy)).toEqual(order(set, policy));
    }
    expect(order(set, 'random', {}, { seed: 1 })).not.toEqual(order(set, 'random', {}, { seed: 2 }));
    // the round changes the random parts of each batch, reproducibly
    expect(order(set, 'random', { round: 1 })).toEqual(order(set, 'random', { round: 1 }));
    expect(order(set, 'random', { round: 1 })).not.toEqual(order(set, 'random', { round: 2 }));
  });

  it('random ignores the model, and least-judged serves the fewest answers first', () => {
    const a = withModel([0.5, 0.9, 0.6, 0.99]);
    const b = withModel([0.99, 0.6, 0.9, 0.5]);
    expect(order(a, 'random')).toEqual(order(b, 'random'));
    const set = withModel([0.5, 0.5, 0.5, 0.5]);
    vote(set, 0, 0, 2);
    vote(set, 2, 1, 1);
    expect(order(set, 'least-judged', { redundancy: 3 })).toEqual(expect.arrayContaining([1, 3]));
    const served = order(set, 'least-judged', { redundancy: 3 });
    // fresh units first, then the partly answered ones, fewest answers first
    expect(served.slice(0, 2).sort()).toEqual([1, 3]);
    expect(served.slice(2)).toEqual([2, 0]);
  });

  it('uncertainty serves the predictions nearest a coin flip first', () => {
    expect(order(withModel([0.5, 0.9, 0.6, 0.99]), 'uncertainty')).toEqual([0, 2, 1, 3]);
    // three classes: the flattest distribution first
    const set = emptyCandidates(ids(3), 3);
    set.probabilities = Float64Array.from([0.8, 0.1, 0.1, 0.34, 0.33, 0.33, 0.5, 0.5, 0]);
    expect(order(set, 'uncertainty')).toEqual([1, 2, 0]);
  });

  it('falls back to a seeded random order before any model exists', () => {
    const set = emptyCandidates(ids(20), 2);
    expect(order(set, 'uncertainty')).toEqual(order(set, 'random'));
    expect(order(set, 'hybrid').sort()).toEqual(order(set, 'random').sort());
  });

  it('ensemble prefers members that are each sure but disagree over members that are all unsure (BALD)', () => {
    const set = withModel([0.5, 0.5, 0.9]);
    set.memberCount = 2;
    // unit 0: members 0.95 and 0.05; unit 1: both 0.5; unit 2: both 0.9
    set.members = Float64Array.from([0.95, 0.05, 0.05, 0.95, 0.5, 0.5, 0.5, 0.5, 0.9, 0.1, 0.9, 0.1]);
    expect(ensembleDisagreementOf(set, 0)).toBeGreaterThan(0.5);
    expect(ensembleDisagreementOf(set, 1)).toBeCloseTo(0, 10);
    expect(order(set, 'ensemble')[0]).toBe(0);
    // uncertainty cannot tell units 0 and 1 apart: both predict 0.5
    expect(order(set, 'uncertainty').slice(0, 2).sort()).toEqual([0, 1]);
  });

  it('annotator-disagreement: split answers get more (up to the cap), a clear consensus stops early', () => {
    const set = withModel([0.5, 0.5, 0.5, 0.5, 0.5]);
    vote(set, 0, 0); // split 1–1
    vote(set, 0, 1);
    vote(set, 1, 0, 2); // unanimous 2–0
    vote(set, 2, 0, 3); // split 3–2 at the cap of 5
    vote(set, 2, 1, 2);
    vote(set, 3, 0); // one answer, nothing else known
    const {
      order: served,
      targets,
      reask,
    } = rankCandidates(set, settings('annotator-disagreement', { cap: 5 }), {
      redundancy: 3,
      batch: 5,
    });
    // the split unit jumps the queue; then fresh before partly answered (breadth-first)
    expect(Array.from(served)).toEqual([0, 4, 3]);
    expect(targets[0]).toBe(3); // one more than it has
    expect(targets[1]).toBe(2); // stopped before the redundancy of 3
    expect(targets[2]).toBe(5); // at the cap: no more
    expect(Array.from(reask)).toEqual([1, 0, 0, 0, 0]);
  });

  it('counts a confident model against a lone answer as a split, and a model that backs it as none', () => {
    const set = withModel([0.05, 0.95, 0.5]);
    for (let i = 0; i < 3; i++) vote(set, i, 0); // each answered "A"
    const s = settings('annotator-disagreement');
    expect(splitOf(set, 0, s.modelVoteWeight)).toBeGreaterThan(s.splitThreshold);
    expect(splitOf(set, 1, s.modelVoteWeight)).toBe(0);
    expect(splitOf(set, 2, s.modelVoteWeight)).toBe(0);
    // redundancy 1: only the contradicted answer is asked again
    expect(order(set, 'annotator-disagreement')).toEqual([0]);
    // policies without the disagreement signal never ask again at redundancy 1
    expect(order(set, 'uncertainty')).toEqual([]);
  });

  it('diverse spreads a batch over feature space where top-k uncertainty takes one cluster', () => {
    // 20 units in two tight clusters; the first cluster is slightly more uncertain
    const n = 20;
    const set = withModel(Array.from({ length: n }, (_, i) => (i < 10 ? 0.5 + i * 0.001 : 0.6 + i * 0.001)));
    set.embeddingDims = 2;
    set.embedding = embeddingLookup(
      Float32Array.from(
        Array.from({ length: n }, (_, i) => (i < 10 ? [0 + i * 0.01, 0] : [1 + i * 0.01, 1])).flat(),
      ),
      2,
    );
    const cluster = (i: number) => (i < 10 ? 'a' : 'b');
    const topK = order(set, 'uncertainty', { batch: 4 }).slice(0, 4);
    const spread = order(set, 'diverse', { batch: 4 }, { diversityPool: 5 }).slice(0, 4);
    expect(new Set(topK.map(cluster))).toEqual(new Set(['a']));
    expect(new Set(spread.map(cluster))).toEqual(new Set(['a', 'b']));
    // the batch starts from the most uncertain unit
    expect(spread[0]).toBe(0);
  });

  it('k-center picks the farthest point each time', () => {
    const embedding = Float32Array.from([0, 0, 0.1, 0, 5, 0, 2.5, 0]);
    expect(kCenterGreedy(embedding, 2, 4, 3)).toEqual([0, 2, 3]);
    expect(kCenterGreedy(embedding, 2, 0, 3)).toEqual([]);
  });

  it('hybrid explores: a share of each batch is drawn at random, and the ablation switches it off', () => {
    const n = 200;
    const set = withModel(Array.from({ length: n }, (_, i) => 0.5 + (0.49 * i) / n));
    const served = order(set, 'hybrid', { batch: 20 }, { without: ['ensemble', 'diversity'] });
    const plain = order(set, 'hybrid', { batch: 20 }, { without: ['ensemble', 'diversity', 'exploration'] });
    // without exploration the batch is exactly the 20 most uncertain units
    expect(plain.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // with the default 10%, two of the first twenty come from elsewhere
    expect(served.slice(0, 20).filter((i) => i >= 20)).toHaveLength(2);
    expect(served).toHaveLength(n);
  });

  it('refuses settings outside their range with a message', () => {
    expect(() => PolicySettingsSchema.parse({ policy: 'smart' })).toThrow(/Policy: one of random/);
    expect(() => PolicySettingsSchema.parse({ cap: 0 })).toThrow(/cap must be at least 1/);
    expect(() => PolicySettingsSchema.parse({ exploration: 2 })).toThrow(/at most 1/);
  });
});
