/**
 * Versioned export snapshots. Every export is recorded (who, when, filters, format, rows, sha256,
 * the model versions active at the time), written by a background job as gzip-compressed chunks
 * while it streams, and can be downloaded again byte-identical. A snapshot is visible for download
 * only once it is `ready`: a job that dies half-way leaves no half file anyone can fetch, and its
 * retry starts the chunks over.
 */
import { z } from 'zod';
import { createGunzip, createGzip } from 'node:zlib';
import { once } from 'node:events';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { findActiveModel } from '../../db/queries/models';
import { insertJob } from '../../db/queries/jobs';
import { recordActorEvent, type Actor } from '../accounts';
import { PermanentJobError, type JobHandler } from '../jobs';
import { UserInputError, describeZodIssue } from '../errors';
import { ExportFiltersSchema } from './filters';
import { MARGIN_FORMATS } from './formats';
import { CSV_FORMATS, EXPORT_FORMATS, writeExport, type ExportFormat, type ExportSummary } from './write';
import { datasetCard } from './dataset-card';
import { PARQUET_FORMATS, writeParquetExport } from './write-parquet';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const EXPORT_JOB = 'export';
const CHUNK = 1 << 20;

export const NewExportSchema = z.object({
  format: z.enum(EXPORT_FORMATS, { error: `Format: one of ${EXPORT_FORMATS.join(', ')}.` }),
  csv: z.boolean().default(false),
  parquet: z.boolean().default(false),
  margin: z.boolean().default(false),
  filters: z.unknown().default({}),
});

/** The file name a snapshot downloads as. */
export function snapshotFileName(
  row: { id: string; format: string; encoding: string; created_at: Date },
  slug: string,
) {
  const day = row.created_at.toISOString().slice(0, 10);
  const extension = row.encoding === 'csv' ? 'csv' : row.encoding === 'parquet' ? 'parquet' : 'jsonl';
  return `${slug}-${row.format}-${day}-${row.id.slice(0, 8)}.${extension}`;
}

/**
 * Records a new snapshot and queues the job that writes it. Validates everything first (format,
 * filters, options against the project's type) and throws UserInputError naming the field.
 */
