import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  dawidSkene,
  majorityVote,
  oneCoinDawidSkene,
  type DawidSkeneResult,
  type LabelRow,
} from './dawid-skene';
import { simulateCrowd } from './simulate-crowd';

const CLASSES = ['x', 'y', 'z'];
const PRIORS = [0.5, 0.3, 0.2];
const GOOD = [
  [0.9, 0.05, 0.05],
  [0.05, 0.9, 0.05],
  [0.05, 0.05, 0.9],
];
const BAD = [
  [0.4, 0.3, 0.3],
  [0.3, 0.4, 0.3],
  [0.3, 0.3, 0.4],
];
// Reliably labels x as y and y as x: informative, but only to a model that learns the swap.
const SWAPPER = [
  [0.05, 0.9, 0.05],
  [0.9, 0.05, 0.05],
  [0.05, 0.05, 0.9],
];
const CROWD = [GOOD, GOOD, GOOD, GOOD, GOOD, BAD, BAD, BAD, BAD, SWAPPER];

const accuracy = (consensus: ReadonlyMap<string, string>, truth: ReadonlyMap<string, string>) =>
  [...truth].filter(([item, cls]) => consensus.get(item) === cls).length / truth.size;

/** What the labels say about each annotator given the true classes: the target DS can reach. */
function empiricalConfusion(rows: readonly LabelRow[], truth: ReadonlyMap<string, string>) {
  const out = new Map<string, number[][]>();
  for (const row of rows) {
    const m = out.get(row.annotator) ?? CLASSES.map(() => CLASSES.map(() => 0));
    m[CLASSES.indexOf(truth.get(row.item)!)]![CLASSES.indexOf(row.label)]!++;
    out.set(row.annotator, m);
  }
  for (const m of out.values()) {
    for (const r of m) {
      const total = r.reduce((a, b) => a + b, 0);
      r.forEach((v, l) => (r[l] = v / total));
    }
  }
  return out;
}

function maxDeviation(a: readonly (readonly number[])[], b: readonly (readonly number[])[]) {
  let max = 0;
  a.forEach((row, k) => row.forEach((v, l) => (max = Math.max(max, Math.abs(v - b[k]![l]!)))));
  return max;
}

function expectFinite(result: DawidSkeneResult) {
  const numbers = [
    ...result.priors,
    ...[...result.posteriors.values()].flat(),
    ...[...result.confusion.values()].flat(2),
    ...result.reliability.values(),
    result.logLikelihood,
  ];
  expect(numbers.every(Number.isFinite)).toBe(true);
  for (const matrix of result.confusion.values()) {
    for (const row of matrix) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  }
  for (const p of result.posteriors.values()) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  for (const r of result.reliability.values()) expect(r >= 0 && r <= 1).toBe(true);
}

