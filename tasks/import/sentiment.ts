/**
 * Imports sentiment items (CSV, TSV including GLUE's layout, or JSONL; plain or gzip) into a
 * sentiment project. Every line is checked first and errors are listed by line; only then is
 * anything written, in one transaction: the items, their held-out marks, and their pre-labels and
 * routes, so an import lands whole or leaves nothing behind. A file's labels become hidden
 * reference labels, which annotators never see.
 */
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database, PrelabelSource, Project } from '../../db/schema';
import { insertAuditEvent } from '../../db/queries/audit-log';
import { findProjectById } from '../../db/queries/projects';
import { countHoldoutItems, insertSentimentItemsBatch, setHoldoutItems } from '../../db/queries/sentiment';
import type { Actor } from '../accounts';
import { contentHash } from '../content';
import { UserInputError } from '../errors';
import { findUnstorableText } from '../storable-text';
import { openActivePredictor, prelabelItems, ROUTING_SEED, type RoutingCounts } from '../sentiment-prelabel';
import { holdoutDraw } from '../sentiment-routing';
import { sentimentSettings } from '../sentiment-settings';
import { DEFAULT_JSONL_LIMITS, type JsonlLimits } from './jsonl';
import { ImportError, type LineError } from './preferences';
import { readTabular, sniffFormat, TABULAR_FORMATS, type TabularFormat } from './tabular';
import {
  labelResolver,
  resolveColumns,
  toSentimentRecord,
  type SentimentColumns,
  type SentimentRecord,
} from './sentiment-records';

export interface SentimentImportOptions {
  projectId: string;
  format: TabularFormat | 'auto';
  textColumn?: string | null;
  labelColumn?: string | null;
  labelMap?: Record<string, string>;
  /** import the valid lines and report the others instead of refusing the whole file */
  skipInvalid?: boolean;
  limits?: JsonlLimits;
  maxListedErrors?: number;
  onProgress?: (progress: {
    phase: 'validate' | 'write';
    lines: number;
    records: number;
    total?: number;
  }) => void;
  actor?: Actor;
  fileName?: string;
  /** where a configured cold-start model is looked for (ARBITER_MODELS_DIR) */
  modelsDir?: string | null;
}

export interface SentimentImportReport {
  format: TabularFormat;
  columns: { text: string; label: string | null };
  lines: number;
  records: number;
  skipped: LineError[];
  items: { created: number; existing: number };
  /** lines whose text already appeared earlier in the same file */
  duplicates: number;
  /** new items that carry the file's label as a hidden reference */
  references: number;
  /** new items set aside in the held-out set */
  holdout: number;
  routing: RoutingCounts;
  /** what pre-labeled the new items */
  prelabeledBy: PrelabelSource | 'nothing';
  /** the pretrained model's id when it did */
  prelabelModel: string | null;
  /** why the configured cold-start model was not used, when it was not */
  prelabelNote: string | null;
}

const BATCH = 1000;

async function requireSentimentProject(db: Kysely<Database>, projectId: string): Promise<Project> {
  const project = await findProjectById(db, projectId);
  if (!project) throw new ImportError('The project does not exist.', [], 1);
  if (project.type !== 'sentiment')
    throw new ImportError(
      `Project "${project.slug}" is a ${project.type} project, not a sentiment project.`,
      [],
      1,
    );
  return project;
}

/** Checked records of the file, with their lines; errors go to `onError`. */
async function* validRecords(
  open: () => Readable,
  format: TabularFormat,
  options: SentimentImportOptions,
  project: Project,
  onColumns: (columns: SentimentColumns) => void,
  onError: (error: LineError) => void,
  onLine: (line: number) => void,
): AsyncGenerator<{ line: number; record: SentimentRecord }> {
  let columns: SentimentColumns | null = null;
  const resolve = labelResolver(project.label_set, options.labelMap);
  for await (const row of readTabular(open(), format, options.limits ?? DEFAULT_JSONL_LIMITS)) {
    onLine(row.line);
    if (row.error) {
      onError({ line: row.line, message: row.error });
      continue;
    }
    if (!columns) {
      try {
        columns = resolveColumns(Object.keys(row.fields!), {
          text: options.textColumn,
          label: options.labelColumn,
        });
      } catch (error) {
        if (error instanceof UserInputError) throw new ImportError(error.message, [], 1);
        throw error;
      }
      onColumns(columns);
    }
    const record = toSentimentRecord(row.fields!, columns, resolve);
    // found here, the line is reported; found by the database, the whole import would fail with a driver error
    const unstorable = 'error' in record ? null : findUnstorableText(record);
    if ('error' in record) onError({ line: row.line, message: record.error });
    else if (unstorable) onError({ line: row.line, message: unstorable });
    else yield { line: row.line, record };
  }
}

