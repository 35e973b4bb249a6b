/**
 * `arbiter sentiment train|eval|prelabel`: file-based sentiment classifiers (CSV, TSV or JSONL, the
 * GLUE SST-2 layout as it is), and `arbiter sentiment cycle`: one retraining cycle of a project,
 * exactly as the app's job runs it.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Command } from 'commander';
import { loadClassifierDir, saveClassifierDir } from '../../../reward/classifier/artefact';
import { classifierMetrics, autoAcceptAt } from '../../../reward/classifier/metrics';
import { predictTextsOnnx } from '../../../reward/classifier/predict';
import { trainAndEvaluateClassifier } from '../../../reward/classifier/run';
import { DEFAULT_CLASSIFIER_FEATURIZER } from '../../../reward/classifier/train';
import { createFeaturizer } from '../../../reward/featurize';
import { parseLabelMap } from '../../../tasks/import/sentiment-records';
import { requireProject } from '../../../tasks/projects';
import { labelsOf, readSentimentFile, toExamples } from '../../../tasks/sentiment-files';
import { ACTIVATE_CHOICES, runCycleNow } from '../../../tasks/sentiment-cycle';
import { SENTIMENT_DEFAULTS } from '../../../tasks/sentiment-settings';
import { action, CliError, collect, numberOption, config, withDb, writeReport } from '../runtime';
import { progressBar } from '../progress';

interface ColumnOptions {
  textCol?: string;
  labelCol?: string;
  labelMap?: string;
}

function columns(command: Command): Command {
  return command
    .option(
      '--text-col <name>',
      'the column (or JSON field) holding the text (default: text, sentence, content, …)',
    )
    .option('--label-col <name>', 'the column holding the label (default: label, sentiment, emotion, …)')
    .option('--label-map <map>', 'rename labels, e.g. 0=negative,1=positive');
}

function stageBar(label: string) {
  const bar = progressBar(label);
  return {
    onProgress: (stage: string, fraction: number) => bar.update(Math.round(fraction * 100), 100, stage),
    stop: () => bar.stop(),
  };
}

export function registerSentiment(program: Command): void {
  const sentiment = program
    .command('sentiment')
    .description('Train, evaluate and apply sentiment classifiers; run a project’s retraining cycle.');

  columns(
    sentiment
      .command('train')
      .description('Train a text classifier on labelled files and write it as an ONNX model directory.')
      .requiredOption(
        '--data <file>',
        'CSV, TSV or JSONL file with text and label columns (repeat for several)',
        collect,
      )
      .requiredOption('--out <dir>', 'model directory to write (model.onnx + manifest.json)')
      .option('--seed <n>', 'seed for the split and the λ search', '1')
      .option(
        '--test-fraction <f>',
        'share of whole texts held out for the reported metrics (0 = train on all)',
        '0.2',
      )
      .option('--report <file>', 'write the metrics as JSON'),
  ).action(
    action(
      async (
        opts: ColumnOptions & {
          data: string[];
          out: string;
          seed: string;
          testFraction: string;
          report?: string;
        },
      ) => {
        const seed = numberOption('--seed', opts.seed, 0, 2 ** 31 - 1, true);
        const testFraction = numberOption('--test-fraction', opts.testFraction, 0, 0.89);
        const labelMap = parseLabelMap(opts.labelMap);
        const rows: { text: string; label: string | null }[] = [];
        const sources: string[] = [];
        for (const file of opts.data) {
          const read = await readSentimentFile(file, {
            textColumn: opts.textCol,
            labelColumn: opts.labelCol,
            labelMap,
            requireLabels: true,
          });
          rows.push(...read.rows);
          sources.push(
            `${file} (${read.format}, ${read.rows.length} texts, columns ${read.columns.text}/${read.columns.label})`,
          );
          console.error(`read ${read.rows.length} labelled texts from ${file} (${read.format})`);
        }
        const labels = labelsOf(rows);
        if (labels.length < 2)
          throw new CliError(
            `The data has only the label ${JSON.stringify(labels[0] ?? '')}; a classifier needs at least two.`,
          );
        const bar = stageBar('Training');
        const result = trainAndEvaluateClassifier(toExamples(rows, labels), labels, {
          task: 'sentiment',
          seed,
          testFraction,
          featurizer: DEFAULT_CLASSIFIER_FEATURIZER,
          sources,
          onProgress: bar.onProgress,
        });
        bar.stop();
        const written = await saveClassifierDir(opts.out, result.model.head, result.manifest);
        writeReport(opts.report, {
          model: opts.out,
          labels,
          snapshot: result.manifest.snapshot,
          onnx: written.onnx,
          ...result.metrics,
        });
        const t = result.metrics.test;
        console.log(
          `trained on ${result.metrics.train_examples} texts (${labels.join(', ')}) in ${result.metrics.train_seconds.toFixed(1)} s → ${opts.out}` +
            (t
              ? `; held-out accuracy ${(100 * t.accuracy).toFixed(1)}% on ${t.n} texts, macro-F1 ${t.macro_f1.toFixed(3)}, ECE ${t.ece.toFixed(3)}`
              : ''),
        );
      },
    ),
  );

  columns(
    sentiment
      .command('eval')
      .description(
        'Score a labelled file with a model (through ONNX): accuracy, macro-F1, calibration, auto-accept bands.',
      )
      .requiredOption('--model <dir>', 'model directory written by `sentiment train`')
      .requiredOption('--data <file>', 'labelled CSV, TSV or JSONL file')
      .requiredOption('--report <file>', 'where to write the JSON report')
      .option(
        '--threshold <p>',
        'the auto-accept threshold to report on',
        String(SENTIMENT_DEFAULTS.autoAcceptThreshold),
      ),
  ).action(
    action(
      async (opts: ColumnOptions & { model: string; data: string; report: string; threshold: string }) => {
        const threshold = numberOption('--threshold', opts.threshold, 0, 1);
        const { manifest, scorer } = await loadClassifierDir(opts.model);
        try {
          const read = await readSentimentFile(opts.data, {
            textColumn: opts.textCol,
            labelColumn: opts.labelCol,
            labelMap: parseLabelMap(opts.labelMap),
            labels: manifest.labels,
            requireLabels: true,
          });
          const probs = await predictTextsOnnx(
            scorer,
            createFeaturizer(manifest.featurizer),
            read.rows.map((r) => r.text),
          );
          const C = manifest.labels.length;
          const predictions = read.rows.map((r, i) => ({
            probabilities: probs.subarray(i * C, i * C + C),
            truth: manifest.labels.indexOf(r.label!),
          }));
          const metrics = classifierMetrics(predictions, manifest.labels);
          const atThreshold = autoAcceptAt(predictions, threshold);
          writeReport(opts.report, {
            model: opts.model,
            data: opts.data,
            labels: manifest.labels,
            ...metrics,
            auto_accept_at_threshold: atThreshold,
          });
          console.log(
            `accuracy ${(100 * metrics.accuracy).toFixed(1)}% on ${metrics.n} texts, macro-F1 ${metrics.macro_f1.toFixed(3)}, ECE ${metrics.ece.toFixed(3)}; ` +
              `at confidence ≥ ${threshold}: ${(100 * atThreshold.share).toFixed(1)}% of texts, ` +
              (atThreshold.accuracy === null
                ? 'none'
                : `${(100 * atThreshold.accuracy).toFixed(1)}% correct`),
          );
        } finally {
          await scorer.dispose();
        }
      },
    ),
  );

  columns(
    sentiment
      .command('prelabel')
      .description(
        'Pre-label a file with a model: one JSON line per text with its label, confidence and route.',
      )
      .requiredOption('--model <dir>', 'model directory written by `sentiment train`')
      .requiredOption('--data <file>', 'CSV, TSV or JSONL file (labels, if any, are ignored)')
      .requiredOption('--out <file>', 'JSONL file to write (gzip-compressed when it ends in .gz)')
      .option(
        '--threshold <p>',
        'confidence at or above which a text would be auto-accepted',
        String(SENTIMENT_DEFAULTS.autoAcceptThreshold),
      ),
  ).action(
    action(async (opts: ColumnOptions & { model: string; data: string; out: string; threshold: string }) => {
      const threshold = numberOption('--threshold', opts.threshold, 0, 1);
      const { manifest, scorer } = await loadClassifierDir(opts.model);
      try {
        const read = await readSentimentFile(opts.data, { textColumn: opts.textCol, requireLabels: false });
        const featurizer = createFeaturizer(manifest.featurizer);
        const C = manifest.labels.length;
        const BATCH = 2048;
        let auto = 0;
        async function* lines() {
          for (let start = 0; start < read.rows.length; start += BATCH) {
            const batch = read.rows.slice(start, start + BATCH);
            const probs = await predictTextsOnnx(
              scorer,
              featurizer,
              batch.map((r) => r.text),
            );
            for (let i = 0; i < batch.length; i++) {
              const p = probs.subarray(i * C, i * C + C);
              let top = 0;
              for (let c = 1; c < C; c++) if (p[c]! > p[top]!) top = c;
              const route = p[top]! >= threshold ? 'auto' : 'human';
              if (route === 'auto') auto++;
              yield `${JSON.stringify({
                line: batch[i]!.line,
                text: batch[i]!.text,
                label: manifest.labels[top],
                confidence: Number(p[top]!.toFixed(6)),
                probabilities: Object.fromEntries(
                  manifest.labels.map((l, c) => [l, Number(p[c]!.toFixed(6))]),
                ),
                route,
              })}\n`;
            }
          }
        }
        const out = fs.createWriteStream(opts.out);
        if (opts.out.endsWith('.gz')) await pipeline(Readable.from(lines()), createGzip(), out);
        else await pipeline(Readable.from(lines()), out);
        console.log(
          `pre-labeled ${read.rows.length} texts → ${opts.out}; ${auto} (${((100 * auto) / Math.max(1, read.rows.length)).toFixed(1)}%) at confidence ≥ ${threshold} would be auto-accepted.`,
        );
      } finally {
        await scorer.dispose();
      }
    }),
  );

  sentiment
    .command('cycle')
    .description(
      'Run one retraining cycle of a sentiment project now: train, measure before and after, re-route.',
    )
    .requiredOption('--project <slug>', 'the sentiment project')
    .option(
      '--activate <when>',
      `${ACTIVATE_CHOICES.join(' | ')}: when the new model becomes the active one`,
      'if-better',
    )
    .option('--seed <n>', 'seed for the λ search', '1')
    .option('--report <file>', 'write the cycle as JSON')
    .action(
      action(async (opts: { project: string; activate: string; seed: string; report?: string }) => {
        if (!(ACTIVATE_CHOICES as readonly string[]).includes(opts.activate))
          throw new CliError(`--activate must be ${ACTIVATE_CHOICES.join(', ')}; not "${opts.activate}".`);
        const seed = numberOption('--seed', opts.seed, 0, 2 ** 31 - 1, true);
        await withDb('sentiment cycle', async ({ db }) => {
          const project = await requireProject(db, opts.project);
          const bar = stageBar('Cycle');
          try {
            const outcome = await runCycleNow(
              db,
              { email: 'cli' },
              project.slug,
              { seed, activate: opts.activate as (typeof ACTIVATE_CHOICES)[number] },
              bar.onProgress,
              { modelsDir: config().modelsDir },
            );
            bar.stop();
            const pct = (m: { accuracy: number } | null) => (m ? `${(100 * m.accuracy).toFixed(1)}%` : 'n/a');
            console.log(
              `cycle ${outcome.cycle.number}: held-out accuracy ${pct(outcome.before)} before (${outcome.cycle.before_source ?? 'nothing'}), ${pct(outcome.after)} after (v${outcome.version}) on ${outcome.cycle.holdout} items. ${outcome.decision}` +
                (outcome.routing
                  ? ` Re-routed: ${outcome.routing.auto} accepted, ${outcome.routing.audit} to audit, ${outcome.routing.human} to people.`
                  : ''),
            );
            writeReport(opts.report, {
              project: project.slug,
              cycle: outcome.cycle.number,
              model_id: outcome.modelId,
              version: outcome.version,
              before_source: outcome.cycle.before_source,
              before: outcome.before,
              after: outcome.after,
              holdout: outcome.cycle.holdout,
              activated: outcome.activated,
              decision: outcome.decision,
              routing: outcome.routing,
            });
          } catch (error) {
            bar.stop();
            throw error;
          }
        });
      }),
    );
}
