/**
 * Parquet output for the tabular exports (raw judgments and consensus): the same streams as
 * writeExport, written one row group at a time through tasks/export/parquet.ts, so memory stays
 * bounded. Parquet wants a file (its footer is written last), so this writes to a path.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { UserInputError } from '../errors';
import { createParquetWriter, type ParquetColumn } from './parquet';
import type { ExportFilters } from './filters';
import { emptyCounts, exportContext, streamExportPairs, type PairCounts } from './pairs';
import { streamExportJudgments } from './judgments';

export const PARQUET_FORMATS = ['judgments', 'consensus'] as const;

/** 10,000 rows a group keeps a 1M-row export near 220 MB resident (50,000 needed ~500 MB). */
const ROW_GROUP = 10_000;

const JUDGMENT_COLUMNS: ParquetColumn[] = [
  { name: 'judgment_id', type: 'string' },
  { name: 'pair_id', type: 'string' },
  { name: 'annotator', type: 'string' },
  { name: 'helpfulness', type: 'int32' },
  { name: 'safety', type: 'int32' },
  { name: 'both_unacceptable', type: 'boolean' },
  { name: 'flags', type: 'json' },
  { name: 'rationale', type: 'string' },
  { name: 'shown_left', type: 'string' },
  { name: 'time_on_task_ms', type: 'int32', nullable: true },
  { name: 'created_at', type: 'timestamp' },
  { name: 'updated_at', type: 'timestamp' },
  { name: 'is_gold', type: 'boolean' },
  { name: 'is_repeat', type: 'boolean' },
  { name: 'revision', type: 'int32' },
  { name: 'edits', type: 'json' },
];

const CONSENSUS_COLUMNS: ParquetColumn[] = [
  { name: 'pair_id', type: 'string' },
  { name: 'axis', type: 'string' },
  { name: 'score', type: 'double' },
  { name: 'direction', type: 'string' },
  { name: 'agreement', type: 'double' },
  { name: 'level', type: 'string' },
  { name: 'judgments', type: 'int32' },
  { name: 'weighted_score', type: 'double', nullable: true },
  { name: 'preferred', type: 'string', nullable: true },
  { name: 'adjudicated', type: 'boolean' },
  { name: 'is_gold', type: 'boolean' },
];

/** Writes a judgments or consensus export as Parquet to `path`; returns rows, bytes and pair counts. */
export async function writeParquetExport(
  db: Kysely<Database>,
  request: { projectId: string; format: string; filters: ExportFilters },
  path: string,
  onProgress?: (rows: number) => void,
): Promise<{ rows: number; bytes: number; pairs: PairCounts | null }> {
  if (!(PARQUET_FORMATS as readonly string[]).includes(request.format))
    throw new UserInputError(
      `Parquet is for ${PARQUET_FORMATS.join(' and ')}; "${request.format}" is not tabular.`,
      'format',
    );
  const { projectId, filters } = request;
  const context = await exportContext(db, projectId, filters);
  const columns = request.format === 'judgments' ? JUDGMENT_COLUMNS : CONSENSUS_COLUMNS;
  const writer = createParquetWriter(path, columns, { rowGroupSize: ROW_GROUP });
  let rows = 0;
  let pairs: PairCounts | null = null;
  const append = async (row: Record<string, unknown>) => {
    await writer.append(row);
    if (++rows % 10_000 === 0) onProgress?.(rows);
  };
  try {
    if (request.format === 'judgments') {
      for await (const j of streamExportJudgments(db, projectId, filters, context.excluded))
        await append(j as unknown as Record<string, unknown>);
    } else {
      pairs = emptyCounts();
      for await (const pair of streamExportPairs(db, projectId, filters, context, pairs))
        for (const axis of ['helpfulness', 'safety'] as const)
          await append({
            pair_id: pair.pairId,
            axis,
            score: pair[axis].mean,
            direction: pair[axis].direction,
            agreement: pair[axis].agreement,
            level: pair[axis].level,
            judgments: pair[axis].n,
            weighted_score: pair.weightedScore ? pair.weightedScore[axis] : null,
            preferred: axis === pair.basis ? pair.preferred : null,
            adjudicated: pair.adjudicated,
            is_gold: pair.isGold,
          });
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const closed = await writer.close();
  onProgress?.(rows);
  return { rows, bytes: closed.bytes, pairs };
}
