/**
 * `arbiter reward train|eval|cv|score`: file-based reward modelling for researchers and for the
 * benchmark. Reads Arbiter, HH-RLHF or TRL JSONL(.gz) (auto-detected per file) and never touches
 * the database.
 */
import type { Command } from 'commander';
import { readPreferenceFile } from '../../../tasks/reward-files';
import { saveModelDir, loadModelDir } from '../../../reward/artefact';
import { createFeaturizer } from '../../../reward/featurize';
import { DEFAULT_FEATURIZER } from '../../../reward/featurizer-config';
import { trainAndEvaluate, lengthBaselineAccuracy, type RewardAxis } from '../../../reward/run';
import { crossValidate } from '../../../reward/cross-validate';
import { scorePairsOnnx, toPredictions } from '../../../reward/predict';
import { accuracyByUncertainty, pairMetrics } from '../../../reward/metrics';
import type { TrainingPair } from '../../../reward/dataset';
import { action, CliError, collect, numberOption, writeReport } from '../runtime';
import { progressBar } from '../progress';
import fs from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

const AXES = ['helpfulness', 'safety'] as const;

const intOption = (name: string, value: string, min: number, max: number) =>
  numberOption(name, value, min, max, true);

function axisOption(value: string): RewardAxis {
  if (!(AXES as readonly string[]).includes(value))
    throw new CliError(`--axis must be ${AXES.join(' or ')}; got "${value}".`);
  return value as RewardAxis;
}

async function readAll(files: string[]): Promise<{ pairs: TrainingPair[]; sources: string[] }> {
  const pairs: TrainingPair[] = [];
  const sources: string[] = [];
  for (const file of files) {
    const read = await readPreferenceFile(file);
    if (!read.pairs.length)
      throw new CliError(
        `${file} holds no labelled pairs (${read.unlabelled} records without a preferred response).`,
      );
    pairs.push(...read.pairs);
    sources.push(`${file} (${read.format}, ${read.pairs.length} pairs)`);
    console.error(`read ${read.pairs.length} pairs from ${file} (${read.format})`);
  }
  return { pairs, sources };
}

function stageBar(label: string) {
  const bar = progressBar(label);
  return {
    onProgress: (stage: string, fraction: number) => bar.update(Math.round(fraction * 100), 100, stage),
    stop: () => bar.stop(),
  };
}

