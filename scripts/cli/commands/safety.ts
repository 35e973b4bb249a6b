/**
 * `arbiter safety train|eval`: file-based harm classifiers on labelled data in the BeaverTails
 * layout (CSV `prompt, response, category, is_safe` or JSONL with the same fields);
 * `arbiter safety import`: labelled rows into a project; `arbiter safety retrain`: a project's
 * safety model from its reviewers' decisions, exactly as the app's job trains it. The model code
 * (onnxruntime, the trainer) is imported when a command runs, so `arbiter --help` and every other
 * command start without it.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { requireProject } from '../../../tasks/projects';
import {
  DEFAULT_BEAVERTAILS_MAP,
  parseCategoryMap,
  type CategoryMap,
} from '../../../tasks/safety/category-map';
import { safetyExamplesFromRows } from '../../../tasks/safety/file-examples';
import { readSafetyFile, type SafetyRow } from '../../../tasks/safety/files';
import { SAFETY_DEFAULTS } from '../../../tasks/safety/settings';
import { action, CliError, collect, numberOption, withDb, writeReport } from '../runtime';
import { progressBar } from '../progress';

function readMap(file: string | undefined): CategoryMap {
  if (!file) return DEFAULT_BEAVERTAILS_MAP;
  if (!fs.existsSync(file)) throw new CliError(`--map: ${file} does not exist.`);
  return parseCategoryMap(fs.readFileSync(file, 'utf8'), `--map ${file}`);
}

function readRows(files: string[]): { rows: SafetyRow[]; sources: string[] } {
  const rows: SafetyRow[] = [];
  const sources: string[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) throw new CliError(`--data: ${file} does not exist.`);
    const read = readSafetyFile(file);
    rows.push(...read.rows);
    sources.push(`${file} (${read.format}, ${read.rows.length} rows)`);
    console.error(`read ${read.rows.length} labelled responses from ${file} (${read.format})`);
  }
  return { rows, sources };
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? 'n/a' : `${(100 * v).toFixed(1)}%`;

export function registerSafety(program: Command): void {
  const safety = program
    .command('safety')
    .description(
      'Train and evaluate harm classifiers; import safety labels; retrain a project’s safety model.',
    );

  safety
    .command('train')
    .description(
      'Train the multi-label harm classifier on labelled files and write it as an ONNX model directory.',
    )
    .requiredOption(
      '--data <file>',
      'BeaverTails-layout CSV or JSONL, optionally gzipped (repeat for several)',
      collect,
    )
    .requiredOption('--out <dir>', 'model directory to write (model.onnx + manifest.json)')
    .option('--map <file>', 'JSON map from the data’s categories to Arbiter’s (default: the BeaverTails map)')
    .option('--seed <n>', 'seed for the split and the λ search', '1')
    .option('--test-fraction <f>', 'share of responses held out for the metrics and the threshold', '0.2')
    .option(
      '--recall <r>',
      'the recall of unsafe responses the risk threshold is chosen for',
      String(SAFETY_DEFAULTS.targetRecall),
    )
    .option('--report <file>', 'write the metrics as JSON')
    .action(
      action(
        async (opts: {
          data: string[];
          out: string;
          map?: string;
          seed: string;
          testFraction: string;
          recall: string;
          report?: string;
        }) => {
          const seed = numberOption('--seed', opts.seed, 0, 2 ** 31 - 1, true);
          const testFraction = numberOption('--test-fraction', opts.testFraction, 0, 0.89);
          const targetRecall = numberOption('--recall', opts.recall, 0.5, 0.999);
          const map = readMap(opts.map);
          const { rows, sources } = readRows(opts.data);
          const { examples, categories, unmapped } = safetyExamplesFromRows(rows, map);
          if (unmapped.length)
            console.error(
              `warning: the map does not name ${unmapped.join(', ')}; those rows count as "other"`,
            );
          const { trainAndEvaluateSafety } = await import('../../../reward/safety/run');
          const { saveSafetyDir } = await import('../../../reward/safety/artefact');
          const bar = progressBar('Training');
          const result = trainAndEvaluateSafety(examples, categories, {
            seed,
            testFraction,
            targetRecall,
            sources,
            onProgress: (stage, fraction) => bar.update(Math.round(fraction * 100), 100, stage),
          });
          bar.stop();
          const written = await saveSafetyDir(opts.out, result.model.head, result.manifest);
          const t = result.metrics.test;
          writeReport(opts.report, {
            model: opts.out,
            labels: result.manifest.labels,
            threshold: result.manifest.threshold,
            snapshot: result.manifest.snapshot,
            onnx: written.onnx,
            unmapped,
            ...(t
              ? {
                  accuracy: t.accuracy,
                  auc: t.auc,
                  recall_at_threshold: t.recall_at_threshold,
                  review_load: t.review_load,
                  per_category: t.per_category,
                  n: t.n,
                }
              : {}),
            ...result.metrics,
          });
          console.log(
            `trained on ${result.metrics.train_examples} responses (${result.manifest.labels.join(', ')}) in ${result.metrics.train_seconds.toFixed(1)} s → ${opts.out}` +
              (t
                ? `; held out ${t.n}: accuracy ${pct(t.accuracy)}, AUC ${t.auc?.toFixed(3) ?? 'n/a'}; threshold ${result.manifest.threshold.toFixed(3)} sends ${pct(t.review_load)} to review for ${pct(t.recall_at_threshold)} recall`
                : '; nothing held out, so the threshold is 0.5'),
          );
          if (result.model.skipped.length)
            console.error(
              `no head for: ${result.model.skipped.map((s) => `${s.label} (${s.reason})`).join('; ')}`,
            );
        },
      ),
    );

  safety
    .command('eval')
    .description(
      'Score a labelled file with a model (through ONNX): accuracy, AUC, recall and review load at the threshold.',
    )
    .requiredOption('--model <dir>', 'model directory written by `safety train`')
    .requiredOption('--data <file>', 'BeaverTails-layout CSV or JSONL')
    .requiredOption('--report <file>', 'where to write the JSON report')
    .option('--map <file>', 'JSON map from the data’s categories to Arbiter’s (default: the BeaverTails map)')
    .option('--threshold <p>', 'the risk threshold (default: the one the model chose when trained)')
    .action(
      action(
        async (opts: { model: string; data: string; report: string; map?: string; threshold?: string }) => {
          const { loadSafetyDir } = await import('../../../reward/safety/artefact');
          const { safetyMetrics } = await import('../../../reward/safety/metrics');
          const { predictSafetyOnnx } = await import('../../../reward/safety/predict');
          const { truthOf } = await import('../../../reward/safety/run');
          const { createFeaturizer } = await import('../../../reward/featurize');
          const { manifest, scorer } = await loadSafetyDir(opts.model);
          try {
            const threshold =
              opts.threshold === undefined
                ? manifest.threshold
                : numberOption('--threshold', opts.threshold, 0, 1);
            const { rows } = readRows([opts.data]);
            const { examples } = safetyExamplesFromRows(rows, readMap(opts.map));
            const predictions = await predictSafetyOnnx(
              scorer,
              createFeaturizer(manifest.featurizer),
              manifest.labels,
              examples,
            );
            const categories = manifest.labels.slice(1);
            const metrics = safetyMetrics(
              predictions,
              examples.map((e) => truthOf(e, categories)),
              categories,
              threshold,
            );
            writeReport(opts.report, {
              model: opts.model,
              data: opts.data,
              labels: manifest.labels,
              ...metrics,
            });
            console.log(
              `accuracy ${pct(metrics.accuracy)} on ${metrics.n} responses, AUC ${metrics.auc?.toFixed(3) ?? 'n/a'}; at risk ≥ ${threshold.toFixed(3)}: recall ${pct(metrics.recall_at_threshold)}, review load ${pct(metrics.review_load)}`,
            );
          } finally {
            await scorer.dispose();
          }
        },
      ),
    );

  safety
    .command('import')
    .description(
      'Import labelled responses (BeaverTails layout) into a preference project: they train its safety model.',
    )
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--data <file>', 'BeaverTails-layout CSV or JSONL')
    .action(
      action(async (opts: { project: string; data: string }) => {
        const { rows } = readRows([opts.data]);
        const { importSafetyLabels } = await import('../../../tasks/safety/import');
        await withDb('safety import', async ({ db }) => {
          const project = await requireProject(db, opts.project);
          const bar = progressBar('Importing');
          const report = await importSafetyLabels(db, project.id, rows, {
            source: opts.data.split('/').pop()!,
            actor: { userId: null, email: null, ip: null },
            onProgress: (done, total) => bar.update(done, total, 'rows'),
          });
          bar.stop();
          console.log(
            `imported ${report.labels} labelled responses (${report.unsafe} unsafe) into ${project.slug}: ${report.prompts_created} new prompts, ${report.responses_created} new responses`,
          );
        });
      }),
    );

  safety
    .command('retrain')
    .description(
      'Train a project’s safety model from its decisions and labels now, activate it and re-score the responses.',
    )
    .requiredOption('--project <slug>', 'the project')
    .option('--seed <n>', 'seed for the split and the λ search', '1')
    .option('--report <file>', 'write the outcome as JSON')
    .action(
      action(async (opts: { project: string; seed: string; report?: string }) => {
        const seed = numberOption('--seed', opts.seed, 0, 2 ** 31 - 1, true);
        const { trainProjectSafetyModel } = await import('../../../tasks/safety/training-job');
        await withDb('safety retrain', async ({ db }) => {
          const project = await requireProject(db, opts.project);
          const bar = progressBar('Training');
          try {
            const outcome = await trainProjectSafetyModel(
              db,
              { projectId: project.id, seed, actor: { userId: null, email: null, ip: null } },
              null,
              (stage, fraction) => bar.update(Math.round(Math.min(1, fraction) * 100), 100, stage),
            );
            bar.stop();
            writeReport(opts.report, outcome);
            console.log(
              `safety model v${outcome.version} of ${project.slug}: trained on ${outcome.examples} responses, threshold ${outcome.threshold.toFixed(3)}, ${outcome.scored} responses scored`,
            );
          } catch (error) {
            bar.stop();
            // a job's permanent failure is a message for the person running the command
            if ((error as Error).name === 'PermanentJobError') throw new CliError((error as Error).message);
            throw error;
          }
        });
      }),
    );
}
