import { describe, expect, it } from 'vitest';
import { syntheticSafety } from '../testing/synthetic-safety';
import { decodeSafety, encodeSafety, loadSafetyBytes } from './artefact';
import { rocAuc, safetyMetrics } from './metrics';
import { predictSafety, predictSafetyOnnx } from './predict';
import { trainAndEvaluateSafety, truthOf } from './run';
import { fitPlatt, SAFETY_FEATURIZER, trainSafetyClassifier, UNSAFE_LABEL } from './train';
import { createFeaturizer } from '../featurize';
import { createRng } from '../rng';

const CATEGORIES = ['violence', 'privacy', 'sexual'];
// small hash space: the tests only need the cue words to stay apart
const small = { hashBits: 16, charNgrams: null, lexicon: false, negation: false };

describe('the multi-label harm classifier', () => {
  it('trains an unsafe head and one head per category that has enough positives', () => {
    const train = syntheticSafety({ count: 3000, seed: 1, categories: CATEGORIES, absent: [2] });
    const test = syntheticSafety({ count: 1000, seed: 2, categories: CATEGORIES, absent: [2] });
    const model = trainSafetyClassifier(train, CATEGORIES, {
      featurizer: { ...SAFETY_FEATURIZER, ...small },
      train: { threads: 1 },
    });
    expect(model.labels).toEqual([UNSAFE_LABEL, 'violence', 'privacy']);
    expect(model.skipped).toEqual([{ label: 'sexual', reason: '0 positive examples; a head needs 5' }]);
    const predictions = predictSafety(model.head, model.featurizer, model.labels, test);
    const truth = test.map((e) => truthOf(e, CATEGORIES));
    // the labels are noisy by design: compare with the generating score (harm cues − safe cues)
    const oracle = test.map((e) => {
      const words = e.response.split(' ');
      const harm = words.filter((w) => /^[a-z]+cue\d$/.test(w) && !w.startsWith('safe')).length;
      return harm - words.filter((w) => w.startsWith('safecue')).length;
    });
    const unsafe = truth.map((t) => t.unsafe);
    const best = rocAuc(oracle, unsafe)!;
    const auc = rocAuc(
      predictions.map((p) => p.risk),
      unsafe,
    )!;
    expect(auc).toBeGreaterThan(best - 0.04);
    // each category head ranks its own cue words first, and ignores the other category's
    for (const c of ['violence', 'privacy']) {
      const auc = rocAuc(
        predictions.map((p) => p.categories[c]!),
        truth.map((t) => t.categories.includes(c)),
      )!;
      expect(auc).toBeGreaterThan(0.9);
    }
    const violenceOnly = predictSafety(model.head, model.featurizer, model.labels, [
      { prompt: 'question', response: 'word1 violencecue3 violencecue7 word2' },
    ])[0]!;
    expect(violenceOnly.categories.violence!).toBeGreaterThan(0.5);
    expect(violenceOnly.categories.privacy!).toBeLessThan(0.2);
  });

  it('is calibrated on held-out data, also when the classes are unbalanced and the fit is balanced', () => {
    for (const bias of [-0.4, -2]) {
      const train = syntheticSafety({ count: 3000, seed: 3, categories: CATEGORIES, bias });
      const test = syntheticSafety({ count: 3000, seed: 4, categories: CATEGORIES, bias });
      const model = trainSafetyClassifier(train, [], {
        featurizer: { ...SAFETY_FEATURIZER, ...small },
        balanced: true,
        train: { threads: 1 },
      });
      const predictions = predictSafety(model.head, model.featurizer, model.labels, test);
      const m = safetyMetrics(
        predictions,
        test.map((e) => truthOf(e, [])),
        [],
        0.5,
      );
      expect(m.ece).toBeLessThan(0.05);
      const meanRisk = predictions.reduce((s, p) => s + p.risk, 0) / predictions.length;
      expect(Math.abs(meanRisk - m.unsafe_share)).toBeLessThan(0.03);
    }
  });

  it('refuses data with one class only', () => {
    const all = syntheticSafety({ count: 50, seed: 5, categories: CATEGORIES }).map((e) => ({
      ...e,
      unsafe: 1,
    }));
    expect(() => trainSafetyClassifier(all, CATEGORIES)).toThrow(
      /both safe and unsafe examples; got 50 unsafe of 50/,
    );
  });

  it('fits Platt scaling: recovers the slope and intercept that generated the labels', () => {
    const rng = createRng(7);
    const z: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const s = (rng() - 0.5) * 8;
      z.push(s);
      y.push(rng() < 1 / (1 + Math.exp(-(0.5 * s - 1))) ? 1 : 0);
    }
    const { a, b } = fitPlatt(z, y, new Array(z.length).fill(1));
    expect(a).toBeCloseTo(0.5, 1);
    expect(b).toBeCloseTo(-1, 1);
  });

  it('exports to ONNX: the graph’s sigmoid outputs match in-process scoring, and the manifest round-trips', async () => {
    const examples = syntheticSafety({ count: 600, seed: 8, categories: CATEGORIES });
    const run = trainAndEvaluateSafety(examples, CATEGORIES, {
      seed: 1,
      testFraction: 0.25,
      targetRecall: 0.9,
      sources: ['synthetic'],
      featurizer: { ...SAFETY_FEATURIZER, ...small },
      train: { threads: 1 },
    });
    expect(run.metrics.test!.recall_at_threshold!).toBeGreaterThanOrEqual(0.9);
    expect(run.manifest.threshold).toBeGreaterThan(0);
    const bytes = encodeSafety(run.model.head, run.manifest);
    const decoded = decodeSafety(bytes);
    expect(decoded.manifest.labels).toEqual(run.model.labels);
    const { scorer, manifest } = await loadSafetyBytes(bytes);
    try {
      const inputs = examples.slice(0, 50);
      const onnx = await predictSafetyOnnx(
        scorer,
        createFeaturizer(manifest.featurizer),
        manifest.labels,
        inputs,
      );
      const local = predictSafety(run.model.head, run.model.featurizer, run.model.labels, inputs);
      onnx.forEach((p, i) => {
        expect(p.risk).toBeCloseTo(local[i]!.risk, 5);
        for (const c of manifest.labels.slice(1))
          expect(p.categories[c]).toBeCloseTo(local[i]!.categories[c]!, 5);
      });
    } finally {
      await scorer.dispose();
    }
  });
});
