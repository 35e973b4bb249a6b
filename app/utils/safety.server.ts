/** The safety screens' door to tasks/safety: per-version measurement, retraining, suggestions. */
import { findLatestJob } from '../../db/queries/jobs';
import { enqueueJob } from '../../tasks/jobs';
import { measureSafetyModels } from '../../tasks/safety/measure';
import { SAFETY_TRAIN_JOB } from '../../tasks/safety/training-job';
import { loadSafetyDataset } from '../../tasks/safety/dataset';
import { safetySettings } from '../../tasks/safety/settings';
import { parseSafetyData } from '../../tasks/safety/files';
import { importSafetyLabels } from '../../tasks/safety/import';
import { UserInputError } from '../../tasks/errors';
import { getAppContext } from './context.server';

/** Labelled files are parsed in the request: past this size, use `arbiter safety import`. */
export const MAX_LABEL_UPLOAD_BYTES = 64 * 1024 * 1024;

/** Imports an uploaded labelled file (BeaverTails layout) into the project, all or nothing. */
export async function importUploadedLabels(
  projectId: string,
  file: File | null,
  actor: { userId: string; email: string; ip?: string | null },
) {
  if (!file || file.size === 0) throw new UserInputError('Choose a CSV or JSONL file to import.', 'labels');
  if (file.size > MAX_LABEL_UPLOAD_BYTES)
    throw new UserInputError(
      `${file.name} is ${(file.size / 1024 / 1024).toFixed(0)} MB; upload at most 64 MB here, or use arbiter safety import.`,
      'labels',
    );
  const { rows } = parseSafetyData(new Uint8Array(await file.arrayBuffer()), file.name);
  return importSafetyLabels(db(), projectId, rows, {
    source: file.name,
    actor: { ...actor, ip: actor.ip ?? null },
  });
}

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
    // a worker that dies mid-run hands the job on once; the retry reuses the version (training-job.ts)
    maxAttempts: 2,
  });
}
