/** A sentiment project page's door to the loop's figures and to retraining, bound to this process's database. */
import type { Project } from '../../db/schema';
import { findJob, findLatestJob } from '../../db/queries/jobs';
import { findActiveModel } from '../../db/queries/models';
import {
  listAcceptedConfidences,
  listAuditOutcomes,
  listCycles,
  routingSummary,
} from '../../db/queries/sentiment';
import type { Actor } from '../../tasks/accounts';
import { estimateAuditErrors } from '../../tasks/sentiment-audits';
import { SENTIMENT_CYCLE_JOB, startSentimentCycle, type StartCycleInput } from '../../tasks/sentiment-cycle';
import { coldStartProblem, SENTIMENT_AXIS } from '../../tasks/sentiment-prelabel';
import { SENTIMENT_PRELABEL_JOB } from '../../tasks/sentiment-reprelabel';
import { sentimentSettings } from '../../tasks/sentiment-settings';
import { getAppContext } from './context.server';

const accuracyOf = (metrics: Record<string, unknown> | null) =>
  metrics && typeof metrics.accuracy === 'number' ? metrics.accuracy : null;
const numberOf = (metrics: Record<string, unknown> | null, key: string) =>
  metrics && typeof metrics[key] === 'number' ? (metrics[key] as number) : null;

/** Everything the sentiment sections of a project page show, as plain JSON. */
export async function sentimentOverview(project: Project, jobId: string | null) {
  const db = getAppContext().db;
  const settings = sentimentSettings(project.settings);
  const [routing, outcomes, accepted, cycles, active, job, prelabelJob] = await Promise.all([
    routingSummary(db, project.id),
    listAuditOutcomes(db, project.id),
    listAcceptedConfidences(db, project.id),
    listCycles(db, project.id),
    findActiveModel(db, { projectId: project.id, kind: 'sentiment', axis: SENTIMENT_AXIS }),
    // without a job in the address, the newest unfinished cycle, so its progress survives a reload
    jobId
      ? findJob(db, jobId)
      : findLatestJob(db, {
          kind: SENTIMENT_CYCLE_JOB,
          projectId: project.id,
          statuses: ['queued', 'running'],
        }),
    findLatestJob(db, { kind: SENTIMENT_PRELABEL_JOB, projectId: project.id }),
  ]);
  const ownJob = job && job.kind === SENTIMENT_CYCLE_JOB && job.project_id === project.id ? job : null;
  return {
    settings,
    // mirrors the rule in tasks/projects.ts: labels from people or a model fix the label set
    labelsLocked: routing.human_labels > 0 || cycles.length > 0 || !!active,
    routing,
    audits: estimateAuditErrors(outcomes, accepted, {
      threshold: settings.autoAcceptThreshold,
      tolerance: settings.auditTolerance,
    }),
    cycles: cycles.map((c) => ({
      number: c.number,
      status: c.status,
      createdAt: c.created_at.toISOString(),
      beforeSource: c.before_source,
      before: accuracyOf(c.before_metrics),
      after: accuracyOf(c.after_metrics),
      beforeF1: numberOf(c.before_metrics, 'macro_f1'),
      afterF1: numberOf(c.after_metrics, 'macro_f1'),
      afterEce: numberOf(c.after_metrics, 'ece'),
      holdout: c.holdout,
      humanLabels: c.human_labels,
      auditLabels: c.audit_labels,
      activated: c.activated,
      decision: typeof c.routing.decision === 'string' ? c.routing.decision : null,
      routed:
        typeof c.routing.auto === 'number'
          ? {
              auto: c.routing.auto as number,
              audit: c.routing.audit as number,
              human: c.routing.human as number,
            }
          : null,
      error: c.error,
    })),
    coldStart: {
      model: settings.coldStartModel,
      problem: coldStartProblem(settings, { modelsDir: getAppContext().config.modelsDir }),
    },
    // the newest re-pre-labeling pass (a new cold start), running or finished
    prelabelJob: prelabelJob
      ? {
          id: prelabelJob.id,
          status: prelabelJob.status,
          progress: (prelabelJob.progress ?? null) as { done?: number; total?: number } | null,
          error: prelabelJob.error,
          result: (prelabelJob.result ?? null) as {
            by?: string | null;
            note?: string | null;
            routing?: { human: number; auto: number; audit: number };
          } | null,
          finishedAt: prelabelJob.finished_at?.toISOString() ?? null,
        }
      : null,
    activeModel: active
      ? {
          version: active.version,
          createdAt: active.created_at.toISOString(),
          holdoutAccuracy: accuracyOf((active.metrics.holdout ?? null) as Record<string, unknown> | null),
        }
      : null,
    job: ownJob
      ? {
          id: ownJob.id,
          status: ownJob.status,
          progress: (ownJob.progress ?? null) as { stage?: string; fraction?: number } | null,
          error: ownJob.error,
          result: (ownJob.result ?? null) as { cycle?: number; decision?: string } | null,
        }
      : null,
  };
}

export type SentimentOverview = Awaited<ReturnType<typeof sentimentOverview>>;

export const startCycle = (actor: Actor, projectSlug: string, input: StartCycleInput) =>
  startSentimentCycle(getAppContext().db, actor, projectSlug, input);