/** Imports a sentiment file; `open` is called more than once (format sniffing, validation, writing). */
export async function importSentiment(
  db: Kysely<Database>,
  open: () => Readable,
  options: SentimentImportOptions,
): Promise<SentimentImportReport> {
  if (options.format !== 'auto' && !TABULAR_FORMATS.includes(options.format))
    throw new ImportError(
      `Unknown format "${options.format}"; use auto, ${TABULAR_FORMATS.join(', ')}.`,
      [],
      1,
    );
  const project = await requireSentimentProject(db, options.projectId);
  const format = options.format === 'auto' ? await sniffFormat(open) : options.format;
  const maxListed = options.maxListedErrors ?? 50;
  const errors: LineError[] = [];
  let errorCount = 0;
  let lines = 0;
  let records = 0;
  let columns: SentimentColumns | null = null;
  const noop = () => undefined;
  for await (const _ of validRecords(
    open,
    format,
    options,
    project,
    (c) => (columns = c),
    (e) => {
      errorCount++;
      if (errors.length < maxListed) errors.push(e);
    },
    (line) => {
      lines = line;
      if (line % 5000 === 0) options.onProgress?.({ phase: 'validate', lines, records });
    },
  ))
    records++;
  options.onProgress?.({ phase: 'validate', lines, records });
  if (errorCount > 0 && !options.skipInvalid)
    throw new ImportError(
      `${errorCount} line(s) are invalid; nothing was imported. Fix them, or import the valid lines with --skip-invalid.`,
      errors,
      errorCount,
    );
  if (records === 0 || !columns)
    throw new ImportError('The file has no valid records; nothing was imported.', errors, errorCount);
  const chosen: SentimentColumns = columns;

  const settings = sentimentSettings(project.settings);
  // loaded before the transaction opens (see openModelPredictor)
  const { predictor, note } = await openActivePredictor(db, project, { modelsDir: options.modelsDir });
  const report: SentimentImportReport = {
    format,
    columns: { text: chosen.text, label: chosen.label },
    lines,
    records,
    skipped: errors,
    items: { created: 0, existing: 0 },
    duplicates: 0,
    references: 0,
    holdout: 0,
    routing: { human: 0, auto: 0, audit: 0, unlabelled: 0 },
    prelabeledBy: predictor?.source ?? 'nothing',
    prelabelModel: predictor?.source === 'pretrained' ? predictor.name : null,
    prelabelNote: note,
  };
  try {
    await db.transaction().execute(async (trx) => {
      // the held-out set is capped per project: count what is there before adding to it
      let holdoutRoom = Math.max(0, settings.holdoutMax - (await countHoldoutItems(trx, project.id)));
      const seen = new Set<string>();
      let batch: SentimentRecord[] = [];
      let written = 0;
      const flush = async () => {
        const rows = batch.map((r) => ({
          text: r.text,
          content_hash: contentHash(r.text),
          reference_label: r.label,
          language: r.language,
          meta: r.meta,
        }));
        batch = [];
        const { ids, created } = await insertSentimentItemsBatch(trx, project.id, rows);
        report.items.created += created.size;
        report.items.existing += rows.length - created.size;
        report.references += rows.filter(
          (r) => r.reference_label !== null && created.has(ids.get(r.content_hash)!),
        ).length;
        const fresh = rows.filter((r) => created.has(ids.get(r.content_hash)!));
        const newIds = fresh.map((r) => ids.get(r.content_hash)!);
        const holdout: string[] = [];
        for (const row of fresh) {
          // drawn by content, so the same file makes the same held-out set in any project
          if (holdoutRoom > 0 && holdoutDraw(ROUTING_SEED, row.content_hash) < settings.holdoutRate) {
            holdout.push(ids.get(row.content_hash)!);
            holdoutRoom--;
          }
        }
        await setHoldoutItems(trx, holdout);
        report.holdout += holdout.length;
        const routed = await prelabelItems(trx, project, predictor, { itemIds: newIds });
        for (const key of Object.keys(routed) as (keyof RoutingCounts)[]) report.routing[key] += routed[key];
        written += rows.length;
        options.onProgress?.({ phase: 'write', lines, records: written, total: records });
      };
      for await (const { record } of validRecords(open, format, options, project, noop, noop, noop)) {
        const hash = contentHash(record.text);
        if (seen.has(hash)) {
          report.duplicates++;
          continue;
        }
        seen.add(hash);
        batch.push(record);
        if (batch.length >= BATCH) await flush();
      }
      if (batch.length) await flush();
      await insertAuditEvent(trx, {
        event: 'import.completed',
        actorUserId: options.actor?.userId,
        actorEmail: options.actor?.email,
        ip: options.actor?.ip,
        targetType: 'project',
        targetId: project.id,
        details: {
          file: options.fileName ?? null,
          format,
          type: 'sentiment',
          records,
          items: report.items.created,
          skipped: errorCount,
          routing: report.routing,
        },
      });
    });
  } finally {
    await predictor?.dispose();
  }
  return report;
}
