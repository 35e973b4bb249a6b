/**
 * The calibration report as files a lead can keep or share: CSV (one row per annotator, the
 * dashboard's figures) and JSON (the whole stored report). Pure: the caller supplies the report.
 */
import type { QualityReport } from './report';

const COLUMNS: [string, (a: QualityReport['annotators'][number]) => string | number | null][] = [
  ['annotator_id', (a) => a.annotator],
  ['name', (a) => a.name],
  ['email', (a) => a.email],
  ['flags', (a) => a.flags.join(' ')],
  ['judgments', (a) => a.volume],
  ['agreement_loo', (a) => a.agreement.rate],
  ['agreement_n', (a) => a.agreement.n],
  ['gold_accuracy', (a) => a.gold.accuracy],
  ['gold_low', (a) => a.gold.low],
  ['gold_high', (a) => a.gold.high],
  ['gold_n', (a) => a.gold.n],
  ['left_rate', (a) => a.position.leftRate],
  ['left_p_value', (a) => a.position.pValue],
  ['left_n', (a) => a.position.n],
  ['longer_rate', (a) => a.length.rate],
  ['longer_consensus_rate', (a) => a.length.consensusRate],
  ['longer_excess', (a) => a.length.excess],
  ['longer_n', (a) => a.length.n],
  ['tie_rate', (a) => a.tieRate],
  ['skip_rate', (a) => a.skipRate],
  ['flag_rate', (a) => a.flagRate],
  ['repeat_flip_rate', (a) => a.consistency.flipRate],
  ['repeat_n', (a) => a.consistency.n],
  ['median_time_ms', (a) => a.medianTimeMs],
  ['reliability_ds', (a) => a.reliability],
];

function cell(value: string | number | null): string {
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return '';
  const text = String(value);
  // a leading = + - @ would run as a formula in a spreadsheet: quote it as text
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One header row and one row per annotator, RFC 4180 quoting, empty cells where a figure has no data. */
export function reportCsv(report: Pick<QualityReport, 'annotators'>): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const a of report.annotators) lines.push(COLUMNS.map(([, get]) => cell(get(a))).join(','));
  return `${lines.join('\n')}\n`;
}
