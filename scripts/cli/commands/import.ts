import fs from 'node:fs';
import type { Command } from 'commander';
import { importPreferences, ImportError } from '../../../tasks/import/preferences';
import { IMPORT_FORMATS, type ImportFormat } from '../../../tasks/import/formats';
import { InputTooLargeError } from '../../../tasks/import/jsonl';
import { createProject, requireProject } from '../../../tasks/projects';
import { createRng } from '../../../tasks/rng';
import { action, CliError, EXIT, withDb, writeReport } from '../runtime';
import { progressBar } from '../progress';

interface ImportOptions {
  project: string;
  file: string;
  format: string;
  create?: boolean;
  type: string;
  name?: string;
  skipInvalid?: boolean;
  seed: string;
  maxMb: string;
  report?: string;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'Import prompts and responses (JSONL or JSONL.gz) into a project; all lines are checked before anything is written.',
    )
    .requiredOption('--project <slug>', 'the project to import into')
    .requiredOption('--file <path>', 'JSONL or gzip-compressed JSONL file')
    .option('--format <format>', `auto | ${IMPORT_FORMATS.join(' | ')}`, 'auto')
    .option('--create', 'create the project when it does not exist')
    .option('--type <type>', 'project type for --create (preference)', 'preference')
    .option('--name <name>', 'project name for --create (default: the slug)')
    .option(
      '--skip-invalid',
      'import the valid lines and list the invalid ones, instead of refusing the file',
    )
    .option('--seed <n>', 'seed for sampling pairs when a prompt has many responses', '1')
    .option('--max-mb <n>', 'refuse inputs larger than this many MiB uncompressed', '1024')
    .option('--report <file>', 'write the import report as JSON')
    .action(
      action(async (opts: ImportOptions) => {
        if (opts.format !== 'auto' && !(IMPORT_FORMATS as readonly string[]).includes(opts.format)) {
          throw new CliError(`--format must be auto, ${IMPORT_FORMATS.join(', ')}; not "${opts.format}".`);
        }
        if (opts.type !== 'preference') {
          throw new CliError(
            'Only preference projects can be imported into yet; sentiment import arrives with sentiment labeling.',
          );
        }
        const maxMb = Number(opts.maxMb);
        if (!Number.isFinite(maxMb) || maxMb <= 0) throw new CliError('--max-mb must be a positive number.');
        if (!fs.existsSync(opts.file) || !fs.statSync(opts.file).isFile())
          throw new CliError(`No such file: ${opts.file}`);
        await withDb('import', async ({ db }) => {
          let project = await requireProject(db, opts.project).catch((error: unknown) => {
            if (opts.create) return null;
            throw error;
          });
          project ??= await createProject(
            db,
            { slug: opts.project, name: opts.name ?? opts.project, type: 'preference' },
            { email: 'cli' },
          );
          if (project.type !== 'preference')
            throw new CliError(`Project "${project.slug}" is a ${project.type} project.`);
          const bar = progressBar('Checking');
          let checked = 0;
          try {
            const report = await importPreferences(db, () => fs.createReadStream(opts.file), {
              projectId: project.id,
              format: opts.format as ImportFormat | 'auto',
              skipInvalid: opts.skipInvalid,
              rng: createRng(Number(opts.seed) || 1),
              limits: { maxBytes: maxMb * 1024 * 1024, maxLineBytes: 4 * 1024 * 1024 },
              actor: { email: 'cli' },
              fileName: opts.file,
              onProgress: (p) => {
                if (p.phase === 'validate') bar.update(p.lines, p.lines, 'Checking');
                else bar.update(p.records, checked, 'Writing ');
                checked = p.phase === 'validate' ? p.records : checked;
              },
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
            if (error instanceof InputTooLargeError) throw new CliError(error.message, EXIT.badInput);
            throw error;
          }
        });
      }),
    );
}
