import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  bootstrapFleiss,
  bootstrapInterval,
  bootstrapKrippendorff,
  cohenKappa,
  fleissKappa,
  krippendorffAlpha,
  pairwiseCohen,
  toReliabilityData,
  type Level,
  type ReliabilityData,
  type Value,
} from './agreement';

const _ = null;
/** coder rows → units × coders */
const byUnit = (coders: (Value | null)[][]): (Value | null)[][] =>
  coders[0]!.map((_v, u) => coders.map((row) => row[u] ?? null));

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E: 4 observers, 12 units,
// missing data; the paper gives α nominal 0.743, ordinal 0.815, interval 0.849. Unit 12 has one value.
const paper = byUnit([
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]);
const letters = paper.map((row) => row.map((v) => (v === null ? null : 'abcde'[Number(v) - 1]!)));

/** Alpha straight from the definitions, every pair of values: the reference for the fast path. */
function naiveAlpha(data: ReliabilityData, level: Level, order?: readonly Value[]): number {
  const units = data.map((row) => row.filter((v): v is Value => v !== null && v !== undefined));
  const pairable = units.filter((u) => u.length >= 2);
  const all = pairable.flat();
  const n = all.length;
  const freq = new Map<Value, number>();
  for (const v of all) freq.set(v, (freq.get(v) ?? 0) + 1);
  const scale = order ?? [...freq.keys()].sort((x, y) => Number(x) - Number(y));
  const delta2 = (c: Value, k: Value): number => {
    if (level === 'nominal') return c === k ? 0 : 1;
    if (level === 'interval') return (Number(c) - Number(k)) ** 2;
    let [i, j] = [scale.indexOf(c), scale.indexOf(k)];
    if (i > j) [i, j] = [j, i];
    let between = 0;
    for (let g = i; g <= j; g++) between += freq.get(scale[g]!) ?? 0;
    return (between - ((freq.get(c) ?? 0) + (freq.get(k) ?? 0)) / 2) ** 2;
  };
  let observed = 0;
  for (const u of pairable)
    for (let i = 0; i < u.length; i++)
      for (let j = 0; j < u.length; j++) if (i !== j) observed += delta2(u[i]!, u[j]!) / (u.length - 1);
  let expected = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) expected += delta2(all[i]!, all[j]!);
  return 1 - (observed / n) * ((n * (n - 1)) / expected);
}

/** units × coders with `coders` columns, each unit rated by 2–5 random coders on -3..3 */
function randomScores(seed: number, units: number, coders: number): (number | null)[][] {
  const rng = createRng(seed);
  return Array.from({ length: units }, () => {
    const truth = Math.floor(rng() * 7) - 3;
    const row: (number | null)[] = new Array(coders).fill(null);
    const raters = 2 + Math.floor(rng() * 4);
    for (let r = 0; r < raters; r++) {
      const noise = rng() < 0.6 ? 0 : Math.floor(rng() * 5) - 2;
      row[Math.floor(rng() * coders)] = Math.max(-3, Math.min(3, truth + noise));
    }
    return row;
  });
}