export async function createExportSnapshot(
  db: Kysely<Database>,
  options: { projectId: string; input: unknown; actor: Actor & { tokenId?: string | null } },
): Promise<{ exportId: string; jobId: string }> {
  const parsed = NewExportSchema.safeParse(options.input);
  if (!parsed.success) {
    const { field, message } = describeZodIssue(parsed.error.issues[0]!);
    throw new UserInputError(message, field);
  }
  const filters = ExportFiltersSchema.safeParse(parsed.data.filters);
  if (!filters.success) {
    const { field, message } = describeZodIssue(filters.error.issues[0]!);
    throw new UserInputError(message, field);
  }
  const { format, csv, margin, parquet } = parsed.data;
  const project = await db
    .selectFrom('projects')
    .select(['id', 'type'])
    .where('id', '=', options.projectId)
    .executeTakeFirst();
  if (!project) throw new UserInputError('No such project.', 'project', 'not-found');
  if ((project.type === 'sentiment') !== (format === 'sentiment'))
    throw new UserInputError(
      project.type === 'sentiment'
        ? 'A sentiment project exports as "sentiment".'
        : '"sentiment" is for sentiment projects; choose a preference format.',
      'format',
    );
  if (csv && !CSV_FORMATS.includes(format))
    throw new UserInputError(`CSV is for ${CSV_FORMATS.join(', ')}.`, 'csv');
  if (parquet && csv) throw new UserInputError('Choose CSV or Parquet, not both.', 'parquet');
  if (parquet && !(PARQUET_FORMATS as readonly string[]).includes(format))
    throw new UserInputError(`Parquet is for ${PARQUET_FORMATS.join(' and ')}.`, 'parquet');
  if (margin && !MARGIN_FORMATS.includes(format as never))
    throw new UserInputError(`A margin is for ${MARGIN_FORMATS.join(', ')}.`, 'margin');
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('exports')
      .values({
        project_id: project.id,
        created_by: options.actor.userId ?? null,
        token_id: options.actor.tokenId ?? null,
        format,
        encoding: parquet ? 'parquet' : csv ? 'csv' : 'jsonl',
        filters: JSON.stringify(filters.data),
        options: JSON.stringify({ margin }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const jobId = await insertJob(trx as unknown as Kysely<Database>, {
      kind: EXPORT_JOB,
      payload: { exportId: row.id },
      projectId: project.id,
      createdBy: options.actor.userId ?? null,
    });
    await trx.updateTable('exports').set({ job_id: jobId }).where('id', '=', row.id).execute();
    await recordActorEvent(
      trx,
      'export.created',
      options.actor,
      { type: 'export', id: row.id },
      { format, csv },
    );
    return { exportId: row.id, jobId };
  });
}

/** Collects a gzip stream into ≤ `chunkBytes` rows of export_chunks, inserted in order, a few at most in flight. */
export function chunkStore(db: Kysely<Database>, exportId: string, chunkBytes = CHUNK) {
  const gzip = createGzip();
  let pending: Buffer[] = [];
  let size = 0;
  let seq = 0;
  let stored = 0;
  let inFlight = 0;
  let writes: Promise<void> = Promise.resolve();
  const flush = (all: boolean) => {
    while (size >= chunkBytes || (all && size > 0)) {
      const joined = Buffer.concat(pending);
      const piece = joined.subarray(0, Math.min(chunkBytes, joined.length));
      const rest = joined.subarray(piece.length);
      pending = rest.length ? [rest] : [];
      size = rest.length;
      const at = seq++;
      stored += piece.length;
      inFlight++;
      writes = writes.then(async () => {
        await db.insertInto('export_chunks').values({ export_id: exportId, seq: at, data: piece }).execute();
        inFlight--;
      });
    }
  };
  gzip.on('data', (data: Buffer) => {
    pending.push(data);
    size += data.length;
    flush(false);
  });
  return {
    async write(data: string | Buffer) {
      if (!gzip.write(data)) await once(gzip, 'drain');
      // the database sets the pace: never more than two chunks waiting in memory
      if (inFlight > 2) await writes;
    },
    async finish(): Promise<number> {
      gzip.end();
      await once(gzip, 'end');
      flush(true);
      await writes;
      return stored;
    },
  };
}

/**
 * A Parquet snapshot: written to a temporary file (Parquet's footer comes last), then stored
 * through the same chunk store, hashed as it is read, and the temporary file removed.
 */
async function parquetSnapshot(
  db: Kysely<Database>,
  row: { id: string; project_id: string; format: string; filters: unknown },
  store: ReturnType<typeof chunkStore>,
  onProgress: (rows: number) => void,
): Promise<ExportSummary> {
  const file = path.join(os.tmpdir(), `arbiter-export-${row.id}.parquet`);
  try {
    const written = await writeParquetExport(
      db,
      { projectId: row.project_id, format: row.format, filters: ExportFiltersSchema.parse(row.filters) },
      file,
      onProgress,
    );
    const hash = createHash('sha256');
    for await (const piece of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
      hash.update(piece as Buffer);
      await store.write(piece as Buffer);
    }
    return {
      format: row.format as ExportFormat,
      encoding: 'parquet',
      rows: written.rows,
      bytes: written.bytes,
      sha256: hash.digest('hex'),
      pairs: written.pairs,
      unsupported: { count: 0, example: null },
      qualityReportId: null,
      balance: {},
    };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const Payload = z.object({ exportId: z.uuid() });

/** The job: writes the snapshot's chunks, then marks it ready with its sha256 and dataset card. */
export const runExportJob: JobHandler = async (job, context) => {
  const parsed = Payload.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`Invalid export job: ${parsed.error.issues[0]!.message}`);
  const { db } = context;
  const row = await db
    .selectFrom('exports as e')
    .innerJoin('projects as p', 'p.id', 'e.project_id')
    .select([
      'e.id',
      'e.project_id',
      'e.format',
      'e.encoding',
      'e.filters',
      'e.options',
      'p.type',
      'p.slug',
      'p.settings',
    ])
    .where('e.id', '=', parsed.data.exportId)
    .executeTakeFirst();
  if (!row) throw new PermanentJobError('The export no longer exists.');
  // a retry starts over: no chunk of an earlier attempt survives
  await db.deleteFrom('export_chunks').where('export_id', '=', row.id).execute();
  await db.updateTable('exports').set({ status: 'running', error: null }).where('id', '=', row.id).execute();
  const store = chunkStore(db, row.id);
  let summary: ExportSummary;
  let stored: number;
  try {
    summary =
      row.encoding === 'parquet'
        ? await parquetSnapshot(
            db,
            row,
            store,
            (rows) => void context.progress({ stage: 'write', rows }).catch(() => undefined),
          )
        : await writeExport(
            db,
            {
              projectId: row.project_id,
              projectType: row.type,
              format: row.format as ExportFormat,
              filters: ExportFiltersSchema.parse(row.filters),
              margin: row.options.margin === true,
              csv: row.encoding === 'csv',
            },
            (text) => store.write(text),
            (rows) => void context.progress({ stage: 'write', rows }).catch(() => undefined),
          );
    stored = await store.finish();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.deleteFrom('export_chunks').where('export_id', '=', row.id).execute();
    await db
      .updateTable('exports')
      .set({ status: 'failed', error: message, finished_at: new Date() })
      .where('id', '=', row.id)
      .execute();
    if (error instanceof UserInputError) throw new PermanentJobError(message);
    throw error;
  }
  const models: Record<string, unknown> = {};
  for (const axis of row.type === 'preference' ? ['helpfulness', 'safety'] : ['sentiment']) {
    const model = await findActiveModel(db, {
      projectId: row.project_id,
      kind: row.type === 'preference' ? 'reward' : 'sentiment',
      axis,
    });
    if (model) models[axis] = { id: model.id, version: model.version };
  }
  const card = await datasetCard(db, {
    exportId: row.id,
    projectId: row.project_id,
    format: row.format,
    filters: row.filters,
    summary,
    models,
  });
  await db
    .updateTable('exports')
    .set({
      status: 'ready',
      row_count: summary.rows,
      byte_size: summary.bytes,
      stored_bytes: stored,
      sha256: summary.sha256,
      counts: JSON.stringify({
        pairs: summary.pairs,
        unsupported: summary.unsupported,
        qualityReportId: summary.qualityReportId,
      }),
      model_versions: JSON.stringify(models),
      dataset_card: card,
      finished_at: new Date(),
    })
    .where('id', '=', row.id)
    .execute();
  return { exportId: row.id, rows: summary.rows, bytes: summary.bytes, sha256: summary.sha256 };
};

/**
 * The snapshot's file, decompressed, as a stream of Buffers read one chunk at a time (the same bytes
 * the export wrote: its sha256 matches). Undefined unless the snapshot is ready.
 */
export async function openSnapshot(db: Kysely<Database>, exportId: string) {
  const row = await db
    .selectFrom('exports')
    .select(['id', 'status', 'byte_size'])
    .where('id', '=', exportId)
    .executeTakeFirst();
  if (!row || row.status !== 'ready') return undefined;
  async function* chunks() {
    const gunzip = createGunzip();
    const out: Buffer[] = [];
    gunzip.on('data', (d: Buffer) => out.push(d));
    for (let seq = 0; ; seq++) {
      const chunk = await db
        .selectFrom('export_chunks')
        .select('data')
        .where('export_id', '=', exportId)
        .where('seq', '=', seq)
        .executeTakeFirst();
      // no chunks at all: nothing was stored (an empty snapshot recorded by hand, say)
      if (!chunk && seq === 0) return;
      if (!chunk) break;
      if (!gunzip.write(Buffer.from(chunk.data))) await once(gunzip, 'drain');
      while (out.length) yield out.shift()!;
    }
    gunzip.end();
    await once(gunzip, 'end');
    while (out.length) yield out.shift()!;
  }
  return { bytes: Number(row.byte_size ?? 0), chunks: chunks() };
}

/** A project's snapshots (or every project's), newest first, without their files. */
export async function listExportSnapshots(
  db: Kysely<Database>,
  options: { projectId?: string; limit?: number } = {},
) {
  let query = db
    .selectFrom('exports as e')
    .innerJoin('projects as p', 'p.id', 'e.project_id')
    .leftJoin('users as u', 'u.id', 'e.created_by')
    .leftJoin('jobs as j', 'j.id', 'e.job_id')
    .select([
      'e.id',
      'e.format',
      'e.encoding',
      'e.status',
      'e.row_count',
      'e.byte_size',
      'e.stored_bytes',
      'e.sha256',
      'e.filters',
      'e.options',
      'e.counts',
      'e.error',
      'e.created_at',
      'e.finished_at',
      'e.token_id',
      'p.slug',
      'p.name as project_name',
      'u.display_name',
      'j.progress',
    ])
    .orderBy('e.created_at', 'desc')
    .limit(options.limit ?? 100);
  if (options.projectId) query = query.where('e.project_id', '=', options.projectId);
  return query.execute();
}
