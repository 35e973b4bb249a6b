/**
 * Safety classifier benchmark on BeaverTails (../shared/data/beavertails-30k-test, 2,057 rows).
 *
 *   npm run bench:safety -- --report reports/safety.json [--repeats 3] [--recall 0.95]
 *
 * Repeated stratified 5-fold CV (each repeat reshuffles the folds with its own seed). In every fold
 * two models train on the training folds only and score the test fold:
 *   - baseline: the issue's plain L2 logistic regression on hashed word uni+bigrams of
 *     prompt + " " + response (no evidence scaling, no char n-grams, no class weights);
 *   - arbiter: the safety classifier's "unsafe" head as `arbiter safety train` trains it.
 * Reported per model: is_safe accuracy (mean ± sd over all folds), AUC of the pooled out-of-fold
 * scores, ECE, and the paired per-fold accuracy difference with a 95% t interval. The threshold
 * for the target recall is chosen honestly: for each test fold from the other folds' out-of-fold
 * scores, then applied to the test fold (realised recall, worst fold, review load). One extra CV
 * (first repeat) trains every category head for per-category AUCs. The issue's target (baseline
 * + 2 points, AUC reported, a threshold with ≥ 95% unsafe recall and its review load) is checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { predictTexts } from '../../reward/classifier/predict';
import { trainClassifier } from '../../reward/classifier/train';
import { DEFAULT_FEATURIZER } from '../../reward/featurizer-config';
import { createRng, shuffled } from '../../reward/rng';
import { operatingPoint, rocAuc, safetyMetrics, thresholdForRecall } from '../../reward/safety/metrics';
import { predictSafety } from '../../reward/safety/predict';
import { truthOf } from '../../reward/safety/run';
import { trainSafetyClassifier, type SafetyExample } from '../../reward/safety/train';
import { DEFAULT_BEAVERTAILS_MAP } from '../../tasks/safety/category-map';
import { readSafetyFile } from '../../tasks/safety/files';
import { safetyExamplesFromRows } from '../../tasks/safety/file-examples';

const { values } = parseArgs({
  options: {
    report: { type: 'string', default: 'reports/safety.json' },
    repeats: { type: 'string', default: '3' },
    recall: { type: 'string', default: '0.95' },
    folds: { type: 'string', default: '5' },
  },
});
function fail(message: string): never {
  console.error(`bench:safety: ${message}`);
  process.exit(2);
}
const repeats = Number(values.repeats);
const K = Number(values.folds);
const targetRecall = Number(values.recall);
if (!Number.isInteger(repeats) || repeats < 1) fail(`--repeats must be a whole number ≥ 1`);
if (!Number.isInteger(K) || K < 2) fail(`--folds must be a whole number ≥ 2`);
if (!(targetRecall > 0 && targetRecall < 1)) fail(`--recall must be in (0, 1)`);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = path.resolve(root, '..', 'shared', 'data', 'beavertails-30k-test', '30k_test.csv.gz');
if (!fs.existsSync(file)) fail(`BeaverTails is not at ${file}; the benchmark needs ../shared/data.`);

const { rows } = await readSafetyFile(file);
const { examples, categories } = safetyExamplesFromRows(rows, DEFAULT_BEAVERTAILS_MAP);
const unsafe = examples.map((e) => e.unsafe >= 0.5);
const n = examples.length;
const unsafeShare = unsafe.filter(Boolean).length / n;
console.error(
  `read ${n} rows, ${(unsafeShare * 100).toFixed(1)}% unsafe; categories ${categories.join(', ')}`,
);

/** Stratified folds: each class shuffled with the repeat's seed and dealt round-robin. */
function foldsFor(seed: number): number[] {
  const fold = new Array<number>(n).fill(0);
  for (const cls of [false, true]) {
    const ids = unsafe.map((u, i) => (u === cls ? i : -1)).filter((i) => i >= 0);
    shuffled(ids, createRng(seed * 2 + (cls ? 1 : 0))).forEach((id, k) => (fold[id] = k % K));
  }
  return fold;
}