describe('majority vote', () => {
  const rows: LabelRow[] = [
    { item: 'p', annotator: 'ann', label: 'b' },
    { item: 'p', annotator: 'bo', label: 'a' },
    { item: 'p', annotator: 'cy', label: 'a' },
    { item: 'q', annotator: 'ann', label: 'b' },
    { item: 'q', annotator: 'bo', label: 'a' },
  ];

  it('takes the most frequent label and reports its share', () => {
    const { consensus, support } = majorityVote(rows);
    expect(consensus.get('p')).toBe('a');
    expect(support.get('p')).toBeCloseTo(2 / 3, 12);
  });

  it('breaks ties by class order, deterministically, unless given an rng', () => {
    expect(majorityVote(rows).consensus.get('q')).toBe('a');
    expect(majorityVote(rows, { classes: ['b', 'a'] }).consensus.get('q')).toBe('b');
    expect(majorityVote(rows).support.get('q')).toBe(0.5);
    const rng = createRng(3);
    const picks = new Set(
      Array.from({ length: 40 }, () => majorityVote(rows, { tieBreak: rng }).consensus.get('q')),
    );
    expect(picks).toEqual(new Set(['a', 'b']));
    // only ties consult the rng
    expect(majorityVote(rows, { tieBreak: () => 0.999 }).consensus.get('p')).toBe('a');
  });

  it('weighs annotators and rows, and leaves out items whose labels all weigh 0', () => {
    const weights = new Map([['ann', 3]]);
    expect(majorityVote(rows, { weights }).consensus.get('p')).toBe('b');
    expect(majorityVote(rows, { weights }).support.get('p')).toBeCloseTo(3 / 5, 12);
    const weighted = [...rows, { item: 'q', annotator: 'cy', label: 'b', weight: 0.5 }];
    expect(majorityVote(weighted).consensus.get('q')).toBe('b');
    const silent = majorityVote([{ item: 'r', annotator: 'ann', label: 'a', weight: 0 }]);
    expect(silent.consensus.has('r')).toBe(false);
  });

  it('rejects labels outside the classes and negative weights', () => {
    expect(() => majorityVote(rows, { classes: ['a'] })).toThrow(/"b" is not one of the classes/);
    expect(() => majorityVote([{ item: 'p', annotator: 'a', label: 'a', weight: -1 }])).toThrow(/weight/);
    expect(() => majorityVote(rows, { weights: new Map([['ann', Number.NaN]]) })).toThrow(/weight/);
  });
});

describe('Dawid-Skene on a synthetic crowd with known confusion matrices', () => {
  // 500 items, every one labelled by all 10 annotators: 5 good, 4 poor, 1 who swaps x and y.
  const { rows, truth } = simulateCrowd(
    { classes: CLASSES, items: 500, priors: PRIORS, confusions: CROWD },
    createRng(20240611),
  );
  const result = dawidSkene(rows);

  it('recovers every confusion matrix entry within ±0.05 of the realised rates, and the priors', () => {
    expect(result.converged).toBe(true);
    expect(result.classes).toEqual(CLASSES);
    const empirical = empiricalConfusion(rows, truth);
    CROWD.forEach((truthMatrix, j) => {
      const estimate = result.confusion.get(`annotator-${j}`)!;
      // Against the rates this sample realised given the truth: what any estimator can see. With
      // ~100 items in the smallest row, the generating matrices are only visible to about ±0.1.
      expect(maxDeviation(estimate, empirical.get(`annotator-${j}`)!)).toBeLessThan(0.05);
      expect(maxDeviation(estimate, truthMatrix)).toBeLessThan(0.15);
    });
    result.priors.forEach((p, k) => expect(Math.abs(p - PRIORS[k]!)).toBeLessThan(0.05));
    // The swapper is recognised as such, not as a poor annotator.
    expect(result.confusion.get('annotator-9')![0]![1]).toBeGreaterThan(0.85);
    expect(result.reliability.get('annotator-0')).toBeGreaterThan(0.85);
    expect(result.reliability.get('annotator-9')).toBeLessThan(0.3);
  });

  it('recovers the generating matrices within ±0.05 once there are enough items to see them', () => {
    const large = simulateCrowd(
      { classes: CLASSES, items: 5000, priors: PRIORS, confusions: CROWD },
      createRng(42),
    );
    const fit = dawidSkene(large.rows);
    CROWD.forEach((matrix, j) => {
      expect(maxDeviation(fit.confusion.get(`annotator-${j}`)!, matrix)).toBeLessThan(0.05);
    });
    fit.priors.forEach((p, k) => expect(Math.abs(p - PRIORS[k]!)).toBeLessThan(0.02));
  });

  it('beats majority vote against the synthetic truth', () => {
    const ds = accuracy(result.consensus, truth);
    const mv = accuracy(majorityVote(rows).consensus, truth);
    expect(ds).toBeGreaterThan(mv);
    expect(ds).toBeGreaterThan(0.97);
  });

  it('never lowers the log-likelihood from one iteration to the next', () => {
    for (const fitter of [dawidSkene, oneCoinDawidSkene]) {
      for (const smoothing of [0, 0.01]) {
        const trace = Array.from(
          { length: 15 },
          (_, t) => fitter(rows, { maxIterations: t + 1, tolerance: 0, smoothing }).logLikelihood,
        );
        // Float rounding only: the sums run over 5,000 labels.
        const slack = 1e-9 * Math.abs(trace[0]!);
        for (let t = 1; t < trace.length; t++)
          expect(trace[t]!).toBeGreaterThanOrEqual(trace[t - 1]! - slack);
        expect(trace.at(-1)!).toBeGreaterThan(trace[0]! + 100);
      }
    }
  });

  it('is deterministic', () => {
    expect(dawidSkene(rows)).toEqual(result);
    expect(oneCoinDawidSkene(rows)).toEqual(oneCoinDawidSkene(rows));
  });

  it('reaches the same answer from the uniform-quality start', () => {
    const uniform = dawidSkene(rows, { init: 'uniform' });
    expect(accuracy(uniform.consensus, truth)).toBeCloseTo(accuracy(result.consensus, truth), 2);
    expect(maxDeviation(uniform.confusion.get('annotator-9')!, SWAPPER)).toBeLessThan(0.1);
  });
});

