/**
 * A reward-model training job whose server is killed (kill -9) while it trains: the job is claimed
 * again once its lease runs out, reuses the model version its first attempt created, and ends with
 * exactly one active, complete model and every pair scored; between the kill and the retry no
 * half-trained version is active.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { findJob, insertJob } from '../../db/queries/jobs';
import { spawnServer } from '../../scripts/bench/load/server-process';
import { planPreferenceSeed, seedPreferences } from '../../scripts/bench/seed-preferences';
import { createProject } from '../../tasks/projects';
import { REWARD_TRAIN_JOB } from '../../tasks/reward-training';
import { createPostgresCopy, hasPostgres } from './postgres-db';
import { SERVER_ENV, waitFor } from './load-fixture';

describe.skipIf(!hasPostgres())('a training job killed mid-run [postgres]', () => {
  it('is retried and never leaves a half-activated model', async () => {
    const database = await createPostgresCopy();
    const db = database.handle.db;
    try {
      const project = await createProject(
        db,
        { slug: 'fault-train', name: 'Fault training', type: 'preference', redundancy: 3 },
        {},
      );
      // enough judgments that training takes a few seconds on two cores
      await seedPreferences(db, project.id, planPreferenceSeed({ annotators: 20, judgments: 12_000 }), {
        vacuum: false,
      });
      const jobId = await insertJob(db, {
        kind: REWARD_TRAIN_JOB,
        projectId: project.id,
        createdBy: null,
        payload: {
          projectId: project.id,
          axis: 'helpfulness',
          filter: { languages: [], domains: [], since: null },
          seed: 3,
          activate: true,
        },
      });
      const env = {
        ...SERVER_ENV,
        DATABASE_URL: database.url,
        ARBITER_WORKER: 'on',
        ARBITER_JOB_LEASE_SECONDS: '2',
      };
      const server = await spawnServer({ env });
      try {
        // kill it as soon as the model is training
        await waitFor(
          async () =>
            !!(await db
              .selectFrom('models')
              .select('id')
              .where('project_id', '=', project.id)
              .where('status', '=', 'training')
              .executeTakeFirst()),
          60_000,
          'training started',
        );
        await server.kill('SIGKILL');
        const orphan = await findJob(db, jobId);
        expect(orphan).toMatchObject({ status: 'running', attempts: 1 });
        const during = await db
          .selectFrom('models')
          .select(['id', 'status', 'is_active', 'version'])
          .where('project_id', '=', project.id)
          .execute();
        expect(during).toHaveLength(1);
        expect(during[0]).toMatchObject({ status: 'training', is_active: false });

        await server.restart();
        await waitFor(
          async () => (await findJob(db, jobId))?.status === 'succeeded',
          120_000,
          'the retried job finished',
        );
        const job = (await findJob(db, jobId))!;
        expect(job.attempts).toBe(2);
        const models = await db
          .selectFrom('models')
          .select(['id', 'status', 'is_active', 'version', sql<number>`octet_length(artefact)`.as('bytes')])
          .where('project_id', '=', project.id)
          .execute();
        // the retry reused the version its first attempt created
        expect(models).toHaveLength(1);
        expect(models[0]).toMatchObject({ id: during[0]!.id, status: 'ready', is_active: true });
        expect(models[0]!.bytes).toBeGreaterThan(1000);
        const scores = await sql<{ scored: number; pairs: number }>`select
            (select count(*)::int from pair_scores where model_id = ${models[0]!.id}) as scored,
            (select count(*)::int from pairs where project_id = ${project.id}) as pairs`.execute(db);
        expect(scores.rows[0]!.scored).toBe(scores.rows[0]!.pairs);
      } finally {
        await server.kill('SIGKILL');
      }
    } finally {
      await database.drop();
    }
  });
});
