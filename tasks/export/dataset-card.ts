/**
 * The dataset card that comes with every export snapshot: markdown a researcher can publish next to
 * the file. It says what is in it (counts, label balance, what was left out and why), how much the
 * annotators agreed (from the latest quality report, with intervals), who made it (annotator count,
 * flags), how it was filtered, which models were active, and the license the lead set.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { findLatestQualityReport } from '../../db/queries/quality';
import type { ExportSummary } from './write';

const fixed = (v: unknown, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '–');
const percent = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '–');

interface IntervalLike {
  estimate?: number;
  low?: number;
  high?: number;
}

/** Builds the card's markdown (reads the project, its latest quality report and its flag counts). */
export async function datasetCard(
  db: Kysely<Database>,
  input: {
    exportId: string;
    projectId: string;
    format: string;
    filters: Record<string, unknown>;
    summary: ExportSummary;
    models: Record<string, unknown>;
  },
): Promise<string> {
  const project = await db
    .selectFrom('projects')
    .select(['name', 'slug', 'type', 'description', 'settings'])
    .where('id', '=', input.projectId)
    .executeTakeFirstOrThrow();
  const report = (await findLatestQualityReport(db, input.projectId))?.report as
    | {
        computedAt?: string;
        annotators?: { flags?: string[] }[];
        agreement?: {
          axis: string;
          units: number;
          fleissKappa?: IntervalLike;
          alpha?: Record<string, IntervalLike>;
        }[];
        consensus?: { method?: string; reason?: string };
      }
    | undefined;
  const flags = await sql<{ category: string; severity: string; n: number }>`
    select f.category, f.severity, count(*)::int as n
    from response_flags f join judgments j on j.id = f.judgment_id
    where j.project_id = ${input.projectId}
    group by f.category, f.severity order by f.category, f.severity`.execute(db);
  const { summary } = input;
  const license =
    typeof project.settings.license === 'string' && project.settings.license.trim()
      ? project.settings.license.trim()
      : 'Not set by the project lead: ask before redistributing.';
  const balanceTotal = Object.values(summary.balance).reduce((a, b) => a + b, 0);
  const lines = [
    `# ${project.name}: ${input.format} export`,
    '',
    project.description ? `${project.description}\n` : '',
    `- Snapshot: \`${input.exportId}\``,
    `- Format: ${input.format} (${summary.encoding}), ${summary.rows.toLocaleString('en')} records, ${summary.bytes.toLocaleString('en')} bytes`,
    `- SHA-256: \`${summary.sha256}\``,
    `- License: ${license}`,
    '',
    '## Contents',
    '',
  ];
  if (summary.pairs) {
    const skipped = Object.entries(summary.pairs.skipped).filter(([, n]) => n > 0);
    lines.push(
      `- Pairs with judgments read: ${summary.pairs.read.toLocaleString('en')}; exported: ${summary.pairs.exported.toLocaleString('en')}.`,
      skipped.length
        ? `- Left out: ${skipped.map(([why, n]) => `${n.toLocaleString('en')} (${why})`).join(', ')}.`
        : '- Nothing was left out by the filters.',
    );
    if (summary.unsupported.count)
      lines.push(
        `- Not representable in ${input.format}: ${summary.unsupported.count} pair(s) (${summary.unsupported.example}).`,
      );
  }
  if (balanceTotal) {
    lines.push('', '| answer | records | share |', '| --- | ---: | ---: |');
    for (const [answer, n] of Object.entries(summary.balance).sort(([a], [b]) => a.localeCompare(b)))
      lines.push(
        `| ${project.type === 'preference' ? (answer === 'a' ? 'response A preferred' : answer === 'b' ? 'response B preferred' : 'tie') : answer} | ${n.toLocaleString('en')} | ${percent(n, balanceTotal)} |`,
      );
  }
  lines.push('', '## Agreement', '');
  if (report?.agreement?.length) {
    lines.push(
      `From the quality report of ${report.computedAt ?? 'an earlier date'} (95% bootstrap intervals over units):`,
      '',
      "| axis | units | Fleiss' κ | Krippendorff's α (nominal) |",
      '| --- | ---: | --- | --- |',
    );
    for (const a of report.agreement) {
      const k = a.fleissKappa ?? {};
      const n = a.alpha?.nominal ?? {};
      lines.push(
        `| ${a.axis} | ${a.units.toLocaleString('en')} | ${fixed(k.estimate)} [${fixed(k.low)}, ${fixed(k.high)}] | ${fixed(n.estimate)} [${fixed(n.low)}, ${fixed(n.high)}] |`,
      );
    }
    if (report.consensus?.reason)
      lines.push('', `Consensus method: ${report.consensus.method}. ${report.consensus.reason}`);
  } else lines.push('No quality report yet: agreement was not computed for this project.');
  lines.push('', '## Annotators and flags', '');
  if (report?.annotators)
    lines.push(
      `- Annotators: ${report.annotators.length}; flagged by the quality checks: ${report.annotators.filter((a) => a.flags?.length).length}. Annotators appear as per-project pseudonyms.`,
    );
  lines.push(
    flags.rows.length
      ? `- Safety flags on responses: ${flags.rows.map((f) => `${f.category} (${f.severity}) ${f.n}`).join(', ')}.`
      : '- No response was flagged.',
  );
  lines.push('', '## Filters', '', '```json', JSON.stringify(input.filters, null, 2), '```', '');
  lines.push('## Models active at export time', '');
  const models = Object.entries(input.models);
  lines.push(
    ...(models.length
      ? models.map(([axis, m]) => `- ${axis}: ${JSON.stringify(m)}`)
      : ['- None (no model had been trained and activated).']),
    '',
  );
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n');
}
