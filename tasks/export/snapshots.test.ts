import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { describeDb } from '../../tests/setup/db';
import { makeJudgedProject } from '../../tests/setup/factories';
import { findJob } from '../../db/queries/jobs';
import { startWorker } from '../jobs';
import { updateProjectSettings } from '../projects';
import {
  chunkStore,
  createExportSnapshot,
  EXPORT_JOB,
  listExportSnapshots,
  openSnapshot,
  runExportJob,
} from './snapshots';

async function runJob(db: Kysely<Database>, jobId: string) {
  const stop = startWorker(db, {
    handlers: { [EXPORT_JOB]: runExportJob },
    pollMs: 20,
    log: () => undefined,
  });
  try {
    for (let i = 0; i < 600; i++) {
      const job = await findJob(db, jobId);
      if (job?.status === 'succeeded' || job?.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the export job did not finish');
  } finally {
    await stop();
  }
}

async function download(db: Kysely<Database>, exportId: string): Promise<Buffer> {
  const file = (await openSnapshot(db, exportId))!;
  const parts: Buffer[] = [];
  for await (const chunk of file.chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

describeDb('export snapshots', ({ db }) => {
  it('records an export, writes it as a job, and downloads it again byte-identical with its card', async () => {
    const project = await makeJudgedProject(db());
    const actor = { userId: project.lead.id, email: project.lead.email };
    const { exportId, jobId } = await createExportSnapshot(db(), {
      projectId: project.projectId,
      input: { format: 'trl', margin: true, filters: { minAgreement: 0.5 } },
      actor,
    });
    // nothing to download before the job has run
    expect(await openSnapshot(db(), exportId)).toBeUndefined();
    expect((await runJob(db(), jobId)).status).toBe('succeeded');
    const [row] = await listExportSnapshots(db(), { projectId: project.projectId });
    expect(row).toMatchObject({
      id: exportId,
      status: 'ready',
      format: 'trl',
      encoding: 'jsonl',
      display_name: expect.any(String),
    });
    const first = await download(db(), exportId);
    const again = await download(db(), exportId);
    expect(again.equals(first)).toBe(true);
    expect(createHash('sha256').update(first).digest('hex')).toBe(row!.sha256);
    expect(first.toString('utf8').trim().split('\n')).toHaveLength(row!.row_count!);
    const stored = await db()
      .selectFrom('exports')
      .select(['dataset_card', 'filters', 'byte_size'])
      .where('id', '=', exportId)
      .executeTakeFirstOrThrow();
    expect(Number(stored.byte_size)).toBe(first.length);
    expect(stored.filters).toMatchObject({ minAgreement: 0.5, axis: 'helpfulness', ties: 'drop' });
    expect(stored.dataset_card).toContain('# ');
    expect(stored.dataset_card).toContain(`SHA-256: \`${row!.sha256}\``);
    expect(stored.dataset_card).toContain('"minAgreement": 0.5');
    expect(stored.dataset_card).toMatch(/response (A|B) preferred/);
    expect(stored.dataset_card).toContain('License: Not set by the project lead');
    const audit = await db()
      .selectFrom('audit_log')
      .select('event')
      .where('target_id', '=', exportId)
      .execute();
    expect(audit.map((a) => a.event)).toContain('export.created');
  });

  it('keeps a Parquet snapshot that reads back through the library', async () => {
    const { readParquetRows } = await import('./parquet');
    const project = await makeJudgedProject(db());
    const actor = { userId: project.lead.id, email: project.lead.email };
    await updateProjectSettings(db(), project.projectId, { license: 'CC-BY-4.0' }, {});
    const { exportId, jobId } = await createExportSnapshot(db(), {
      projectId: project.projectId,
      input: { format: 'consensus', parquet: true },
      actor,
    });
    expect((await runJob(db(), jobId)).status).toBe('succeeded');
    const bytes = await download(db(), exportId);
    const [row] = await listExportSnapshots(db(), { projectId: project.projectId });
    expect(row).toMatchObject({ encoding: 'parquet', status: 'ready' });
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row!.sha256);
    const file = path.join(os.tmpdir(), `snapshot-${exportId}.parquet`);
    fs.writeFileSync(file, bytes);
    const rows = await readParquetRows(file).finally(() => fs.rmSync(file, { force: true }));
    const card = await db()
      .selectFrom('exports')
      .select('dataset_card')
      .where('id', '=', exportId)
      .executeTakeFirstOrThrow();
    expect(card.dataset_card).toContain('License: CC-BY-4.0');
    expect(rows).toHaveLength(row!.row_count!);
    expect(rows[0]).toMatchObject({ axis: 'helpfulness' });
    await expect(
      createExportSnapshot(db(), {
        projectId: project.projectId,
        input: { format: 'trl', parquet: true },
        actor,
      }),
    ).rejects.toMatchObject({ field: 'parquet' });
  });

  it('refuses a bad request by field and records nothing', async () => {
    const project = await makeJudgedProject(db());
    const actor = { userId: project.lead.id, email: project.lead.email };
    const before = await db()
      .selectFrom('exports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const [input, field, message] of [
      [{ format: 'pdf' }, 'format', /Format: one of trl/],
      [{ format: 'sentiment' }, 'format', /"sentiment" is for sentiment projects/],
      [{ format: 'trl', csv: true }, 'csv', /CSV is for judgments/],
      [{ format: 'hh-rlhf', margin: true }, 'margin', /A margin is for trl/],
      [{ format: 'trl', filters: { minJudgments: 0 } }, 'minJudgments', /Minimum judgments/],
    ] as const)
      await expect(
        createExportSnapshot(db(), { projectId: project.projectId, input, actor }),
      ).rejects.toMatchObject({
        field,
        message: expect.stringMatching(message),
      });
    const after = await db()
      .selectFrom('exports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('splits the compressed file into ordered chunks that read back whole', async () => {
    const project = await makeJudgedProject(db());
    const row = await db()
      .insertInto('exports')
      .values({ project_id: project.projectId, format: 'judgments', status: 'ready', byte_size: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const store = chunkStore(db(), row.id, 256);
    const text = Array.from({ length: 400 }, () => `${randomUUID()}\n`).join('');
    for (let i = 0; i < text.length; i += 1000) await store.write(text.slice(i, i + 1000));
    const stored = await store.finish();
    const chunks = await db()
      .selectFrom('export_chunks')
      .select(['seq', 'data'])
      .where('export_id', '=', row.id)
      .orderBy('seq')
      .execute();
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.reduce((n, c) => n + c.data.length, 0)).toBe(stored);
    expect((await download(db(), row.id)).toString('utf8')).toBe(text);
  });
});