describe('krippendorffAlpha', () => {
  it('reproduces Krippendorff (2011): nominal 0.743, ordinal 0.815, interval 0.849', () => {
    const nominal = krippendorffAlpha(paper, 'nominal');
    expect(nominal.alpha).toBeCloseTo(0.743, 3);
    // 40 pairable values in 11 units; o_ck off the diagonal sums to 8 (units 2, 6 and 8), so D_o = 8/40
    expect(nominal).toMatchObject({ pairable: 40, units: 11 });
    expect(nominal.observed).toBeCloseTo(0.2, 12);
    // n_c = 9, 13, 10, 5, 3: D_e = (40² − Σ n_c²) / (40 · 39) = 1216 / 1560
    expect(nominal.expected).toBeCloseTo(1216 / 1560, 12);
    expect(krippendorffAlpha(paper, 'ordinal').alpha).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(paper, 'interval').alpha).toBeCloseTo(0.849, 3);
  });

  it("reproduces Krippendorff's binary example (2 coders × 10 units): α = 0.095", () => {
    // Same paper, section A: 1 − (20 − 1) · 8 / (2 · 14 · 6) = 0.0952
    const binary = byUnit([
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ]);
    expect(krippendorffAlpha(binary, 'nominal').alpha).toBeCloseTo(1 - (19 * 8) / 168, 12);
    expect(krippendorffAlpha(binary, 'nominal').alpha).toBeCloseTo(0.095, 3);
  });

  it('matches the pairwise definition on random 7-point data with missing values, every level', () => {
    const data = randomScores(7, 60, 8);
    for (const level of ['nominal', 'ordinal', 'interval'] as const)
      expect(krippendorffAlpha(data, level).alpha).toBeCloseTo(naiveAlpha(data, level), 10);
  });

  it('interval works on -3..3 numbers: hand value, and invariant under x → 2x + 5', () => {
    // Values −3 −3 | 3 3 | 0 1 (n = 6): Σ o δ² = 2 · 1² / 1 = 2; Σ n_c n_k δ² = 2·6·37 − 2·1² = 442;
    // α = 1 − (6 − 1) · 2 / 442.
    const small = [
      [-3, -3],
      [3, 3],
      [0, 1],
    ];
    expect(krippendorffAlpha(small, 'interval').alpha).toBeCloseTo(1 - 10 / 442, 12);
    const data = randomScores(3, 80, 6);
    const shifted = data.map((row) => row.map((v) => (v === null ? null : 2 * v + 5)));
    expect(krippendorffAlpha(shifted, 'interval').alpha).toBeCloseTo(
      krippendorffAlpha(data, 'interval').alpha,
      10,
    );
  });

  it('works with strings: nominal as is, ordinal with an explicit order; refuses what it cannot order', () => {
    expect(krippendorffAlpha(letters, 'nominal').alpha).toBeCloseTo(0.743, 3);
    const order = ['a', 'b', 'c', 'd', 'e'];
    expect(krippendorffAlpha(letters, 'ordinal', { order }).alpha).toBeCloseTo(0.815, 3);
    // an order listing categories nobody used changes nothing: ordinal ranks come from the marginals
    expect(krippendorffAlpha(letters, 'ordinal', { order: ['z', ...order] }).alpha).toBeCloseTo(0.815, 3);
    expect(() => krippendorffAlpha(letters, 'ordinal')).toThrow(/explicit order/);
    expect(() => krippendorffAlpha(letters, 'ordinal', { order: ['a', 'b'] })).toThrow(
      /not in the given order/,
    );
    expect(() => krippendorffAlpha(letters, 'interval')).toThrow(/finite numbers/);
  });

  it('is 1 when coders always agree and values vary; NaN when nothing varies or nothing is pairable', () => {
    const agree = [[1, 1, _], [2, 2, 2], [_, 3, 3], [5]];
    for (const level of ['nominal', 'ordinal', 'interval'] as const)
      expect(krippendorffAlpha(agree, level).alpha).toBe(1);
    expect(
      krippendorffAlpha(
        [
          [4, 4],
          [4, 4, 4],
        ],
        'interval',
      ).alpha,
    ).toBeNaN();
    expect(
      krippendorffAlpha(
        [
          [4, 4],
          [4, 4, 4],
        ],
        'nominal',
      ).alpha,
    ).toBeNaN();
    expect(krippendorffAlpha([[1], [2, _]], 'nominal')).toMatchObject({ pairable: 0, units: 0 });
    expect(krippendorffAlpha([[1], [2, _]], 'nominal').alpha).toBeNaN();
    expect(krippendorffAlpha([], 'ordinal').alpha).toBeNaN();
  });

  it('ignores units with a single value, and treats null, undefined and NaN as missing', () => {
    const extra = [...paper, [_, 9, _, _], [undefined, NaN, 1]];
    for (const level of ['nominal', 'ordinal', 'interval'] as const)
      expect(krippendorffAlpha(extra, level)).toEqual(krippendorffAlpha(paper, level));
  });
});

// Wikipedia, "Fleiss' kappa", worked example (after Fleiss 1971): 10 subjects × 5 categories, 14 raters
// each; P̄ = 0.378, P̄e = 0.213, κ = 0.210. Rows are the count table; each becomes 14 ratings.
const fleissCounts = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];
const fleissData = fleissCounts.map((counts) =>
  counts.flatMap((k, category) => new Array<number>(k).fill(category + 1)),
);

describe('fleissKappa', () => {
  it('reproduces the Wikipedia/Fleiss (1971) example: κ = 0.210, P̄ = 0.378, P̄e = 0.213', () => {
    const result = fleissKappa(fleissData);
    expect(result.kappa).toBeCloseTo(0.21, 3);
    expect(result.observed).toBeCloseTo(0.378, 3);
    expect(result.expected).toBeCloseTo(0.213, 3);
    expect(result.units).toBe(10);
  });

  it('handles unequal raters per unit, ignoring units with one rating', () => {
    // P_i = 1, 0, 1 → P̄ = 2/3; p_a = 4/9, p_b = 5/9 → P̄e = 41/81; κ = (2/3 − 41/81) / (40/81) = 13/40
    const data = [
      ['a', 'a', 'a'],
      ['a', _, 'b'],
      ['b', 'b', 'b', 'b'],
      [_, 'a'],
    ];
    const result = fleissKappa(data);
    expect(result.kappa).toBeCloseTo(13 / 40, 12);
    expect(result.observed).toBeCloseTo(2 / 3, 12);
    expect(result.expected).toBeCloseTo(41 / 81, 12);
    expect(result.units).toBe(3);
  });

  it('is 1 for perfect agreement with variation, NaN with one category or no pairable unit', () => {
    expect(
      fleissKappa([
        ['x', 'x'],
        ['y', 'y', 'y'],
      ]).kappa,
    ).toBe(1);
    expect(
      fleissKappa([
        ['x', 'x'],
        ['x', 'x', 'x'],
      ]).kappa,
    ).toBeNaN();
    expect(fleissKappa([['x'], [_, 'y']])).toMatchObject({ units: 0 });
    expect(fleissKappa([['x'], [_, 'y']]).kappa).toBeNaN();
  });
});

