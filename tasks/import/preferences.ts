/**
 * Imports preference data into a project: every line is validated first (errors listed with line
 * numbers), and only then is anything written, in one transaction with batched inserts, so an
 * import either lands whole or leaves nothing behind.
 */
import type { Readable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { insertPairsBatch, insertPromptsBatch, insertResponsesBatch } from '../../db/queries/content';
import { insertAuditEvent } from '../../db/queries/audit-log';
import { randomUUID } from 'node:crypto';
import { candidatePairs, contentHash } from '../content';
import { DEFAULT_POLICY_SEED, leastJudgedPolicy } from '../selection';
import type { Rng } from '../rng';
import type { Actor } from '../accounts';
import {
  detectFormat,
  IMPORT_FORMATS,
  parseRecord,
  RecordError,
  type ImportFormat,
  type PreferenceRecord,
} from './formats';
import { DEFAULT_JSONL_LIMITS, readJsonLines, type JsonlLimits } from './jsonl';

export interface LineError {
  line: number;
  message: string;
}

export class ImportError extends Error {
  constructor(
    message: string,
    readonly errors: LineError[],
    readonly totalErrors: number,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportProgress {
  phase: 'validate' | 'write';
  lines: number;
  /** records checked (validate) or written (write) so far */
  records: number;
  /** write phase: how many records will be written in all */
  total?: number;
}

export interface ImportOptions {
  projectId: string;
  format: ImportFormat | 'auto';
  /** import the valid lines and report the others instead of refusing the whole file */
  skipInvalid?: boolean;
  pairCapPerPrompt?: number;
  rng: Rng;
  limits?: JsonlLimits;
  /** how many line errors to list (all are counted) */
  maxListedErrors?: number;
  onProgress?: (progress: ImportProgress) => void;
  actor?: Actor;
  fileName?: string;
}

export interface ImportReport {
  format: ImportFormat;
  lines: number;
  records: number;
  skipped: LineError[];
  prompts: { created: number; existing: number };
  responses: { created: number; existing: number };
  pairs: { created: number; existing: number };
  references: number;
}

const BATCH = 500;

async function* validRecords(
  open: () => Readable,
  options: ImportOptions,
  onFormat: (format: ImportFormat) => void,
  onError: (error: LineError) => void,
  onLine: (line: number) => void,
): AsyncGenerator<{ line: number; record: PreferenceRecord }> {
  let format: ImportFormat | null = options.format === 'auto' ? null : options.format;
  if (format) onFormat(format);
  for await (const item of readJsonLines(open(), options.limits ?? DEFAULT_JSONL_LIMITS)) {
    onLine(item.line);
    if (item.error) {
      onError({ line: item.line, message: item.error });
      continue;
    }
    if (!format) {
      format = detectFormat(item.value);
      if (!format) {
        onError({
          line: item.line,
          message:
            'cannot tell the format: expected "responses" (Arbiter), "chosen" + "rejected" transcripts (HH-RLHF), "prompt" + "chosen" + "rejected" (TRL) or "input" + "preferred_output" + "non_preferred_output" (OpenAI)',
        });
        continue;
      }
      onFormat(format);
    }
    try {
      yield { line: item.line, record: parseRecord(format, item.value) };
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      onError({ line: item.line, message: error.message });
    }
  }
}

/** Imports a JSONL (or gzipped JSONL) preference file; `open` is called twice (validate, then write). */
export async function importPreferences(
  db: Kysely<Database>,
  open: () => Readable,
  options: ImportOptions,
): Promise<ImportReport> {
  if (options.format !== 'auto' && !IMPORT_FORMATS.includes(options.format)) {
    throw new ImportError(
      `Unknown format "${options.format}"; use auto, ${IMPORT_FORMATS.join(', ')}.`,
      [],
      1,
    );
  }
  const maxListed = options.maxListedErrors ?? 50;
  const errors: LineError[] = [];
  let errorCount = 0;
  let format: ImportFormat | null = null;
  let lines = 0;
  let records = 0;
  for await (const _ of validRecords(
    open,
    options,
    (f) => (format = f),
    (e) => {
      errorCount++;
      if (errors.length < maxListed) errors.push(e);
    },
    (line) => {
      lines = line;
      if (line % 1000 === 0) options.onProgress?.({ phase: 'validate', lines, records });
    },
  )) {
    records++;
  }
  options.onProgress?.({ phase: 'validate', lines, records });
  if (errorCount > 0 && !options.skipInvalid) {
    throw new ImportError(
      `${errorCount} line(s) are invalid; nothing was imported. Fix them, or import the valid lines with --skip-invalid.`,
      errors,
      errorCount,
    );
  }
  if (records === 0 || !format) {
    throw new ImportError('The file has no valid records; nothing was imported.', errors, errorCount);
  }
  const chosenFormat: ImportFormat = format;

  const report: ImportReport = {
    format: chosenFormat,
    lines,
    records,
    skipped: errors,
    prompts: { created: 0, existing: 0 },
    responses: { created: 0, existing: 0 },
    pairs: { created: 0, existing: 0 },
    references: 0,
  };
  await db.transaction().execute(async (trx) => {
    let batch: { line: number; record: PreferenceRecord }[] = [];
    let written = 0;
    const flush = async () => {
      await writeBatch(trx, batch, options, chosenFormat, report);
      written += batch.length;
      batch = [];
      options.onProgress?.({ phase: 'write', lines, records: written, total: records });
    };
    for await (const item of validRecords(
      open,
      { ...options, format: chosenFormat },
      () => undefined,
      () => undefined,
      () => undefined,
    )) {
      batch.push(item);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length) await flush();
    await insertAuditEvent(trx, {
      event: 'import.completed',
      actorUserId: options.actor?.userId,
      actorEmail: options.actor?.email,
      ip: options.actor?.ip,
      targetType: 'project',
      targetId: options.projectId,
      details: {
        file: options.fileName ?? null,
        format: chosenFormat,
        records,
        pairs: report.pairs.created,
        skipped: errorCount,
      },
    });
  });
  return report;
}

async function writeBatch(
  trx: Transaction<Database>,
  batch: { line: number; record: PreferenceRecord }[],
  options: ImportOptions,
  format: ImportFormat,
  report: ImportReport,
): Promise<void> {
  const promptRows = new Map<string, Parameters<typeof insertPromptsBatch>[2][number]>();
  const hashes = batch.map(({ record }) => {
    const hash = contentHash(record.messages);
    if (!promptRows.has(hash)) {
      promptRows.set(hash, {
        messages: record.messages,
        language: record.language,
        domain: record.domain,
        content_hash: hash,
        meta: record.meta,
      });
    }
    return hash;
  });
  const prompts = await insertPromptsBatch(trx, options.projectId, [...promptRows.values()]);
  report.prompts.created += prompts.created;
  report.prompts.existing += promptRows.size - prompts.created;

  const responseRows = new Map<string, Parameters<typeof insertResponsesBatch>[1][number]>();
  const responseKeys = batch.map(({ record }, i) =>
    record.responses.map((response) => {
      const promptId = prompts.ids.get(hashes[i]!)!;
      const hash = contentHash(response.text);
      const key = `${promptId}:${hash}`;
      if (!responseRows.has(key))
        responseRows.set(key, {
          prompt_id: promptId,
          model: response.model,
          text: response.text,
          content_hash: hash,
        });
      return key;
    }),
  );
  const responses = await insertResponsesBatch(trx, [...responseRows.values()]);
  report.responses.created += responses.created;
  report.responses.existing += responseRows.size - responses.created;

  const policy = leastJudgedPolicy(DEFAULT_POLICY_SEED);
  const pairRows = new Map<string, Parameters<typeof insertPairsBatch>[1][number]>();
  batch.forEach(({ line, record }, i) => {
    const promptId = prompts.ids.get(hashes[i]!)!;
    const ids = responseKeys[i]!.map((key) => responses.ids.get(key)!);
    const preferredId = record.preferredIndex !== undefined ? ids[record.preferredIndex] : undefined;
    for (const [a, b] of candidatePairs(ids, options.pairCapPerPrompt ?? 6, options.rng)) {
      const labelled = preferredId !== undefined && (a === preferredId || b === preferredId);
      const key = `${a}:${b}`;
      if (pairRows.has(key)) continue;
      const id = randomUUID();
      pairRows.set(key, {
        id,
        priority: policy.priority({ id }),
        project_id: options.projectId,
        prompt_id: promptId,
        response_a_id: a,
        response_b_id: b,
        reference: labelled ? { preferred: a === preferredId ? 'a' : 'b', source: format, line } : null,
      });
    }
  });
  const created = await insertPairsBatch(trx, [...pairRows.values()]);
  report.pairs.created += created;
  report.pairs.existing += pairRows.size - created;
  report.references += [...pairRows.values()].filter((p) => p.reference !== null).length;
}
