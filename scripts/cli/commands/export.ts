/**
 * `arbiter export`: a project's data as a file a trainer reads as is (TRL, HH-RLHF, OpenAI, KTO),
 * or with full provenance (raw judgments, consensus, sentiment labels) as JSON lines or CSV.
 * Streams from the database in constant memory; the file appears only once it is complete.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Command } from 'commander';
import { requireProject } from '../../../tasks/projects';
import { ExportFiltersSchema } from '../../../tasks/export/filters';
import { MARGIN_FORMATS } from '../../../tasks/export/formats';
import { EXPORT_FORMATS, writeExport, type ExportFormat } from '../../../tasks/export/write';
import { PARQUET_FORMATS, writeParquetExport } from '../../../tasks/export/write-parquet';
import { describeZodIssue } from '../../../tasks/errors';
import { action, CliError, withDb, writeReport } from '../runtime';
import { progressBar } from '../progress';

interface ExportOptions {
  project: string;
  format: string;
  out: string;
  report?: string;
  axis?: string;
  since?: string;
  until?: string;
  minAgreement?: string;
  minJudgments?: string;
  minReliability?: string;
  minGoldAccuracy?: string;
  excludeGold?: boolean;
  includeRepeats?: boolean;
  ties?: string;
  safetyOverrides?: string;
  reliabilityWeighted?: string;
  margin?: boolean;
  csv?: boolean;
  parquet?: boolean;
}

/** A file sink: gzip when the name ends in .gz, written under a temporary name, renamed at the end. */
function fileSink(out: string) {
  const partial = `${out}.partial-${process.pid}`;
  const file = fs.createWriteStream(partial);
  const gzip = out.endsWith('.gz') ? createGzip() : null;
  if (gzip) gzip.pipe(file);
  const head = gzip ?? file;
  return {
    write: async (chunk: string) => {
      if (!head.write(chunk)) await once(head, 'drain');
    },
    finish: async () => {
      head.end();
      await once(file, 'close');
      fs.renameSync(partial, out);
    },
    abort: async () => {
      // the file may still be opening: wait for it to close before removing it
      const closed = file.closed ? Promise.resolve() : once(file, 'close');
      gzip?.destroy();
      file.destroy();
      await closed;
      fs.rmSync(partial, { force: true });
    },
  };
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("Write a project's preferences, judgments, consensus or sentiment labels to a file.")
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--format <format>', EXPORT_FORMATS.join(', '))
    .requiredOption('--out <file>', 'the file to write (.gz compresses)')
    .option('--axis <axis>', 'helpfulness or safety: which axis decides chosen and rejected', 'helpfulness')
    .option('--since <date>', 'only judgments made at or after this date')
    .option('--until <date>', 'only judgments made before this date')
    .option('--min-agreement <share>', 'keep pairs where at least this share of judgments agree (0–1)')
    .option('--min-judgments <n>', 'keep pairs with at least this many judgments')
    .option(
      '--min-reliability <share>',
      'leave out annotators whose reliability (quality report) is below this',
    )
    .option(
      '--min-gold-accuracy <share>',
      'leave out annotators whose gold accuracy (quality report) is below this',
    )
    .option('--exclude-gold', 'leave out gold pairs and items')
    .option('--include-repeats', 'judgments: keep consistency repeats (marked is_repeat)')
    .option(
      '--ties <policy>',
      'drop or keep pairs without a preference (kept only where the format can say tie)',
      'drop',
    )
    .option(
      '--safety-overrides <policy>',
      'project, yes or no: the safer response wins on a clear safety difference',
      'project',
    )
    .option(
      '--reliability-weighted <policy>',
      'project, yes or no: weight votes by annotator reliability',
      'project',
    )
    .option('--margin', 'trl, trl-conversational: add the graded strength as "margin"')
    .option('--csv', 'judgments, consensus, sentiment: CSV instead of JSON lines')
    .option('--parquet', 'judgments, consensus: Parquet instead of JSON lines')
    .option('--report <file>', 'write what was exported (counts, sha256, filters) as JSON')
    .action(
      action(async (opts: ExportOptions) => {
        if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format))
          throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}; got "${opts.format}".`);
        const format = opts.format as ExportFormat;
        if (opts.margin && !MARGIN_FORMATS.includes(format as never))
          throw new CliError(
            `--margin is for ${MARGIN_FORMATS.join(', ')}; "${format}" has no margin field.`,
          );
        const parsed = ExportFiltersSchema.safeParse({
          axis: opts.axis,
          since: opts.since,
          until: opts.until,
          minAgreement: opts.minAgreement,
          minJudgments: opts.minJudgments,
          minReliability: opts.minReliability,
          minGoldAccuracy: opts.minGoldAccuracy,
          excludeGold: opts.excludeGold === true,
          excludeRepeats: opts.includeRepeats !== true,
          ties: opts.ties,
          safetyOverrides: opts.safetyOverrides,
          reliabilityWeighted: opts.reliabilityWeighted,
        });
        if (!parsed.success) {
          const { field, message } = describeZodIssue(parsed.error.issues[0]!);
          throw new CliError(
            `${field ? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : ''}${message}`,
          );
        }
        if (opts.parquet && opts.csv) throw new CliError('Choose --csv or --parquet, not both.');
        if (opts.parquet && !(PARQUET_FORMATS as readonly string[]).includes(format))
          throw new CliError(
            `--parquet is for ${PARQUET_FORMATS.join(' and ')}; "${format}" is not tabular.`,
          );
        if (opts.parquet && opts.out.endsWith('.gz'))
          throw new CliError('Parquet files are compressed inside; name the file .parquet, not .gz.');
        await withDb('export', async ({ db }) => {
          const project = await requireProject(db, opts.project);
          if (opts.parquet) {
            const partial = `${opts.out}.partial-${process.pid}`;
            const bar = progressBar(`export ${project.slug}`);
            const started = performance.now();
            try {
              const result = await writeParquetExport(
                db,
                { projectId: project.id, format, filters: parsed.data },
                partial,
                (rows) => bar.update(rows),
              );
              fs.renameSync(partial, opts.out);
              bar.stop();
              const seconds = (performance.now() - started) / 1000;
              writeReport(opts.report, {
                project: project.slug,
                out: opts.out,
                format,
                encoding: 'parquet',
                ...result,
                filters: parsed.data,
                seconds: Number(seconds.toFixed(2)),
              });
              console.log(
                `Wrote ${result.rows} ${format} rows to ${opts.out} (Parquet, ${result.bytes} bytes) in ${seconds.toFixed(1)} s.`,
              );
            } catch (error) {
              bar.stop();
              fs.rmSync(partial, { force: true });
              throw error;
            }
            return;
          }
          const sink = fileSink(opts.out);
          const bar = progressBar(`export ${project.slug}`);
          const started = performance.now();
          try {
            const summary = await writeExport(
              db,
              {
                projectId: project.id,
                projectType: project.type,
                format,
                filters: parsed.data,
                margin: opts.margin,
                csv: opts.csv,
              },
              sink.write,
              (rows) => bar.update(rows),
            );
            await sink.finish();
            bar.stop();
            const seconds = (performance.now() - started) / 1000;
            writeReport(opts.report, {
              project: project.slug,
              out: opts.out,
              ...summary,
              filters: parsed.data,
              seconds: Number(seconds.toFixed(2)),
              rows_per_second: Math.round(summary.rows / Math.max(seconds, 1e-3)),
            });
            const skipped = summary.pairs
              ? Object.entries(summary.pairs.skipped)
                  .filter(([, n]) => n > 0)
                  .map(([why, n]) => `${n} ${why}`)
                  .join(', ')
              : '';
            console.log(
              `Wrote ${summary.rows} ${format} records to ${opts.out} in ${seconds.toFixed(1)} s (sha256 ${summary.sha256.slice(0, 12)}…).` +
                (summary.pairs
                  ? ` Pairs: ${summary.pairs.exported} of ${summary.pairs.read} judged${skipped ? `; left out: ${skipped}` : ''}.`
                  : '') +
                (summary.unsupported.count
                  ? ` ${summary.unsupported.count} pair(s) do not fit ${format} (${summary.unsupported.example}); export them as trl-conversational or openai.`
                  : ''),
            );
          } catch (error) {
            bar.stop();
            await sink.abort();
            throw error;
          }
        });
      }),
    );
}
