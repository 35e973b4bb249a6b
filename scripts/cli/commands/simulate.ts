/**
 * `arbiter simulate`: the evidence for active learning. A labelled file plays the annotator, each
 * strategy picks batches, the real model retrains after each one, and the report says how many
 * labels each strategy saves against random (with a chart next to it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readPreferenceFile } from '../../../tasks/reward-files';
import { labelsOf, readSentimentFile } from '../../../tasks/sentiment-files';
import { parseLabelMap } from '../../../tasks/import/sentiment-records';
import {
  preferenceSimulationLearner,
  runSimulation,
  sentimentSimulationLearner,
  SIMULATION_REWARD_TRAINING,
} from '../../../tasks/active-learning/run';
import type { Learner } from '../../../tasks/active-learning/simulate';
import { action, CliError, writeReport } from '../runtime';
import { progressBar } from '../progress';

interface SimulateOptions {
  data: string;
  testData?: string;
  task: string;
  strategies: string;
  budget: string;
  batch: string;
  seeds: string;
  testFrac: string;
  noise: string;
  redundancy: string;
  report: string;
  chart?: string;
  textCol?: string;
  labelCol?: string;
  labelMap?: string;
}

function number(name: string, value: string, check: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new CliError(`${name} must be ${what}; got "${value}".`);
  return n;
}

/** `--seeds 5` means seeds 1..5; `--seeds 3,7,11` names them. */
function parseSeeds(value: string): number[] {
  if (/^\d+$/.test(value)) {
    const k = number(
      '--seeds',
      value,
      (n) => n >= 1 && n <= 100,
      'a count from 1 to 100 or a list like 1,2,3',
    );
    return Array.from({ length: k }, (_, i) => i + 1);
  }
  return value
    .split(',')
    .map((s) => number('--seeds', s.trim(), Number.isInteger, 'whole numbers like 1,2,3'));
}

async function loadLearner(
  opts: SimulateOptions,
  testFraction: number,
): Promise<{ learner: Learner; note: string }> {
  if (opts.task === 'preference') {
    const { pairs, format } = await readPreferenceFile(opts.data);
    const test = opts.testData ? (await readPreferenceFile(opts.testData)).pairs : undefined;
    const learner = preferenceSimulationLearner(pairs, { test, testFraction, splitSeed: 1 });
    return { learner, note: `${pairs.length} pairs (${format})` };
  }
  const read = (file: string) =>
    readSentimentFile(file, {
      textColumn: opts.textCol,
      labelColumn: opts.labelCol,
      labelMap: parseLabelMap(opts.labelMap),
      requireLabels: true,
    });
  const data = await read(opts.data);
  const testRows = opts.testData ? (await read(opts.testData)).rows : [];
  const labels = labelsOf([...data.rows, ...testRows]);
  if (labels.length < 2)
    throw new CliError(`${opts.data} has fewer than two labels; a classifier needs two.`);
  const units = (rows: typeof data.rows) =>
    rows.map((r) => ({ text: r.text, label: labels.indexOf(r.label!) }));
  const learner = sentimentSimulationLearner(units(data.rows), labels, {
    test: opts.testData ? units(testRows) : undefined,
    testFraction,
    splitSeed: 1,
  });
  return { learner, note: `${data.rows.length} texts (${data.format}), labels ${labels.join(', ')}` };
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'Replay a labelled file as the annotator and measure how many labels each selection strategy saves against random.',
    )
    .requiredOption(
      '--data <file>',
      'labelled file: preference pairs (TRL, HH-RLHF, Arbiter JSONL) or texts (--task sentiment)',
    )
    .requiredOption('--report <file>', 'where to write the JSON report (the chart goes next to it as .svg)')
    .option('--task <task>', 'preference (the reward model) or sentiment (the text classifier)', 'preference')
    .option(
      '--strategies <list>',
      'comma-separated: random, least-judged, uncertainty, ensemble, annotator-disagreement, diverse, hybrid, hybrid-without-<signal>',
      'random,hybrid',
    )
    .option('--budget <n>', 'labels each run may collect', '500')
    .option('--batch <n>', 'labels per batch (the model retrains after each)', '50')
    .option('--seeds <k>', 'number of seeds (1..k), or a list', '5')
    .option('--test-frac <f>', 'share of the file held out for evaluation', '0.3')
    .option('--test-data <file>', 'evaluate on this file instead (the whole --data file becomes the pool)')
    .option('--noise <p>', 'share of answers the simulated annotator gets wrong', '0')
    .option('--redundancy <n>', 'answers per unit before disagreement-aware policies adapt it', '1')
    .option('--chart <file>', 'where to write the SVG chart (default: the report path with .svg)')
    .option('--text-col <name>', 'sentiment: the text column')
    .option('--label-col <name>', 'sentiment: the label column')
    .option('--label-map <map>', 'sentiment: rename labels, e.g. 0=negative,1=positive')
    .action(
      action(async (opts: SimulateOptions) => {
        if (opts.task !== 'preference' && opts.task !== 'sentiment')
          throw new CliError(`--task must be preference or sentiment; got "${opts.task}".`);
        const testFraction = number(
          '--test-frac',
          opts.testFrac,
          (n) => n > 0 && n < 0.9,
          'a share above 0 and below 0.9',
        );
        const request = {
          strategies: opts.strategies
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          budget: number('--budget', opts.budget, Number.isInteger, 'a whole number of labels'),
          batch: number('--batch', opts.batch, Number.isInteger, 'a whole number of labels'),
          seeds: parseSeeds(opts.seeds),
          noise: number('--noise', opts.noise, (n) => n >= 0 && n < 1, 'a share from 0 to below 1'),
          redundancy: number(
            '--redundancy',
            opts.redundancy,
            (n) => Number.isInteger(n) && n >= 1 && n <= 10,
            'a whole number from 1 to 10',
          ),
        };
        const { learner, note } = await loadLearner(opts, testFraction);
        console.error(`read ${note}: pool ${learner.ids.length}, held out ${learner.testSize}`);
        const bar = progressBar('Simulating');
        let report;
        try {
          report = runSimulation(opts.task, learner, request, (done, total, label) =>
            bar.update(done, total, label),
          );
        } finally {
          bar.stop();
        }
        const chart = opts.chart ?? opts.report.replace(/\.json$/i, '') + '.svg';
        fs.mkdirSync(path.dirname(path.resolve(chart)), { recursive: true });
        const title = `${path.basename(opts.data)}: held-out accuracy against labels (median of ${request.seeds.length} seeds)`;
        // React and recharts load only here: every other command would carry ~25 MB for them
        const { learningCurvesSvg } = await import('../learning-curves-svg');
        fs.writeFileSync(chart, learningCurvesSvg(title, report.strategies));
        writeReport(opts.report, {
          data: opts.data,
          test_data: opts.testData ?? null,
          ...report,
          trainer: opts.task === 'preference' ? SIMULATION_REWARD_TRAINING : 'sentiment classifier defaults',
          chart,
        });
        for (const [name, s] of Object.entries(report.strategies)) {
          const saving =
            s.savings_vs_random === null
              ? 'never reaches random'
              : `saves ${(100 * s.savings_vs_random).toFixed(0)}%`;
          console.log(
            `${name.padEnd(26)} final ${(100 * s.final_accuracy).toFixed(1)}%  ${name === 'random' ? '(reference)' : saving}` +
              `${s.never_worse_than_random ? '' : '  (behind random beyond its spread somewhere)'}`,
          );
        }
        console.log(`report → ${opts.report}, chart → ${chart} (${report.seconds.toFixed(0)} s)`);
      }),
    );
}