describe('Dawid-Skene with missing labels', () => {
  // Each item labelled by a random 3 of the 10 annotators.
  const { rows, truth } = simulateCrowd(
    { classes: CLASSES, items: 3000, priors: PRIORS, confusions: CROWD, labelsPerItem: 3 },
    createRng(99),
  );

  it('still recovers the annotators and beats majority vote', () => {
    expect(rows).toHaveLength(9000);
    const result = dawidSkene(rows);
    expectFinite(result);
    const empirical = empiricalConfusion(rows, truth);
    CROWD.forEach((_, j) => {
      const name = `annotator-${j}`;
      expect(maxDeviation(result.confusion.get(name)!, empirical.get(name)!)).toBeLessThan(0.1);
    });
    expect(accuracy(result.consensus, truth)).toBeGreaterThan(
      accuracy(majorityVote(rows).consensus, truth) + 0.1,
    );
  });
});

describe('gold items (semi-supervised Dawid-Skene)', () => {
  // Most of the crowd swaps x and y: from labels alone the swapped world is the likelier story.
  const crowd = [SWAPPER, SWAPPER, SWAPPER, SWAPPER, GOOD, GOOD, BAD];
  const { rows, truth } = simulateCrowd(
    { classes: CLASSES, items: 400, priors: PRIORS, confusions: crowd },
    createRng(5),
  );
  const gold = new Map([...truth].slice(0, 40));

  it('clamps gold items to their known class and learns the crowd from them', () => {
    expect(accuracy(dawidSkene(rows).consensus, truth)).toBeLessThan(0.5);
    const result = dawidSkene(rows, { fixed: gold });
    for (const [item, cls] of gold) {
      expect(result.consensus.get(item)).toBe(cls);
      expect(result.posteriors.get(item)).toEqual(CLASSES.map((c) => (c === cls ? 1 : 0)));
    }
    expect(accuracy(result.consensus, truth)).toBeGreaterThan(0.95);
    expect(maxDeviation(result.confusion.get('annotator-0')!, SWAPPER)).toBeLessThan(0.1);
  });

  it('honours gold that contradicts every annotator, and ignores gold no one labelled', () => {
    const contrary = new Map([
      ['item-0', truth.get('item-0') === 'z' ? 'x' : 'z'],
      ['not-labelled', 'x'],
    ]);
    const result = dawidSkene(rows, { fixed: contrary });
    expect(result.consensus.get('item-0')).toBe(contrary.get('item-0'));
    expect(result.items).not.toContain('not-labelled');
    expect(() => dawidSkene(rows, { fixed: new Map([['item-0', 'w']]) })).toThrow(/fixed class "w"/);
  });
});