export function registerReward(program: Command): void {
  const reward = program
    .command('reward')
    .description('Train, evaluate and apply reward models on preference files.');

  reward
    .command('train')
    .description('Train a Bradley-Terry ensemble and write it as an ONNX model directory.')
    .requiredOption('--data <file>', 'preference file (repeat for several)', collect)
    .option('--axis <axis>', 'helpfulness | safety (recorded in the model)', 'helpfulness')
    .requiredOption('--out <dir>', 'model directory to write (model.onnx + manifest.json)')
    .option('--seed <n>', 'seed for the split, the λ search and the bootstrap', '1')
    .option('--test-fraction <f>', 'share held out for the reported metrics (0 = train on all)', '0.2')
    .option('--members <k>', 'bootstrap ensemble size', '5')
    .option('--no-learning-curve', 'skip the learning-curve fits')
    .option('--report <file>', 'write the metrics as JSON')
    .action(
      action(
        async (opts: {
          data: string[];
          axis: string;
          out: string;
          seed: string;
          testFraction: string;
          members: string;
          learningCurve: boolean;
          report?: string;
        }) => {
          const axis = axisOption(opts.axis);
          const seed = intOption('--seed', opts.seed, 0, 2 ** 31 - 1);
          const members = intOption('--members', opts.members, 1, 50);
          const testFraction = Number(opts.testFraction);
          if (!(testFraction >= 0 && testFraction < 0.9))
            throw new CliError('--test-fraction must be at least 0 and below 0.9.');
          const { pairs, sources } = await readAll(opts.data);
          const bar = stageBar('Training');
          const result = trainAndEvaluate(pairs, {
            axis,
            seed,
            testFraction,
            featurizer: DEFAULT_FEATURIZER,
            train: { members },
            sources,
            learningCurve: opts.learningCurve,
            onProgress: bar.onProgress,
          });
          bar.stop();
          const written = await saveModelDir(opts.out, result.model.head, result.manifest);
          const report = {
            model: opts.out,
            axis,
            snapshot: result.manifest.snapshot,
            onnx: written.onnx,
            ...result.metrics,
          };
          writeReport(opts.report, report);
          const t = result.metrics.test;
          console.log(
            `trained on ${result.metrics.train_pairs} pairs in ${result.metrics.train_seconds.toFixed(1)} s → ${opts.out}` +
              (t
                ? `; held-out accuracy ${(100 * t.accuracy).toFixed(1)}% on ${t.decided} pairs, ECE ${t.ece.toFixed(3)}`
                : ''),
          );
        },
      ),
    );

  reward
    .command('eval')
    .description(
      'Score a labelled preference file with a model (through ONNX) and report accuracy and calibration.',
    )
    .requiredOption('--model <dir>', 'model directory written by `reward train`')
    .requiredOption('--data <file>', 'labelled preference file', collect)
    .requiredOption('--report <file>', 'where to write the JSON report')
    .action(
      action(async (opts: { model: string; data: string[]; report: string }) => {
        const { manifest, scorer } = await loadModelDir(opts.model);
        try {
          const { pairs, sources } = await readAll(opts.data);
          const scores = await scorePairsOnnx(scorer, createFeaturizer(manifest.featurizer), pairs);
          const predictions = toPredictions(scores, pairs);
          const metrics = pairMetrics(predictions);
          const report = {
            model: opts.model,
            axis: manifest.axis,
            sources,
            ...metrics,
            accuracy_by_spread_quintile: accuracyByUncertainty(
              predictions.map((p, i) => ({ ...p, uncertainty: scores[i]!.uncertainty })),
            ),
            length_baseline_accuracy: lengthBaselineAccuracy(pairs),
          };
          writeReport(opts.report, report);
          console.log(
            `accuracy ${(100 * metrics.accuracy).toFixed(1)}% on ${metrics.decided} pairs, ECE ${metrics.ece.toFixed(3)} → ${opts.report}`,
          );
        } finally {
          await scorer.dispose();
        }
      }),
    );

  reward
    .command('cv')
    .description('k-fold cross-validated accuracy of the reward model, next to "the longer response wins".')
    .requiredOption('--data <file>', 'labelled preference file (repeat for several)', collect)
    .option('--folds <k>', 'number of folds', '5')
    .option('--seed <n>', 'seed for the fold assignment and training', '1')
    .option('--members <k>', 'bootstrap ensemble size', '5')
    .requiredOption('--report <file>', 'where to write the JSON report')
    .action(
      action(
        async (opts: { data: string[]; folds: string; seed: string; members: string; report: string }) => {
          const folds = intOption('--folds', opts.folds, 2, 20);
          const seed = intOption('--seed', opts.seed, 0, 2 ** 31 - 1);
          const members = intOption('--members', opts.members, 1, 50);
          const { pairs, sources } = await readAll(opts.data);
          if (pairs.length < folds * 2)
            throw new CliError(`${pairs.length} pairs are too few for ${folds} folds.`);
          const bar = stageBar('Cross-validating');
          const report = crossValidate(pairs, {
            folds,
            seed,
            featurizer: DEFAULT_FEATURIZER,
            train: { members },
            onProgress: bar.onProgress,
          });
          bar.stop();
          writeReport(opts.report, { sources, ...report });
          console.log(
            `${folds}-fold accuracy ${(100 * report.accuracy_mean).toFixed(1)}% (length baseline ${(100 * report.length_baseline_accuracy).toFixed(1)}%), ECE ${report.ece_pooled.toFixed(3)} out of fold → ${opts.report}`,
          );
        },
      ),
    );

  reward
    .command('score')
    .description('Score every pair of a preference file with a model; one JSON line per pair.')
    .requiredOption('--model <dir>', 'model directory written by `reward train`')
    .requiredOption('--data <file>', 'preference file (the preferred response is "a")', collect)
    .requiredOption('--out <file>', 'JSONL output (.gz compresses)')
    .action(
      action(async (opts: { model: string; data: string[]; out: string }) => {
        const { manifest, scorer } = await loadModelDir(opts.model);
        try {
          const { pairs } = await readAll(opts.data);
          const scores = await scorePairsOnnx(scorer, createFeaturizer(manifest.featurizer), pairs);
          const lines = scores.map(
            (s, i) =>
              JSON.stringify({
                pair: i + 1,
                reward_a: s.rewardA,
                reward_b: s.rewardB,
                probability_a: s.probabilityA,
                uncertainty: s.uncertainty,
              }) + '\n',
          );
          const tmp = `${opts.out}.partial`;
          const sink = fs.createWriteStream(tmp);
          await (opts.out.endsWith('.gz')
            ? pipeline(Readable.from(lines), createGzip(), sink)
            : pipeline(Readable.from(lines), sink));
          fs.renameSync(tmp, opts.out);
          console.log(`scored ${scores.length} pairs with ${opts.model} → ${opts.out}`);
        } finally {
          await scorer.dispose();
        }
      }),
    );
}
