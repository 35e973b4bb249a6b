/**
 * Reward-model benchmark.
 *
 *   npm run bench:reward -- --report reports/reward.json [--sets a,b] [--sizes 1000,10000,100000] [--folds 5]
 *
 * 1. Accuracy: every preference set in ../shared/data is converted to TRL JSONL first, read back
 *    through the CLI's reader, and 5-fold cross-validated for Arbiter's model, a plain L2 logistic
 *    regression on the same hashed word uni+bigrams (no hand-written features, no evidence scaling,
 *    no ensemble; λ chosen the same way), and "the longer response wins" — all in this run.
 * 2. Speed: synthetic pairs (seeded, realistic lengths) at each size: training time, then scoring
 *    throughput through ONNX, featurizing included and reported apart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SHARED_SETS, sharedDataDir, writeSharedSetJsonl } from './shared-sets';
import { readPreferenceFile } from '../../tasks/reward-files';
import { crossValidate } from '../../reward/cross-validate';
import { DEFAULT_FEATURIZER, type FeaturizerConfig } from '../../reward/featurizer-config';
import { trainRewardModel } from '../../reward/train';
import { encodeArtefact, loadArtefactBytes } from '../../reward/artefact';
import { encodePairs, type TrainingPair } from '../../reward/dataset';
import { createRng } from '../../reward/rng';
import { syntheticPairs } from '../../reward/testing/synthetic';

const { values } = parseArgs({
  options: {
    report: { type: 'string', default: 'reports/reward.json' },
    sets: { type: 'string' },
    sizes: { type: 'string', default: '1000,10000,100000' },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});
const folds = Number(values.folds);
// checked before anything runs: a typo should not surface after forty minutes of cross-validation
function fail(message: string): never {
  console.error(`bench:reward: ${message}`);
  process.exit(2);
}
/** --sizes none skips the speed part */
const sizes =
  values.sizes === 'none'
    ? []
    : values.sizes!.split(',').map((token) => {
        const n = Number(token);
        if (!Number.isInteger(n) || n < 2)
          fail(`--sizes: "${token}" is not a whole number of pairs ≥ 2 (or use "none")`);
        return n;
      });
/** --sets none skips the accuracy part */
const wantedSets = values.sets === undefined ? null : values.sets === 'none' ? [] : values.sets.split(',');
for (const name of wantedSets ?? []) {
  if (!SHARED_SETS.some((s) => s.name === name)) {
    fail(`--sets: no shared set "${name}"; known: ${SHARED_SETS.map((s) => s.name).join(', ')}, or "none"`);
  }
}
const seed = Number(values.seed);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const BASELINE_FEATURIZER: FeaturizerConfig = { ...DEFAULT_FEATURIZER, dense: false, charNgrams: null };
const BASELINE_TRAIN = { members: 1, evidencePower: 0, denseBoost: 1 };

/** The reference numbers (liblinear on hashed uni+bigrams + log length difference). */
const REFERENCE: Record<string, { logistic: number; length?: number }> = {
  'hh-helpful-base': { logistic: 0.623, length: 0.585 },
  'hh-helpful-all': { logistic: 0.588 },
  'pku-safe-vs-unsafe': { logistic: 0.793, length: 0.438 },
  ultrafeedback: { logistic: 0.579 },
  'autoj-no-ties': { logistic: 0.706 },
};

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