/** two coders from a K × K count table (rows: coder A's category, columns: coder B's) */
function fromTable(table: number[][], categories: readonly Value[]): [Value[], Value[]] {
  const a: Value[] = [];
  const b: Value[] = [];
  table.forEach((row, i) =>
    row.forEach((k, j) => {
      for (let r = 0; r < k; r++) {
        a.push(categories[i]!);
        b.push(categories[j]!);
      }
    }),
  );
  return [a, b];
}

describe('cohenKappa', () => {
  it("reproduces Wikipedia's example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → κ = 0.4", () => {
    // p_o = 35/50 = 0.7; p_e = 0.5 · 0.6 + 0.5 · 0.4 = 0.5; κ = (0.7 − 0.5) / 0.5
    const [a, b] = fromTable(
      [
        [20, 5],
        [10, 15],
      ],
      ['yes', 'no'],
    );
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
    // units where either coder is missing are dropped
    expect(cohenKappa([...a, 'yes', _, undefined], [...b, _, 'no', 'no'])).toBeCloseTo(0.4, 12);
  });

  it('weights a 3 × 3 table linearly and quadratically (hand-computed)', () => {
    // rows A = 1, 2, 3: [3 1 0], [1 2 1], [0 0 2]; N = 10, row sums 4 4 2, column sums 4 3 3.
    // Unweighted: p_o = 0.7, p_e = (16 + 12 + 6)/100 = 0.34 → κ = 0.36/0.66 = 6/11.
    // Off-diagonal counts: one step 1+1+1+0 = 3, two steps 0. Expected (r_i c_j / N): one step
    // 1.2+1.6+1.2+0.6 = 4.6, two steps 1.2+0.8 = 2.0.
    // Linear (½ per step): 1 − 1.5 / (2.3 + 2.0) = 28/43. Quadratic (¼, 1): 1 − 0.75 / (1.15 + 2.0) = 16/21.
    const table = [
      [3, 1, 0],
      [1, 2, 1],
      [0, 0, 2],
    ];
    const [a, b] = fromTable(table, [1, 2, 3]);
    expect(cohenKappa(a, b)).toBeCloseTo(6 / 11, 12);
    expect(cohenKappa(a, b, { weights: 'linear' })).toBeCloseTo(28 / 43, 12);
    expect(cohenKappa(a, b, { weights: 'quadratic' })).toBeCloseTo(16 / 21, 12);
    // strings need the scale; the same table on low/mid/high gives the same kappas
    const [sa, sb] = fromTable(table, ['low', 'mid', 'high']);
    const categories = ['low', 'mid', 'high'];
    expect(cohenKappa(sa, sb, { weights: 'linear', categories })).toBeCloseTo(28 / 43, 12);
    expect(cohenKappa(sa, sb, { weights: 'quadratic', categories })).toBeCloseTo(16 / 21, 12);
    expect(() => cohenKappa(sa, sb, { weights: 'linear' })).toThrow(/explicit order/);
    expect(() => cohenKappa(sa, sb, { categories: ['low', 'mid'] })).toThrow(/not in the given order/);
  });

  it('is 1 on identical ratings, −1 on perfectly reversed two categories, NaN when undefined', () => {
    const scores = [1, 5, 3, 2, 4, 5, 1];
    expect(cohenKappa(scores, scores, { weights: 'quadratic' })).toBe(1);
    // p_o = 0, p_e = 0.5; with two categories every weighting is the same
    for (const weights of ['none', 'linear', 'quadratic'] as const)
      expect(cohenKappa([0, 1, 0, 1], [1, 0, 1, 0], { weights })).toBe(-1);
    expect(cohenKappa([1, 1], [1, 1])).toBeNaN();
    expect(cohenKappa([1, _], [_, 2])).toBeNaN();
    expect(() => cohenKappa([1], [1, 2])).toThrow(/same units/);
  });
});

