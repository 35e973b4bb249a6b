import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURIZER } from '../featurizer-config';
import { syntheticTexts } from '../testing/synthetic-text';
import { evaluateClassifier, splitExamples, trainAndEvaluateClassifier } from './run';
import { DEFAULT_CLASSIFIER_FEATURIZER, trainClassifier, type TextExample } from './train';
import { classObjective, fitClassifier, probabilitiesFromScores, rowScores } from './softmax';
import { predictTexts } from './predict';
import { toRows } from '../sparse';

const config = { ...DEFAULT_CLASSIFIER_FEATURIZER, hashBits: 16 };

describe('softmax objective', () => {
  it('has the gradient its loss says (finite differences), for two and for three classes', () => {
    for (const classes of [2, 3]) {
      const rows = toRows(
        [
          { indices: Int32Array.from([0, 2]), values: Float32Array.from([1, 0.5]) },
          { indices: Int32Array.from([1]), values: Float32Array.from([2]) },
          { indices: Int32Array.from([0, 1, 2]), values: Float32Array.from([-1, 1, 0.3]) },
        ],
        3,
      );
      const C = classes;
      const target = new Float64Array(3 * C);
      target[0] = 1;
      target[C + 1] = 1;
      target[2 * C] = 0.5;
      target[2 * C + 1] = 0.5;
      const f = classObjective(rows, { classes: C, target, weight: Float64Array.from([1, 2, 0.5]) }, 0.1);
      const k = C === 2 ? 1 : C;
      const x = Float64Array.from({ length: 3 * k + k }, (_, i) => Math.sin(i + 1) * 0.7);
      const grad = new Float64Array(x.length);
      f(x, grad);
      for (let i = 0; i < x.length; i++) {
        const h = 1e-6;
        const up = Float64Array.from(x);
        up[i]! += h;
        const down = Float64Array.from(x);
        down[i]! -= h;
        const scratch = new Float64Array(x.length);
        const numeric = (f(up, scratch) - f(down, scratch)) / (2 * h);
        expect(grad[i]).toBeCloseTo(numeric, 6);
      }
    }
  });

  it('fits a two-class problem with one column that means the same as softmax over [0, z]', () => {
    const rows = toRows(
      [
        { indices: Int32Array.from([0]), values: Float32Array.from([1]) },
        { indices: Int32Array.from([1]), values: Float32Array.from([1]) },
      ],
      2,
    );
    const targets = {
      classes: 2,
      target: Float64Array.from([0.2, 0.8, 0.9, 0.1]),
      weight: Float64Array.from([1, 1]),
    };
    const { params } = fitClassifier(rows, targets, 0, undefined, { maxIterations: 200 });
    const probs = probabilitiesFromScores(rowScores(rows, params, 1), 2);
    // without a penalty the fit reproduces the soft targets
    expect(probs[1]).toBeCloseTo(0.8, 3);
    expect(probs[2]).toBeCloseTo(0.9, 3);
  });
});