async function accuracySection() {
  const dataDir = sharedDataDir(repoRoot);
  if (!dataDir) {
    console.error('../shared/data is absent: skipping the accuracy part');
    return { skipped: 'no ../shared/data' };
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-bench-'));
  const rows = [];
  try {
    for (const set of SHARED_SETS.filter((s) => !wantedSets || wantedSets.includes(s.name))) {
      const file = path.join(tmp, `${set.name}.jsonl.gz`);
      await writeSharedSetJsonl(dataDir, set.name, file);
      const { pairs } = await readPreferenceFile(file);
      const arbiter = crossValidate(pairs, { folds, seed, featurizer: DEFAULT_FEATURIZER });
      const logistic = crossValidate(pairs, {
        folds,
        seed,
        featurizer: BASELINE_FEATURIZER,
        train: BASELINE_TRAIN,
      });
      const reference = REFERENCE[set.name];
      const row = {
        set: set.name,
        axis: set.axis,
        pairs: pairs.length,
        arbiter_accuracy: round(arbiter.accuracy_mean),
        arbiter_accuracy_folds: arbiter.accuracy_folds.map((x) => round(x)),
        arbiter_ece_pooled: round(arbiter.ece_pooled),
        arbiter_ece_fold_mean: round(arbiter.ece_mean),
        arbiter_accuracy_by_uncertainty_quintile: arbiter.accuracy_by_uncertainty_quintile.map((x) =>
          round(x),
        ),
        logistic_accuracy: round(logistic.accuracy_mean),
        length_baseline_accuracy: round(arbiter.length_baseline_accuracy),
        gain_over_logistic_points: round(100 * (arbiter.accuracy_mean - logistic.accuracy_mean), 2),
        train_seconds_per_fold: round(arbiter.train_seconds / folds, 2),
        ...(reference && {
          reference_logistic_accuracy: reference.logistic,
          gain_over_reference_points: round(100 * (arbiter.accuracy_mean - reference.logistic), 2),
          meets_target: arbiter.accuracy_mean >= reference.logistic + 0.02 && arbiter.ece_pooled < 0.05,
        }),
      };
      rows.push(row);
      console.error(
        `${set.name.padEnd(30)} n=${String(pairs.length).padStart(5)}  arbiter ${(100 * arbiter.accuracy_mean).toFixed(1)}%  logistic ${(100 * logistic.accuracy_mean).toFixed(1)}%  length ${(100 * arbiter.length_baseline_accuracy).toFixed(1)}%  ECE ${arbiter.ece_pooled.toFixed(3)} (per fold ${arbiter.ece_mean.toFixed(3)})`,
      );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { folds, seed, sets: rows };
}

async function speedSection() {
  const out = [];
  for (const size of sizes) {
    const rng = createRng(seed + size);
    const pairs: TrainingPair[] = syntheticPairs(size, rng);
    const model = trainRewardModel(pairs, DEFAULT_FEATURIZER, { seed });
    const { scorer } = await loadArtefactBytes(
      encodeArtefact(model.head, {
        format: 'arbiter-reward-model',
        formatVersion: 1,
        axis: 'helpfulness',
        createdAt: new Date().toISOString(),
        featurizer: DEFAULT_FEATURIZER,
        dim: model.head.dim,
        members: model.head.members,
        snapshot: { id: 'bench', pairs: size, sources: ['synthetic'] },
        metrics: {},
        topFeatures: [],
        denseFeatureNames: [],
      }),
    );
    let started = performance.now();
    const { rows } = encodePairs(model.featurizer, pairs);
    const featurizeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await scorer.scoreRows(rows);
    const onnxSeconds = (performance.now() - started) / 1000;
    await scorer.dispose();
    const row = {
      pairs: size,
      train_seconds: round(model.seconds, 2),
      score_featurize_seconds: round(featurizeSeconds, 2),
      score_onnx_seconds: round(onnxSeconds, 2),
      score_total_seconds: round(featurizeSeconds + onnxSeconds, 2),
      scored_pairs_per_second: Math.round(size / (featurizeSeconds + onnxSeconds)),
      mean_words_per_response: round(
        pairs.reduce((s, p) => s + p.a.split(' ').length + p.b.split(' ').length, 0) / (2 * size),
        1,
      ),
    };
    out.push(row);
    console.error(
      `${String(size).padStart(6)} pairs: train ${row.train_seconds} s, score ${row.score_total_seconds} s (featurize ${row.score_featurize_seconds} s + ONNX ${row.score_onnx_seconds} s)`,
    );
  }
  return out;
}

const report = {
  command: `npm run bench:reward -- ${process.argv.slice(2).join(' ')}`.trim(),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.version,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
  },
  started_at: new Date().toISOString(),
  accuracy: await accuracySection(),
  speed: await speedSection(),
};
fs.mkdirSync(path.dirname(path.resolve(values.report!)), { recursive: true });
fs.writeFileSync(values.report!, JSON.stringify(report, null, 2) + '\n');
console.error(`report → ${values.report}`);