describe('pairwiseCohen', () => {
  it('gives every coder pair sharing at least two units the same kappa as cohenKappa on its columns', () => {
    const data = [
      [1, 1, 2, _],
      [2, 2, 2, _],
      [3, 2, 3, 1],
      [1, _, 1, _],
      [2, 3, _, _],
    ];
    const column = (c: number) => data.map((row) => row[c] ?? null);
    const pairs = pairwiseCohen(data, { weights: 'linear' });
    // coder 3 shares only unit 3 with anyone, so it appears in no pair
    expect(pairs.map((p) => p.coders)).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    expect(pairs.map((p) => p.units)).toEqual([4, 4, 3]);
    for (const { coders, kappa } of pairs)
      expect(kappa).toBeCloseTo(
        cohenKappa(column(coders[0]), column(coders[1]), { weights: 'linear', categories: [1, 2, 3] }),
        12,
      );
  });
});

describe('bootstrap', () => {
  const data = randomScores(11, 150, 10);

  it('is reproducible for a seed, brackets the estimate, and differs for another seed', () => {
    const run = (seed: number) =>
      bootstrapKrippendorff(data, 'interval', { rng: createRng(seed), resamples: 300 });
    const interval = run(1);
    expect(run(1)).toEqual(interval);
    expect(run(2)).not.toEqual(interval);
    expect(interval.estimate).toBe(krippendorffAlpha(data, 'interval').alpha);
    expect(interval.low).toBeLessThan(interval.estimate);
    expect(interval.high).toBeGreaterThan(interval.estimate);
    expect(interval).toMatchObject({ level: 0.95, resamples: 300 });
  });

  it.each(['nominal', 'ordinal', 'interval'] as const)(
    'the %s alpha fast path draws the same units as the generic bootstrap',
    (level) => {
      const options = { resamples: 200, level: 0.9 };
      const fast = bootstrapKrippendorff(data, level, { ...options, rng: createRng(5) });
      const slow = bootstrapInterval(data, (d) => krippendorffAlpha(d, level).alpha, {
        ...options,
        rng: createRng(5),
      });
      // equal up to summation order, not just statistically close
      expect(fast.estimate).toBeCloseTo(slow.estimate, 12);
      expect(fast.low).toBeCloseTo(slow.low, 12);
      expect(fast.high).toBeCloseTo(slow.high, 12);
      expect(fast.resamples).toBe(slow.resamples);
    },
  );

  it('the Fleiss fast path draws the same units as the generic bootstrap', () => {
    const fast = bootstrapFleiss(data, { rng: createRng(9), resamples: 200 });
    const slow = bootstrapInterval(data, (d) => fleissKappa(d).kappa, { rng: createRng(9), resamples: 200 });
    expect(fast.estimate).toBeCloseTo(slow.estimate, 12);
    expect(fast.low).toBeCloseTo(slow.low, 12);
    expect(fast.high).toBeCloseTo(slow.high, 12);
    expect(fast.low).toBeLessThan(fast.estimate);
    expect(fast.high).toBeGreaterThan(fast.estimate);
  });

  it('drops NaN replicates and says how many remain', () => {
    const tiny = [
      [1, 1],
      [2, 2],
      [1, 2],
      [3, 3],
      [2, 3],
    ];
    // a replicate that includes the first unit is "undefined": P = 1 − (4/5)^5 ≈ 0.67
    const statistic = (d: ReliabilityData) => (d.includes(tiny[0]!) ? NaN : d.length);
    const interval = bootstrapInterval(tiny, statistic, { rng: createRng(3), resamples: 200 });
    expect(interval.resamples).toBeGreaterThan(0);
    expect(interval.resamples).toBeLessThan(200);
    expect(interval).toMatchObject({ low: 5, high: 5 });
    const none = bootstrapInterval(tiny, () => NaN, { rng: createRng(3), resamples: 10 });
    expect(none).toMatchObject({ resamples: 0, low: NaN, high: NaN });
  });

  it('refuses nonsensical options', () => {
    expect(() => bootstrapFleiss(data, { rng: createRng(1), resamples: 0 })).toThrow(/resamples/);
    expect(() => bootstrapFleiss(data, { rng: createRng(1), level: 1 })).toThrow(/level/);
  });
});

describe('toReliabilityData', () => {
  it('pivots judgments into units × coders, keeping the last of repeated ratings', () => {
    const rows = [
      { pair: 'p1', annotator: 'ann', score: 2 },
      { pair: 'p1', annotator: 'bob', score: -1 },
      { pair: 'p2', annotator: 'bob', score: 0 },
      { pair: 'p1', annotator: 'ann', score: 3 },
      { pair: 'p3', annotator: 'cat', score: null },
    ];
    const pivot = toReliabilityData(
      rows,
      (r) => r.pair,
      (r) => r.annotator,
      (r) => r.score,
    );
    expect(pivot).toEqual({
      units: ['p1', 'p2', 'p3'],
      coders: ['ann', 'bob', 'cat'],
      data: [
        [3, -1, null],
        [null, 0, null],
        [null, null, null],
      ],
    });
  });
});
