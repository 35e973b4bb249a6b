/**
 * Sentiment classifier benchmark on SST-2 (../shared/data/sst2, the GLUE layout).
 *
 *   npm run bench:sentiment -- --report reports/sentiment.json [--seeds 1,2,3] [--threshold 0.9]
 *
 * For each seed: train on all of `train` (67,349 phrases) through the same reader and trainer the
 * CLI uses, then score `dev` (872 sentences) through the exported ONNX graph, as serving does.
 * Reported: accuracy, macro-F1, ECE, training seconds, and what auto-accepting at the threshold
 * would take and get right; plus, in the same run, the VADER word list and the majority class.
 * The issue's targets (≥ 83% accuracy, training under 15 s, ≥ 95% correct above the default
 * threshold) are checked and marked met or missed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { encodeClassifier, loadClassifierBytes } from '../../reward/classifier/artefact';
import { autoAcceptAt, classifierMetrics } from '../../reward/classifier/metrics';
import { predictTextsOnnx } from '../../reward/classifier/predict';
import { trainAndEvaluateClassifier } from '../../reward/classifier/run';
import { DEFAULT_CLASSIFIER_FEATURIZER } from '../../reward/classifier/train';
import { createFeaturizer } from '../../reward/featurize';
import { compoundScore } from '../../reward/lexicon';
import { labelsOf, readSentimentFile, toExamples } from '../../tasks/sentiment-files';
import { SENTIMENT_DEFAULTS } from '../../tasks/sentiment-settings';

const { values } = parseArgs({
  options: {
    report: { type: 'string', default: 'reports/sentiment.json' },
    seeds: { type: 'string', default: '1' },
    threshold: { type: 'string', default: String(SENTIMENT_DEFAULTS.autoAcceptThreshold) },
  },
});
function fail(message: string): never {
  console.error(`bench:sentiment: ${message}`);
  process.exit(2);
}
const seeds = values.seeds!.split(',').map((token) => {
  const n = Number(token);
  if (!Number.isInteger(n) || n < 0) fail(`--seeds: "${token}" is not a whole number ≥ 0`);
  return n;
});
const threshold = Number(values.threshold);
if (!(threshold > 0 && threshold <= 1)) fail(`--threshold must be in (0, 1]; got "${values.threshold}"`);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = path.resolve(root, '..', 'shared', 'data', 'sst2');
const trainFile = path.join(dataDir, 'train.tsv.gz');
const devFile = path.join(dataDir, 'dev.tsv.gz');
if (!fs.existsSync(trainFile) || !fs.existsSync(devFile))
  fail(`SST-2 is not in ${dataDir} (train.tsv.gz and dev.tsv.gz); the benchmark needs ../shared/data.`);

const train = await readSentimentFile(trainFile, { requireLabels: true });
const dev = await readSentimentFile(devFile, { requireLabels: true });
const labels = labelsOf(train.rows);
console.error(
  `read ${train.rows.length} training phrases and ${dev.rows.length} dev sentences; labels ${labels.join(', ')}`,
);
const truth = dev.rows.map((r) => labels.indexOf(r.label!));

const runs = [];
for (const seed of seeds) {
  const run = trainAndEvaluateClassifier(toExamples(train.rows, labels), labels, {
    task: 'sentiment',
    seed,
    testFraction: 0,
    featurizer: DEFAULT_CLASSIFIER_FEATURIZER,
    sources: [trainFile],
  });
  const { scorer } = await loadClassifierBytes(encodeClassifier(run.model.head, run.manifest));
  const probs = await predictTextsOnnx(
    scorer,
    createFeaturizer(run.manifest.featurizer),
    dev.rows.map((r) => r.text),
  );
  await scorer.dispose();
  const C = labels.length;
  const predictions = truth.map((t, i) => ({ probabilities: probs.subarray(i * C, i * C + C), truth: t }));
  const metrics = classifierMetrics(predictions, labels);
  const entry = {
    seed,
    accuracy: metrics.accuracy,
    macro_f1: metrics.macro_f1,
    ece: metrics.ece,
    log_loss: metrics.log_loss,
    train_seconds: run.metrics.train_seconds,
    lambda: run.metrics.lambda,
    temperature: run.metrics.temperature,
    auto_accept: autoAcceptAt(predictions, threshold),
    auto_accept_by_threshold: metrics.auto_accept,
  };
  runs.push(entry);
  console.error(
    `seed ${seed}: accuracy ${(100 * entry.accuracy).toFixed(1)}%, macro-F1 ${entry.macro_f1.toFixed(3)}, ECE ${entry.ece.toFixed(3)}, ` +
      `trained in ${entry.train_seconds.toFixed(1)} s; at ≥ ${threshold}: ${(100 * entry.auto_accept.share).toFixed(1)}% of dev, ` +
      `${entry.auto_accept.accuracy === null ? '—' : `${(100 * entry.auto_accept.accuracy).toFixed(1)}% correct`}`,
  );
}

// baselines in the same run
const positive = labels.indexOf('1');
const vader =
  truth.filter((t, i) => (compoundScore(dev.rows[i]!.text) >= 0 ? positive : 1 - positive) === t).length /
  truth.length;
const counts = labels.map((_, c) => train.rows.filter((r) => r.label === labels[c]).length);
const majorityClass = counts.indexOf(Math.max(...counts));
const majority = truth.filter((t) => t === majorityClass).length / truth.length;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const worst = {
  accuracy: Math.min(...runs.map((r) => r.accuracy)),
  train_seconds: Math.max(...runs.map((r) => r.train_seconds)),
  auto_accept_accuracy: Math.min(...runs.map((r) => r.auto_accept.accuracy ?? 0)),
};
const report = {
  data: { train: trainFile, dev: devFile, train_rows: train.rows.length, dev_rows: dev.rows.length },
  featurizer: DEFAULT_CLASSIFIER_FEATURIZER,
  threshold,
  runs,
  median: {
    accuracy: median(runs.map((r) => r.accuracy)),
    train_seconds: median(runs.map((r) => r.train_seconds)),
    auto_accept_accuracy: median(runs.map((r) => r.auto_accept.accuracy ?? 0)),
  },
  baselines: { vader_compound: vader, majority_class: majority },
  targets: {
    accuracy_at_least_0_83: { worst: worst.accuracy, met: worst.accuracy >= 0.83 },
    train_under_15_s: { worst: worst.train_seconds, met: worst.train_seconds < 15 },
    auto_accept_at_least_0_95: { worst: worst.auto_accept_accuracy, met: worst.auto_accept_accuracy >= 0.95 },
  },
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
};
fs.mkdirSync(path.dirname(path.resolve(values.report!)), { recursive: true });
fs.writeFileSync(values.report!, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `SST-2 dev: accuracy ${(100 * report.median.accuracy).toFixed(1)}% (median of ${runs.length}), VADER ${(100 * vader).toFixed(1)}%, majority ${(100 * majority).toFixed(1)}%; ` +
    `targets: accuracy ${report.targets.accuracy_at_least_0_83.met ? 'met' : 'missed'}, time ${report.targets.train_under_15_s.met ? 'met' : 'missed'}, ` +
    `auto-accept ${report.targets.auto_accept_at_least_0_95.met ? 'met' : 'missed'} → ${values.report}`,
);
