/**
 * What the models screen says about a project's active learning: the policy, the latest refresh
 * of the queue, whether one is waiting or running, and the judgments since.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { findLatestJob } from '../../db/queries/jobs';
import { countJudgmentsSince, latestQueueRefresh } from '../../db/queries/active-learning';
import { POLICY_DESCRIPTIONS } from './policies';
import { QUEUE_REFRESH_JOB } from './refresh';
import { activeLearningSettings, loopEnabled } from './settings';

export interface ActiveLearningStatus {
  policy: string;
  description: string;
  enabled: boolean;
  retrainEvery: number;
  axis: string;
  /** judgments since the latest refresh (counted up to retrainEvery) */
  judgmentsSince: number;
  pending: { status: string; stage: string | null } | null;
  last: {
    at: string;
    modelVersion: number | null;
    judgments: number;
    candidates: number;
    ranked: number;
    reasked: number;
    stopped: number;
    skippedLeased: number;
    seconds: number;
  } | null;
}

export async function activeLearningStatus(
  db: Kysely<Database>,
  project: { id: string; settings: Record<string, unknown> },
): Promise<ActiveLearningStatus> {
  const al = activeLearningSettings(project.settings);
  const [last, job] = await Promise.all([
    latestQueueRefresh(db, project.id),
    findLatestJob(db, { kind: QUEUE_REFRESH_JOB, projectId: project.id, statuses: ['queued', 'running'] }),
  ]);
  const [since, model] = await Promise.all([
    countJudgmentsSince(db, project.id, last?.created_at ?? null, al.retrainEvery),
    last?.model_id
      ? db.selectFrom('models').select('version').where('id', '=', last.model_id).executeTakeFirst()
      : Promise.resolve(undefined),
  ]);
  const progress = (job?.progress ?? null) as { stage?: string } | null;
  return {
    policy: al.policy,
    description: POLICY_DESCRIPTIONS[al.policy],
    enabled: loopEnabled(al),
    retrainEvery: al.retrainEvery,
    axis: al.axis,
    judgmentsSince: since,
    pending: job ? { status: job.status, stage: progress?.stage ?? null } : null,
    last: last
      ? {
          at: last.created_at.toISOString(),
          modelVersion: model?.version ?? null,
          judgments: last.judgments,
          candidates: last.candidates,
          ranked: last.ranked,
          reasked: last.reasked,
          stopped: last.stopped,
          skippedLeased: last.skipped_leased,
          seconds: last.seconds,
        }
      : null,
  };
}