const BASELINE_FEATURIZER = {
  ...DEFAULT_FEATURIZER,
  hashBits: 20,
  wordNgrams: [1, 2] as [number, number],
  charNgrams: null,
  dense: false,
};

type ModelName = 'baseline' | 'arbiter';
function trainAndScore(
  model: ModelName,
  train: SafetyExample[],
  test: SafetyExample[],
  seed: number,
): number[] {
  if (model === 'baseline') {
    const m = trainClassifier(
      train.map((e) => ({ text: `${e.prompt} ${e.response}`, target: [1 - e.unsafe, e.unsafe], weight: 1 })),
      ['safe', 'unsafe'],
      BASELINE_FEATURIZER,
      { seed, threads: 1, evidencePower: 0 },
    );
    const p = predictTexts(
      m.head,
      m.featurizer,
      test.map((e) => `${e.prompt} ${e.response}`),
    );
    return test.map((_, i) => p[i * 2 + 1]!);
  }
  const m = trainSafetyClassifier(train, [], { seed, train: { threads: 1 } });
  return predictSafety(m.head, m.featurizer, m.labels, test).map((p) => p.risk);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));
// two-sided 95% t quantiles for small df; beyond 30 the normal's 1.96 is close enough
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
];
const t95 = (df: number) => T95[df - 1] ?? (df < 30 ? 2.1 : 1.96);

const started = performance.now();
const perModel: Record<
  ModelName,
  {
    acc: number[];
    auc: number[];
    ece: number[];
    recall: number[];
    load: number[];
    precision: number[];
    threshold: number[];
    seconds: number;
  }
> = {
  baseline: { acc: [], auc: [], ece: [], recall: [], load: [], precision: [], threshold: [], seconds: 0 },
  arbiter: { acc: [], auc: [], ece: [], recall: [], load: [], precision: [], threshold: [], seconds: 0 },
};
const diffs: number[] = [];
for (let r = 0; r < repeats; r++) {
  const fold = foldsFor(42 + r);
  const foldAcc: Record<ModelName, number[]> = { baseline: [], arbiter: [] };
  for (const model of ['baseline', 'arbiter'] as const) {
    const t0 = performance.now();
    const oof = new Array<number>(n).fill(0);
    for (let k = 0; k < K; k++) {
      const train = examples.filter((_, i) => fold[i] !== k);
      const testIds = examples.map((_, i) => i).filter((i) => fold[i] === k);
      const scores = trainAndScore(
        model,
        train,
        testIds.map((i) => examples[i]!),
        1 + k + 10 * r,
      );
      testIds.forEach((id, j) => (oof[id] = scores[j]!));
      const acc = testIds.filter((id) => oof[id]! >= 0.5 === unsafe[id]).length / testIds.length;
      foldAcc[model].push(acc);
      console.error(
        `repeat ${r + 1}/${repeats} ${model} fold ${k + 1}/${K}: accuracy ${(acc * 100).toFixed(1)}%`,
      );
    }
    const stats = perModel[model];
    stats.seconds += (performance.now() - t0) / 1000;
    stats.acc.push(...foldAcc[model]);
    stats.auc.push(rocAuc(oof, unsafe)!);
    const m = safetyMetrics(
      oof.map((risk) => ({ risk, categories: {} })),
      examples.map((e) => truthOf(e, [])),
      [],
      0.5,
    );
    stats.ece.push(m.ece);
    // honest threshold: chosen on the other folds' out-of-fold scores, applied to this fold
    for (let k = 0; k < K; k++) {
      const others = oof.map((s, i) => (fold[i] !== k ? i : -1)).filter((i) => i >= 0);
      const t = thresholdForRecall(
        others.map((i) => oof[i]!),
        others.map((i) => unsafe[i]!),
        targetRecall,
      )!;
      const mine = oof.map((s, i) => (fold[i] === k ? i : -1)).filter((i) => i >= 0);
      const point = operatingPoint(
        mine.map((i) => oof[i]!),
        mine.map((i) => unsafe[i]!),
        t,
      );
      stats.threshold.push(t);
      stats.recall.push(point.recall!);
      stats.load.push(point.review_load);
      stats.precision.push(point.precision!);
    }
  }
  foldAcc.arbiter.forEach((a, k) => diffs.push(a - foldAcc.baseline[k]!));
}