describe('trainClassifier', () => {
  const data = syntheticTexts({ classes: 3, count: 1500, seed: 3, noise: 0.1 });
  const { train, test } = splitExamples(data.examples, 0.3, 1);

  it('learns cue words well enough to reach the noise ceiling on held-out texts', () => {
    const model = trainClassifier(train, data.labels, config, { seed: 1 });
    const metrics = evaluateClassifier(model, test);
    // 10% of the held-out labels are flipped, so ~90% is the best any model can do
    expect(metrics.accuracy).toBeGreaterThan(0.84);
    expect(metrics.macro_f1).toBeGreaterThan(0.84);
  });

  it('is calibrated when the data follows the model it assumes (temperature scaling on held-out texts)', () => {
    const logit = syntheticTexts({ classes: 3, count: 1500, seed: 3, mode: 'logit' });
    const parts = splitExamples(logit.examples, 0.3, 1);
    const model = trainClassifier(parts.train, logit.labels, config, { seed: 1 });
    const metrics = evaluateClassifier(model, parts.test);
    expect(metrics.ece).toBeLessThan(0.06);
    // and the temperature was actually fitted, not left at 1
    expect(Math.abs(model.temperature - 1)).toBeGreaterThan(0.01);
  });

  it('is deterministic for a seed and different for another seed', () => {
    const a = trainClassifier(train.slice(0, 400), data.labels, config, { seed: 4 });
    const b = trainClassifier(train.slice(0, 400), data.labels, config, { seed: 4 });
    const c = trainClassifier(train.slice(0, 400), data.labels, config, { seed: 5 });
    expect(Buffer.from(a.head.weights.buffer).equals(Buffer.from(b.head.weights.buffer))).toBe(true);
    expect(a.lambda).toBe(b.lambda);
    expect(Buffer.from(a.head.weights.buffer).equals(Buffer.from(c.head.weights.buffer))).toBe(false);
  });

  it('trains the same model on a helper thread as on one thread, and the same on every run', () => {
    const big = syntheticTexts({ classes: 3, count: 4_000, seed: 21, noise: 0.1 });
    const options = { seed: 3, parallelFrom: 1_000 };
    const one = trainClassifier(big.examples, big.labels, config, { ...options, threads: 1 });
    const two = trainClassifier(big.examples, big.labels, config, { ...options, threads: 2 });
    const again = trainClassifier(big.examples, big.labels, config, { ...options, threads: 2 });
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(Buffer.from(two.head.weights.buffer).equals(Buffer.from(again.head.weights.buffer))).toBe(true);
    // the halves add up in another order than one thread's sums, so equal up to rounding
    expect(two.lambda).toBe(one.lambda);
    expect([...two.featureNames]).toEqual([...one.featureNames]);
    const texts = big.examples.slice(0, 200).map((e) => e.text);
    const p1 = predictTexts(one.head, one.featurizer, texts);
    const p2 = predictTexts(two.head, two.featurizer, texts);
    let gap = 0;
    for (let i = 0; i < p1.length; i++) gap = Math.max(gap, Math.abs(p1[i]! - p2[i]!));
    expect(gap).toBeLessThan(1e-3);
  });

  it('treats a repeated text with split labels as one soft-labelled example', () => {
    const base = train.slice(0, 300);
    const text = 'cue0x1 cue1x1 word1 word2 word3';
    const split: TextExample[] = [
      ...base,
      { text, target: [1, 0, 0], weight: 1 },
      { text, target: [0, 1, 0], weight: 1 },
    ];
    const soft: TextExample[] = [...base, { text, target: [0.5, 0.5, 0], weight: 2 }];
    const a = trainClassifier(split, data.labels, config, { seed: 2 });
    const b = trainClassifier(soft, data.labels, config, { seed: 2 });
    expect(Buffer.from(a.head.weights.buffer).equals(Buffer.from(b.head.weights.buffer))).toBe(true);
    expect(a.distinctTexts).toBe(301);
  });

  it('exports a two-class model whose softmax is the trained logistic model', () => {
    const two = syntheticTexts({ classes: 2, count: 600, seed: 8, noise: 0.05 });
    const model = trainClassifier(two.examples, two.labels, config, { seed: 1 });
    expect(model.head.members).toBe(2);
    const probs = predictTexts(model.head, model.featurizer, ['cue0x3 word4 word5', 'cue1x3 word4 word5']);
    expect(probs[0]).toBeGreaterThan(0.8);
    expect(probs[3]).toBeGreaterThan(0.8);
    for (let r = 0; r < 2; r++) expect(probs[2 * r]! + probs[2 * r + 1]!).toBeCloseTo(1, 12);
  });

  it('refuses what it cannot train on, saying why', () => {
    expect(() => trainClassifier(train, ['only'], config)).toThrow(/at least 2 classes/);
    expect(() => trainClassifier([{ text: 'a', target: [1, 0], weight: 1 }], data.labels, config)).toThrow(
      /target over 2 classes, expected 3/,
    );
    expect(() => trainClassifier(train.slice(0, 1), data.labels, config)).toThrow(
      /at least 2 labelled texts/,
    );
  });
});

describe('trainAndEvaluateClassifier', () => {
  it('holds out whole texts and never trains on their fragments', () => {
    const whole = 'the film is a joy from start to finish and never lets up';
    const examples: TextExample[] = [
      { text: whole, target: [0, 1], weight: 1 },
      { text: 'a joy from start to finish', target: [0, 1], weight: 1 },
      { text: 'from start to finish', target: [0, 1], weight: 1 },
      ...syntheticTexts({ classes: 2, count: 200, seed: 9 }).examples,
    ];
    for (let seed = 1; seed <= 20; seed++) {
      const { train, test } = splitExamples(examples, 0.2, seed);
      const texts = new Set(train.map((e) => e.text));
      if (test.some((e) => e.text === whole)) {
        expect(texts.has('a joy from start to finish')).toBe(false);
        expect(texts.has('from start to finish')).toBe(false);
      }
      // fragments are never held out themselves
      expect(test.some((e) => e.text === 'from start to finish')).toBe(false);
    }
  });

  it('reports held-out metrics, the majority baseline and a manifest that describes the model', () => {
    const data = syntheticTexts({ classes: 3, count: 600, seed: 11, noise: 0.1 });
    const run = trainAndEvaluateClassifier(data.examples, data.labels, {
      task: 'sentiment',
      seed: 1,
      testFraction: 0.25,
      featurizer: config,
      sources: ['synthetic'],
    });
    expect(run.metrics.test_examples).toBeGreaterThan(100);
    expect(run.metrics.train_examples + run.metrics.test_examples).toBe(600);
    expect(run.metrics.test!.accuracy).toBeGreaterThan(run.metrics.majority_baseline_accuracy! + 0.3);
    expect(run.manifest.labels).toEqual(data.labels);
    const top = run.manifest.topFeatures.class2!.slice(0, 5).map((f) => f.feature);
    // words and (quoted) character 4-grams; the 4-grams of one cue word are collinear, so how the
    // weight splits between them is arbitrary, but class 2's cues lead and filler never shows up
    const cue2 = (f: string) => /^cue2x\d+$/.test(f) || /^"(cue2|ue2x|e2x\d|2x\d\d)"$/.test(f);
    expect(cue2(top[0]!)).toBe(true);
    expect(top.filter(cue2).length).toBeGreaterThanOrEqual(3);
    expect(top.some((f) => /word|ord|wor/.test(f))).toBe(false);
    expect(run.manifest.featurizer).toEqual(config);
  });

  it('uses the default featurizer with negation marking', () => {
    expect(DEFAULT_CLASSIFIER_FEATURIZER).toMatchObject({ negation: true, dense: false });
    expect(DEFAULT_FEATURIZER.negation).toBe(false);
  });
});
