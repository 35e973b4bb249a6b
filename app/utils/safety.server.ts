/** The safety screens' door to tasks/safety: per-version measurement, retraining, suggestions. */
import { findLatestJob } from '../../db/queries/jobs';
import { enqueueJob } from '../../tasks/jobs';
import { measureSafetyModels } from '../../tasks/safety/measure';
import { SAFETY_TRAIN_JOB } from '../../tasks/safety/training-job';
import { loadSafetyDataset } from '../../tasks/safety/dataset';
import { safetySettings } from '../../tasks/safety/settings';
import { getAppContext } from './context.server';

const db = () => getAppContext().db;

/** Preference projects (safety triage works on responses to prompts), for the picker. */
export const safetyProjects = () =>
  db()
    .selectFrom('projects')
    .select(['id', 'slug', 'name', 'type'])
    .where('archived_at', 'is', null)
    .where('type', '=', 'preference')
    .orderBy('name')
    .execute();

export async function safetyModelPanel(project: { id: string; settings?: Record<string, unknown> }) {
  const [versions, job] = await Promise.all([
    measureSafetyModels(db(), project.id),
    findLatestJob(db(), { kind: SAFETY_TRAIN_JOB, projectId: project.id }),
  ]);
  return {
    versions,
    job: job
      ? {
          id: job.id,
          status: job.status,
          progress: job.progress as { stage?: string; fraction?: number } | null,
          error: job.error,
          createdAt: job.created_at.toISOString(),
        }
      : null,
  };
}

/** What the next retraining would learn from. */
export async function trainingCounts(projectId: string) {
  const row = await db()
    .selectFrom('projects')
    .select('settings')
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  return (await loadSafetyDataset(db(), projectId, safetySettings(row.settings).categoryMap)).counts;
}

export async function enqueueSafetyTraining(
  projectId: string,
  actor: { userId: string; email: string; ip?: string | null },
): Promise<string> {
  const running = await findLatestJob(db(), {
    kind: SAFETY_TRAIN_JOB,
    projectId,
    statuses: ['queued', 'running'],
  });
  if (running) return running.id;
  return enqueueJob(db(), {
    kind: SAFETY_TRAIN_JOB,
    payload: { projectId, actor: { ...actor, ip: actor.ip ?? null } },
    projectId,
    createdBy: actor.userId,
    maxAttempts: 1,
  });
}
