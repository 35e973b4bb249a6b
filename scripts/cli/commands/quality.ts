/**
 * `arbiter quality …`: the project's quality report and gold, from the command line. `refresh`
 * computes the report now (what the quality-refresh job does) and prints who is flagged and which
 * consensus method is in use; `gold` turns imported reference preferences into gold pairs.
 */
import type { Command } from 'commander';
import { requireProject } from '../../../tasks/projects';
import { refreshQualityReport } from '../../../tasks/quality/refresh';
import { goldFromReferences, itemGoldFromReferences } from '../../../tasks/quality/gold';
import { findLatestQualityReport } from '../../../db/queries/quality';
import type { QualityReport } from '../../../tasks/quality/report';
import { reportCsv } from '../../../tasks/quality/report-export';
import { createRng } from '../../../tasks/rng';
import fs from 'node:fs';
import { action, CliError, withDb, writeReport } from '../runtime';

const CLI_ACTOR = { id: null, email: 'cli' };
const fixed = (v: number | null | undefined, d = 3) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d);

function summary(report: QualityReport): string[] {
  const lines = [
    `${report.answers} answers from ${report.annotators.length} annotators; ${report.gold.units} gold units.`,
    `Consensus: ${report.consensus.method}. ${report.consensus.reason}`,
  ];
  for (const a of report.agreement)
    lines.push(
      `${a.axis}: Fleiss' kappa ${fixed(a.fleissKappa.estimate)} [${fixed(a.fleissKappa.low)}, ${fixed(a.fleissKappa.high)}], alpha (nominal) ${fixed(a.alpha.nominal?.estimate)} over ${a.units} units`,
    );
  const flagged = report.annotators.filter((a) => a.flags.length);
  lines.push(flagged.length ? `Flagged (${flagged.length}):` : 'Nobody is flagged.');
  for (const a of flagged) lines.push(`  ${a.name} <${a.email}>: ${a.flags.join(', ')}`);
  return lines;
}

export function registerQuality(program: Command): void {
  const quality = program.command('quality').description("A project's quality report and gold items.");

  quality
    .command('refresh')
    .description(
      'Compute the quality report now (agreement, annotator profiles, consensus method) and store it.',
    )
    .requiredOption('--project <slug>', 'the project')
    .option('--report <file>', 'also write the report as JSON')
    .option('--csv <file>', 'also write the per-annotator table as CSV')
    .action(
      action(async (opts: { project: string; report?: string; csv?: string }) => {
        await withDb('quality refresh', async ({ db }) => {
          const project = await requireProject(db, opts.project);
          const result = await refreshQualityReport(db, project.id);
          const stored = (await findLatestQualityReport(db, project.id))!;
          const report = stored.report as unknown as QualityReport;
          writeReport(opts.report, { project: project.slug, ...report });
          if (opts.csv) fs.writeFileSync(opts.csv, reportCsv(report));
          for (const line of summary(report)) console.log(line);
          console.log(`Computed in ${result.seconds.toFixed(2)} s.`);
        });
      }),
    );

  quality
    .command('gold')
    .description(
      "Make units gold from the answer their import carried (a preference file's chosen side, a sentiment file's label): unlabelled units, drawn at random.",
    )
    .requiredOption('--project <slug>', 'the project')
    .requiredOption('--from-references <n>', 'how many pairs to make gold')
    .option('--seed <n>', 'seed of the random draw', '1')
    .action(
      action(async (opts: { project: string; fromReferences: string; seed: string }) => {
        const count = Number(opts.fromReferences);
        if (!Number.isInteger(count) || count < 1)
          throw new CliError(
            `--from-references must be a whole number of pairs, 1 or more; got "${opts.fromReferences}".`,
          );
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new CliError(`--seed must be a whole number; got "${opts.seed}".`);
        await withDb('quality gold', async ({ db }) => {
          const project = await requireProject(db, opts.project);
          const made = await (project.type === 'preference' ? goldFromReferences : itemGoldFromReferences)(
            db,
            {
              projectId: project.id,
              count,
              rng: createRng(seed),
              actor: CLI_ACTOR,
            },
          );
          console.log(
            made === 0
              ? `Nothing qualifies: gold needs unjudged ${project.type === 'preference' ? 'pairs whose import named a preferred response' : "items (not held out) whose import carried one of the project's labels"}.`
              : `${made} ${project.type === 'preference' ? 'pair(s)' : 'item(s)'} are gold now${made < count ? ` (only ${made} qualified)` : ''}; they are served at the project's gold rate (${project.gold_rate}).`,
          );
        });
      }),
    );
}
