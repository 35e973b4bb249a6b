import fs from 'node:fs';
import type { Command } from 'commander';
import type { Project } from '../../../db/schema';
import { importPreferences, ImportError } from '../../../tasks/import/preferences';
import { importSentiment } from '../../../tasks/import/sentiment';
import { parseLabelMap } from '../../../tasks/import/sentiment-records';
import { IMPORT_FORMATS, type ImportFormat } from '../../../tasks/import/formats';
import { InputTooLargeError } from '../../../tasks/import/jsonl';
import {
  HeaderError,
  MalformedInputError,
  TABULAR_FORMATS,
  type TabularFormat,
} from '../../../tasks/import/tabular';
import { createProject, requireProject } from '../../../tasks/projects';
import { createRng } from '../../../tasks/rng';
import { action, CliError, config, EXIT, withDb, writeReport } from '../runtime';
import { progressBar } from '../progress';

interface ImportOptions {
  project: string;
  file: string;
  format: string;
  create?: boolean;
  type: string;
  name?: string;
  labels?: string;
  textCol?: string;
  labelCol?: string;
  labelMap?: string;
  skipInvalid?: boolean;
  seed: string;
  maxMb: string;
  report?: string;
}

const PROJECT_TYPES = ['preference', 'sentiment'] as const;

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'Import prompts and responses (JSONL) or sentiment items (CSV, TSV, JSONL), plain or gzip; all lines are checked before anything is written.',
    )
    .requiredOption('--project <slug>', 'the project to import into')
    .requiredOption('--file <path>', 'the file to import')
    .option(
      '--type <type>',
      'preference | sentiment (for --create, and checked against the project)',
      'preference',
    )
    .option(
      '--format <format>',
      `auto | preference: ${IMPORT_FORMATS.join(', ')} | sentiment: ${TABULAR_FORMATS.join(', ')}`,
      'auto',
    )
    .option('--create', 'create the project when it does not exist')
    .option('--name <name>', 'project name for --create (default: the slug)')
    .option(
      '--labels <list>',
      'sentiment label set for --create, e.g. positive,negative,neutral (the default)',
    )
    .option(
      '--text-col <name>',
      'sentiment: the column holding the text (default: text, sentence, content, …)',
    )
    .option(
      '--label-col <name>',
      'sentiment: the column holding a label (default: label, sentiment, emotion, …)',
    )
    .option(
      '--label-map <map>',
      'sentiment: map the file’s labels onto the label set, e.g. 0=negative,1=positive',
    )
    .option(
      '--skip-invalid',
      'import the valid lines and list the invalid ones, instead of refusing the file',
    )
    .option('--seed <n>', 'seed for sampling pairs when a prompt has many responses', '1')
    .option('--max-mb <n>', 'refuse inputs larger than this many MiB uncompressed', '1024')
    .option('--report <file>', 'write the import report as JSON')
    .action(
      action(async (opts: ImportOptions) => {
        if (!(PROJECT_TYPES as readonly string[]).includes(opts.type))
          throw new CliError(`--type must be preference or sentiment; not "${opts.type}".`);
        const formats: readonly string[] = opts.type === 'sentiment' ? TABULAR_FORMATS : IMPORT_FORMATS;
        if (opts.format !== 'auto' && !formats.includes(opts.format))
          throw new CliError(
            `--format for ${opts.type} imports must be auto, ${formats.join(', ')}; not "${opts.format}".`,
          );
        if (opts.type !== 'sentiment' && (opts.textCol || opts.labelCol || opts.labelMap || opts.labels))
          throw new CliError('--text-col, --label-col, --label-map and --labels are for --type sentiment.');
        const maxMb = Number(opts.maxMb);
        if (!Number.isFinite(maxMb) || maxMb <= 0) throw new CliError('--max-mb must be a positive number.');
        if (!fs.existsSync(opts.file) || !fs.statSync(opts.file).isFile())
          throw new CliError(`No such file: ${opts.file}`);
        const labelMap = parseLabelMap(opts.labelMap);
        await withDb('import', async ({ db }) => {
          let project = await requireProject(db, opts.project).catch((error: unknown) => {
            if (opts.create) return null;
            throw error;
          });
          project ??= await createProject(
            db,
            {
              slug: opts.project,
              name: opts.name ?? opts.project,
              type: opts.type as Project['type'],
              labelSet: opts.labels
                ?.split(',')
                .map((l) => l.trim())
                .filter(Boolean),
            },
            { email: 'cli' },
          );
          if (project.type !== opts.type)
            throw new CliError(
              `Project "${project.slug}" is a ${project.type} project; pass --type ${project.type} to import into it.`,
            );
          const limits = { maxBytes: maxMb * 1024 * 1024, maxLineBytes: 4 * 1024 * 1024 };
          const bar = progressBar('Checking');
          const onProgress = (p: {
            phase: 'validate' | 'write';
            lines: number;
            records: number;
            total?: number;
          }) => {
            if (p.phase === 'validate') bar.update(p.lines, p.lines, 'Checking');
            else bar.update(p.records, p.total ?? p.records, 'Writing ');
          };
          try {
            if (project.type === 'sentiment') {
              const report = await importSentiment(db, () => fs.createReadStream(opts.file), {
                projectId: project.id,
                format: opts.format as TabularFormat | 'auto',
                textColumn: opts.textCol,
                labelColumn: opts.labelCol,
                labelMap,
                skipInvalid: opts.skipInvalid,
                limits,
                actor: { email: 'cli' },
                fileName: opts.file,
                modelsDir: config().modelsDir,
                onProgress,
              });
              bar.stop();
              if (report.prelabelNote) console.error(report.prelabelNote);
              const r = report.routing;
              console.log(
                `Imported ${report.records} record(s) (${report.format}, text "${report.columns.text}"${report.columns.label ? `, label "${report.columns.label}"` : ''}) into ${project.slug}: ` +
                  `${report.items.created} new item(s)` +
                  (report.items.existing ? `, ${report.items.existing} already there` : '') +
                  (report.duplicates ? `, ${report.duplicates} repeated line(s) skipped` : '') +
                  (report.references
                    ? `; ${report.references} carry the file's label as a hidden reference`
                    : '') +
                  `; ${report.holdout} held out for measuring; pre-labeled by ${prelabelerName(report)}: ` +
                  `${r.human} to people, ${r.auto} accepted, ${r.audit} to audit.`,
              );
              for (const skipped of report.skipped)
                console.error(`skipped line ${skipped.line}: ${skipped.message}`);
              writeReport(opts.report, { project: project.slug, type: 'sentiment', ...report });
              return;
            }
            const report = await importPreferences(db, () => fs.createReadStream(opts.file), {
              projectId: project.id,
              format: opts.format as ImportFormat | 'auto',
              skipInvalid: opts.skipInvalid,
              rng: createRng(Number(opts.seed) || 1),
              limits,
              actor: { email: 'cli' },
              fileName: opts.file,
              onProgress,
            });
            bar.stop();
            console.log(
              `Imported ${report.records} record(s) (${report.format}) into ${project.slug}: ` +
                `${report.prompts.created} new prompt(s), ${report.responses.created} new response(s), ${report.pairs.created} new pair(s)` +
                (report.prompts.existing + report.responses.existing
                  ? `; ${report.prompts.existing} prompt(s) and ${report.responses.existing} response(s) were already there`
                  : '') +
                (report.references
                  ? `; ${report.references} pair(s) carry the file's label as a hidden reference`
                  : '') +
                '.',
            );
            for (const skipped of report.skipped)
              console.error(`skipped line ${skipped.line}: ${skipped.message}`);
            writeReport(opts.report, { project: project.slug, ...report });
          } catch (error) {
            bar.stop();
            if (error instanceof ImportError) {
              for (const e of error.errors) console.error(`${opts.file}:${e.line}: ${e.message}`);
              if (error.totalErrors > error.errors.length)
                console.error(`… and ${error.totalErrors - error.errors.length} more.`);
              writeReport(opts.report, {
                project: project.slug,
                error: error.message,
                errors: error.errors,
                total_errors: error.totalErrors,
              });
              throw new CliError(error.message, EXIT.badInput);
            }
            if (
              error instanceof InputTooLargeError ||
              error instanceof HeaderError ||
              error instanceof MalformedInputError
            )
              throw new CliError(`${opts.file}: ${error.message}`, EXIT.badInput);
            throw error;
          }
        });
      }),
    );
}

function prelabelerName(report: { prelabeledBy: string; prelabelModel: string | null }): string {
  if (report.prelabeledBy === 'nothing')
    return 'nothing (the label set is not positive/negative/neutral and no model is active)';
  if (report.prelabeledBy === 'pretrained') return `the cold-start model ${report.prelabelModel}`;
  return `the ${report.prelabeledBy}`;
}