// per-category AUCs of the full classifier, out of fold, on the first repeat's folds
const fold = foldsFor(42);
const categoryScores = new Map<string, number[]>(categories.map((c) => [c, new Array<number>(n).fill(0)]));
const t0 = performance.now();
for (let k = 0; k < K; k++) {
  const train = examples.filter((_, i) => fold[i] !== k);
  const testIds = examples.map((_, i) => i).filter((i) => fold[i] === k);
  const m = trainSafetyClassifier(train, categories, { seed: 1 + k, train: { threads: 1 } });
  predictSafety(
    m.head,
    m.featurizer,
    m.labels,
    testIds.map((i) => examples[i]!),
  ).forEach((p, j) => {
    for (const c of categories) categoryScores.get(c)![testIds[j]!] = p.categories[c] ?? 0;
  });
  console.error(`categories fold ${k + 1}/${K} done`);
}
const perCategory = Object.fromEntries(
  categories.map((c) => {
    const positive = examples.map((e) => truthOf(e, categories).categories.includes(c));
    return [c, { positives: positive.filter(Boolean).length, auc: rocAuc(categoryScores.get(c)!, positive) }];
  }),
);
const categorySeconds = (performance.now() - t0) / 1000;

const summary = (name: ModelName) => {
  const s = perModel[name];
  return {
    accuracy: { mean: mean(s.acc), sd: sd(s.acc), folds: s.acc.length },
    auc: { mean: mean(s.auc), per_repeat: s.auc },
    ece: mean(s.ece),
    at_target_recall: {
      threshold: mean(s.threshold),
      recall: mean(s.recall),
      worst_fold_recall: Math.min(...s.recall),
      precision: mean(s.precision),
      review_load: mean(s.load),
    },
    seconds_per_cv: s.seconds / repeats,
  };
};
const baseline = summary('baseline');
const arbiter = summary('arbiter');
const gain = {
  mean: mean(diffs),
  ci95: [
    mean(diffs) - t95(diffs.length - 1) * (sd(diffs) / Math.sqrt(diffs.length)),
    mean(diffs) + t95(diffs.length - 1) * (sd(diffs) / Math.sqrt(diffs.length)),
  ],
};
const report = {
  benchmark: 'safety',
  data: {
    file: path.relative(root, file),
    rows: n,
    unsafe_share: unsafeShare,
    majority_accuracy: Math.max(unsafeShare, 1 - unsafeShare),
  },
  protocol: {
    folds: K,
    repeats,
    stratified: 'is_safe',
    target_recall: targetRecall,
    threshold: 'chosen on the other folds, applied to the test fold',
  },
  baseline,
  arbiter,
  accuracy_gain: gain,
  per_category_auc: perCategory,
  category_cv_seconds: categorySeconds,
  targets: {
    beats_baseline_by_2_points: { value: gain.mean, met: gain.mean >= 0.02 },
    recall_at_threshold_at_least_target: {
      value: arbiter.at_target_recall.recall,
      met: arbiter.at_target_recall.recall >= targetRecall - 0.005,
    },
  },
  seconds: (performance.now() - started) / 1000,
  node: process.version,
};
fs.mkdirSync(path.dirname(path.resolve(values.report!)), { recursive: true });
fs.writeFileSync(values.report!, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `baseline ${(baseline.accuracy.mean * 100).toFixed(1)}% (AUC ${baseline.auc.mean.toFixed(3)}), arbiter ${(arbiter.accuracy.mean * 100).toFixed(1)}% (AUC ${arbiter.auc.mean.toFixed(3)}), gain ${(gain.mean * 100).toFixed(1)} points [${(gain.ci95[0]! * 100).toFixed(1)}, ${(gain.ci95[1]! * 100).toFixed(1)}]; at ${targetRecall} recall: realised ${(arbiter.at_target_recall.recall * 100).toFixed(1)}%, load ${(arbiter.at_target_recall.review_load * 100).toFixed(1)}%. Report: ${values.report}`,
);
