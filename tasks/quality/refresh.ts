/**
 * Keeping the quality report fresh: after every `refreshEvery` new judgments or labels (project
 * setting) one job recomputes it; a lead can ask for one at any time. At most one such job per
 * project waits or runs (a partial unique index on jobs), so a burst of submissions queues one.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import {
  countAnswersSince,
  findLatestQualityReport,
  insertQualityRefreshJob,
} from '../../db/queries/quality';
import { PermanentJobError, type JobHandler } from '../jobs';
import { buildQualityReport } from './report';
import { qualitySettings } from './settings';

export const QUALITY_REFRESH_JOB = 'quality-refresh';

const Payload = z.object({ projectId: z.uuid() });

/** Queues a refresh now; null when one is already waiting or running. */
export function enqueueQualityRefresh(
  db: Kysely<Database>,
  projectId: string,
  createdBy: string | null,
): Promise<string | null> {
  return insertQualityRefreshJob(db, { kind: QUALITY_REFRESH_JOB, projectId, createdBy });
}

/**
 * Called after each judgment or label: queues a refresh once `refreshEvery` answers arrived since
 * the last report (or the first answers, when there is none). Two indexed reads; never throws,
 * because the answer is already stored and the next one tries again.
 */
export async function scheduleQualityRefresh(
  db: Kysely<Database>,
  projectId: string,
): Promise<string | null> {
  try {
    const project = await db
      .selectFrom('projects')
      .select(['id', 'type', 'settings'])
      .where('id', '=', projectId)
      .executeTakeFirst();
    if (!project) return null;
    const every = qualitySettings(project.settings).refreshEvery;
    const last = await findLatestQualityReport(db, projectId);
    const fresh = await countAnswersSince(db, project, last?.created_at ?? null, every);
    if (fresh < every) return null;
    return await enqueueQualityRefresh(db, projectId, null);
  } catch {
    return null;
  }
}

/** Computes and stores the report; returns its headline numbers as the job's result. */
export async function refreshQualityReport(
  db: Kysely<Database>,
  projectId: string,
  jobId: string | null = null,
): Promise<{ reportId: string; answers: number; annotators: number; seconds: number }> {
  const started = performance.now();
  const report = await buildQualityReport(db, projectId);
  const seconds = (performance.now() - started) / 1000;
  const row = await db
    .insertInto('quality_reports')
    .values({
      project_id: projectId,
      job_id: jobId,
      judgments: report.answers,
      annotators: report.annotators.length,
      seconds,
      report: JSON.stringify(report),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { reportId: row.id, answers: report.answers, annotators: report.annotators.length, seconds };
}

export const runQualityRefreshJob: JobHandler = async (job, context) => {
  const parsed = Payload.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`Invalid quality job: ${parsed.error.issues[0]!.message}`);
  const exists = await context.db
    .selectFrom('projects')
    .select('id')
    .where('id', '=', parsed.data.projectId)
    .executeTakeFirst();
  if (!exists) throw new PermanentJobError('The project no longer exists.');
  await context.progress({ stage: 'compute the quality report', fraction: 0 });
  return refreshQualityReport(context.db, parsed.data.projectId, job.id);
};