describe('one-coin Dawid-Skene', () => {
  const accuracies = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45];
  const oneCoin = (a: number) => CLASSES.map((_, k) => CLASSES.map((_, l) => (k === l ? a : (1 - a) / 2)));
  const { rows, truth } = simulateCrowd(
    { classes: CLASSES, items: 1500, priors: PRIORS, confusions: accuracies.map(oneCoin), labelsPerItem: 4 },
    createRng(11),
  );

  it('recovers each annotator’s accuracy', () => {
    const result = oneCoinDawidSkene(rows);
    expectFinite(result);
    accuracies.forEach((_, j) => {
      const name = `annotator-${j}`;
      const own = rows.filter((r) => r.annotator === name);
      const realised = own.filter((r) => r.label === truth.get(r.item)).length / own.length;
      const matrix = result.confusion.get(name)!;
      matrix.forEach((row, k) => expect(row[k]).toBeCloseTo(matrix[0]![0]!, 12));
      expect(Math.abs(matrix[0]![0]! - realised)).toBeLessThan(0.05);
      expect(Math.abs(matrix[0]![1]! - (1 - matrix[0]![0]!) / 2)).toBeLessThan(1e-12);
      // with a one-coin matrix, reliability is the accuracy whatever the priors
      expect(result.reliability.get(name)).toBeCloseTo(matrix[0]![0]!, 12);
    });
    expect(accuracy(result.consensus, truth)).toBeGreaterThanOrEqual(
      accuracy(majorityVote(rows).consensus, truth),
    );
  });
});

describe('Dawid-Skene edge cases', () => {
  const rows: LabelRow[] = [
    { item: 'p', annotator: 'ann', label: 'a' },
    { item: 'p', annotator: 'bo', label: 'a' },
    { item: 'q', annotator: 'ann', label: 'b' },
    { item: 'q', annotator: 'bo', label: 'b' },
    { item: 'r', annotator: 'ann', label: 'tie' },
    { item: 'r', annotator: 'bo', label: 'tie' },
    { item: 'r', annotator: 'once', label: 'a' },
  ];

  it('gives an annotator with a single label finite, normalised parameters', () => {
    for (const fitter of [dawidSkene, oneCoinDawidSkene]) {
      const result = fitter(rows);
      expectFinite(result);
      expect(result.consensus).toEqual(
        new Map([
          ['p', 'a'],
          ['q', 'b'],
          ['r', 'tie'],
        ]),
      );
    }
  });

  it('handles classes nobody used without NaN', () => {
    const classes = ['a', 'b', 'tie', 'unused'];
    for (const fitter of [dawidSkene, oneCoinDawidSkene]) {
      const result = fitter(rows, { classes });
      expectFinite(result);
      expect(result.priors[3]).toBeLessThan(0.01);
      expect([...result.consensus.values()]).not.toContain('unused');
    }
    expectFinite(dawidSkene(rows, { classes, init: 'uniform' }));
  });

  it('treats weights as fractional labels and ignores zero-weight ones', () => {
    const weighted = [...rows, { item: 'p', annotator: 'once', label: 'b', weight: 0 }];
    const plain = dawidSkene(rows);
    const result = dawidSkene(weighted);
    expect(result.posteriors).toEqual(plain.posteriors);
    expect(result.confusion.get('once')).toEqual(plain.confusion.get('once'));
  });

  it('returns an empty fit for no rows and rejects bad options', () => {
    const empty = dawidSkene([], { classes: ['a', 'b'] });
    expect(empty.items).toEqual([]);
    expect(empty.priors).toEqual([0.5, 0.5]);
    expect(empty.converged).toBe(true);
    expect(() => dawidSkene(rows, { maxIterations: 0 })).toThrow(/maxIterations/);
    expect(() => dawidSkene(rows, { smoothing: -1 })).toThrow(/smoothing/);
    expect(() => dawidSkene(rows, { classes: ['a', 'b'] })).toThrow(/"tie" is not one of the classes/);
  });
});
