/**
 * Writing an export: the streams (pairs, judgments, sentiment items) through the record builders
 * to JSON lines or CSV, handed to a sink chunk by chunk, hashed as they go. Nothing is held beyond
 * one page of rows, so memory stays flat; the sink decides where the bytes go (a file, a download,
 * a stored snapshot). The same function serves the CLI, the app and the API.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { UserInputError } from '../errors';
import { exportRecords, PREFERENCE_FORMATS, unsupportedReason, type PreferenceFormat } from './formats';
import type { ExportFilters } from './filters';
import { emptyCounts, exportContext, streamExportPairs, type ExportedPair, type PairCounts } from './pairs';
import { streamExportJudgments, type ExportedJudgment } from './judgments';
import { streamExportItems, type ExportedItem } from './items';
import { csvHeader, csvLine } from './csv';

export const EXPORT_FORMATS = [...PREFERENCE_FORMATS, 'judgments', 'consensus', 'sentiment'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** the formats that also come as CSV (one flat row per record) */
export const CSV_FORMATS: readonly ExportFormat[] = ['judgments', 'consensus', 'sentiment'];

export interface ExportRequest {
  projectId: string;
  projectType: 'preference' | 'sentiment';
  format: ExportFormat;
  filters: ExportFilters;
  /** TRL formats: add `margin` */
  margin?: boolean;
  csv?: boolean;
}

export interface ExportSummary {
  format: ExportFormat;
  encoding: 'jsonl' | 'csv' | 'parquet';
  /** records written (KTO writes two per pair) */
  rows: number;
  bytes: number;
  sha256: string;
  /** preference formats and consensus: what the pair stream read, wrote and left out */
  pairs: PairCounts | null;
  /** pairs the format cannot hold unchanged (e.g. multi-turn in standard TRL), with the first reason */
  unsupported: { count: number; example: string | null };
  /** the quality report weights or exclusions came from */
  qualityReportId: string | null;
  /** what was exported, by answer: preferred side (a, b, tie) for pairs, the label for sentiment items */
  balance: Record<string, number>;
}

export type Sink = (chunk: string) => void | Promise<void>;

/** A consensus row: per pair and axis. */
function consensusRows(pair: ExportedPair) {
  return (['helpfulness', 'safety'] as const).map((axis) => ({
    pair_id: pair.pairId,
    axis,
    score: Number(pair[axis].mean.toFixed(4)),
    direction: pair[axis].direction,
    agreement: Number(pair[axis].agreement.toFixed(4)),
    level: pair[axis].level,
    judgments: pair[axis].n,
    weighted_score: pair.weightedScore ? Number(pair.weightedScore[axis].toFixed(4)) : null,
    preferred: axis === pair.basis ? pair.preferred : null,
    adjudicated: pair.adjudicated,
    is_gold: pair.isGold,
  }));
}

const CONSENSUS_COLUMNS = [
  'pair_id',
  'axis',
  'score',
  'direction',
  'agreement',
  'level',
  'judgments',
  'weighted_score',
  'preferred',
  'adjudicated',
  'is_gold',
];
const JUDGMENT_COLUMNS = [
  'judgment_id',
  'pair_id',
  'annotator',
  'helpfulness',
  'safety',
  'both_unacceptable',
  'flags',
  'rationale',
  'shown_left',
  'time_on_task_ms',
  'created_at',
  'updated_at',
  'is_gold',
  'is_repeat',
  'revision',
  'edits',
];
const ITEM_COLUMNS = [
  'item_id',
  'text',
  'label',
  'provenance',
  'confidence',
  'labels',
  'annotators',
  'is_gold',
];

/**
 * Writes the export to `sink` and says what it wrote. Throws UserInputError (field `format`) for
 * a format the project's type cannot export, before writing anything.
 */
export async function writeExport(
  db: Kysely<Database>,
  request: ExportRequest,
  sink: Sink,
  onProgress?: (rows: number) => void,
): Promise<ExportSummary> {
  const { format, filters, projectId } = request;
  if (request.projectType === 'sentiment' && format !== 'sentiment')
    throw new UserInputError(`A sentiment project exports as "sentiment", not "${format}".`, 'format');
  if (request.projectType === 'preference' && format === 'sentiment')
    throw new UserInputError('"sentiment" is for sentiment projects; choose a preference format.', 'format');
  if (request.csv && !CSV_FORMATS.includes(format))
    throw new UserInputError(`CSV is for ${CSV_FORMATS.join(', ')}; "${format}" is JSON lines.`, 'format');
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  // records are small: handing each one to the hash and the sink on its own made gzip 20× slower
  let buffered = '';
  const flush = async () => {
    if (!buffered) return;
    const text = buffered;
    buffered = '';
    hash.update(text);
    bytes += Buffer.byteLength(text);
    await sink(text);
  };
  const write = async (text: string) => {
    buffered += text;
    if (buffered.length >= 64 * 1024) await flush();
  };
  const emit = async (record: Record<string, unknown>, columns: string[]) => {
    await write(request.csv ? csvLine(columns, record) : `${JSON.stringify(record)}\n`);
    rows++;
    if (rows % 1000 === 0) onProgress?.(rows);
  };
  const context = await exportContext(db, projectId, filters);
  const unsupported = { count: 0, example: null as string | null };
  const balance: Record<string, number> = {};
  const tally = (key: string) => (balance[key] = (balance[key] ?? 0) + 1);
  let pairs: PairCounts | null = null;
  if (format === 'judgments') {
    if (request.csv) await write(csvHeader(JUDGMENT_COLUMNS));
    for await (const j of streamExportJudgments(db, projectId, filters, context.excluded))
      await emit(j as unknown as Record<string, unknown>, JUDGMENT_COLUMNS);
  } else if (format === 'sentiment') {
    if (request.csv) await write(csvHeader(ITEM_COLUMNS));
    for await (const item of streamExportItems(db, projectId, filters)) {
      tally(item.label);
      await emit(item as unknown as Record<string, unknown>, ITEM_COLUMNS);
    }
  } else {
    pairs = emptyCounts();
    if (format === 'consensus' && request.csv) await write(csvHeader(CONSENSUS_COLUMNS));
    for await (const pair of streamExportPairs(db, projectId, filters, context, pairs)) {
      if (format === 'consensus') {
        tally(pair.preferred);
        for (const row of consensusRows(pair)) await emit(row, CONSENSUS_COLUMNS);
        continue;
      }
      const exportable = {
        pairId: pair.pairId,
        messages: pair.messages,
        a: pair.a,
        b: pair.b,
        preferred: pair.preferred as 'a' | 'b',
        score: pair.score,
      };
      // a tie kept by the filters has no chosen side: preference formats cannot say "tie"
      const reason =
        pair.preferred === 'tie'
          ? 'a tie has no chosen and rejected response'
          : unsupportedReason(format as PreferenceFormat, exportable);
      if (reason) {
        unsupported.count++;
        unsupported.example ??= reason;
        continue;
      }
      tally(pair.preferred);
      for (const record of exportRecords(format as PreferenceFormat, exportable, { margin: request.margin }))
        await emit(record as Record<string, unknown>, []);
    }
  }
  await flush();
  onProgress?.(rows);
  return {
    format,
    encoding: request.csv ? 'csv' : 'jsonl',
    rows,
    bytes,
    sha256: hash.digest('hex'),
    pairs,
    unsupported,
    qualityReportId: context.reportId,
    balance,
  };
}

export type { ExportedItem, ExportedJudgment };
