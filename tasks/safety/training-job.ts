/**
 * The "safety-train" job: gathers the project's safety decisions (dataset.ts), trains the harm
 * classifier in a worker thread, stores it as the next safety model version, activates it and
 * re-scores every response of the project with it, which re-orders the review queue. The
 * "safety-score" job scores responses the active model has not seen (after an import).
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema';
import {
  findModelByJob,
  insertNextModelVersion,
  setActiveModel,
  setModelFailed,
  setModelTrained,
  setModelTraining,
} from '../../db/queries/models';
import { recordActorEvent } from '../accounts';
import { PermanentJobError, type JobContext, type JobHandler } from '../jobs';
import { packArtefact } from '../model-artefacts';
import { runInTrainingWorker, TrainingError } from '../training-worker-client';
import type { TrainedSafetyArtefact } from '../training-worker';
import { loadSafetyDataset } from './dataset';
import {
  activeSafetyModel,
  openSafetyPredictor,
  SAFETY_AXIS,
  SAFETY_SCORE_JOB,
  scoreProjectResponses,
} from './scoring';
import { safetySettings } from './settings';

export const SAFETY_TRAIN_JOB = 'safety-train';
export { SAFETY_SCORE_JOB };

/** Fewer labelled responses than this, or fewer of either class, cannot train a useful model. */
export const MIN_SAFETY_EXAMPLES = 20;
export const MIN_PER_CLASS = 5;
/** below this many examples nothing is held out: the threshold then falls back to 0.5 */
const HOLDOUT_FROM = 100;

const Actor = z.object({
  userId: z.string().nullable(),
  email: z.string().nullable(),
  ip: z.string().nullable(),
});

export const SafetyTrainPayload = z.object({
  projectId: z.uuid(),
  seed: z.number().int().min(0).default(1),
  actor: Actor.default({ userId: null, email: null, ip: null }),
});
export type SafetyTrainPayload = z.input<typeof SafetyTrainPayload>;

export const SafetyScorePayload = z.object({ projectId: z.uuid() });

/** Progress at most twice a second; a failed write means another worker took the job over. */
function throttled(context: JobContext) {
  let last = 0;
  return (stage: string, fraction: number, force = false) => {
    if (!force && Date.now() - last < 500) return;
    last = Date.now();
    void context.progress({ stage, fraction }).catch(() => undefined);
  };
}

/** Why the project cannot train yet, or null when it can. */
export function notEnoughData(counts: { total: number; unsafe: number }): string | null {
  const safe = counts.total - counts.unsafe;
  if (counts.total < MIN_SAFETY_EXAMPLES || counts.unsafe < MIN_PER_CLASS || safe < MIN_PER_CLASS)
    return `The safety classifier needs at least ${MIN_SAFETY_EXAMPLES} labelled responses with ${MIN_PER_CLASS} or more of each kind; this project has ${counts.total} (${counts.unsafe} unsafe, ${safe} safe). Review flagged responses, or import labelled data with arbiter safety import.`;
  return null;
}

export async function trainProjectSafetyModel(
  db: Kysely<Database>,
  payload: z.output<typeof SafetyTrainPayload>,
  jobId: string | null,
  report: (stage: string, fraction: number, force?: boolean) => void = () => {},
) {
  const project = await db
    .selectFrom('projects')
    .select(['id', 'slug', 'settings', 'type'])
    .where('id', '=', payload.projectId)
    .executeTakeFirst();
  if (!project) throw new PermanentJobError('The project no longer exists.');
  if (project.type !== 'preference')
    throw new PermanentJobError('Safety triage works on preference projects (responses to prompts).');
  const settings = safetySettings(project.settings);
  const { slug } = project;
  report('gather decisions', 0, true);
  const dataset = await loadSafetyDataset(db, project.id, settings.categoryMap);
  const why = notEnoughData({ total: dataset.examples.length, unsafe: dataset.counts.unsafe });
  if (why) throw new PermanentJobError(why, { counts: dataset.counts });

  // a retried job (its worker died) reuses the version it started; one that got as far as storing
  // its model only has activation and scoring left to do
  let model = jobId ? await findModelByJob(db, jobId) : undefined;
  if (model && model.status !== 'ready') await setModelTraining(db, model.id);
  model ??= await db.transaction().execute((trx) =>
    insertNextModelVersion(trx, {
      projectId: project.id,
      kind: 'safety',
      axis: SAFETY_AXIS,
      formatVersion: 1,
      jobId,
      createdBy: payload.actor.userId,
      snapshot: { seed: payload.seed, counts: dataset.counts },
    }),
  );
  const version = model;
  try {
    if (version.status !== 'ready') await trainVersion();
    // activation is one transaction: the one-active index never sees two, nor none half-way
    await db.transaction().execute(async (trx) => {
      const previous = await setActiveModel(trx, { ...version, project_id: project.id });
      await recordActorEvent(
        trx,
        'model.activated',
        payload.actor,
        { type: 'model', id: version.id },
        { project_id: project.id, kind: 'safety', version: version.version, previous },
      );
    });
  } catch (error) {
    await setModelFailed(db, version.id).catch(() => undefined);
    if (error instanceof TrainingError) throw new PermanentJobError(`Training failed: ${error.message}`);
    throw error;
  }

  async function trainVersion() {
    const started = performance.now();
    const trained = await runInTrainingWorker<TrainedSafetyArtefact>(
      {
        kind: 'safety',
        examples: dataset.examples,
        categories: dataset.categories,
        options: {
          seed: payload.seed,
          testFraction: dataset.examples.length >= HOLDOUT_FROM ? 0.2 : 0,
          targetRecall: settings.targetRecall,
          sources: [
            `arbiter project ${slug}: ${dataset.counts.reviewed} reviewed, ${dataset.counts.imported} imported, ${dataset.counts.flagged} flagged, ${dataset.counts.unflagged} judged unflagged`,
          ],
        },
      },
      { onProgress: (stage, fraction) => report(`train: ${stage}`, fraction) },
    );
    report('save', 0, true);
    await setModelTrained(db, version.id, {
      artefact: await packArtefact(trained.artefact),
      formatVersion: trained.manifest.formatVersion,
      featurizer: trained.manifest.featurizer,
      metrics: {
        ...trained.metrics,
        labels: trained.manifest.labels,
        threshold: trained.manifest.threshold,
        target_recall: trained.manifest.targetRecall,
        top_features: trained.manifest.topFeatures,
        counts: dataset.counts,
        unmapped: dataset.unmapped,
        job_seconds: (performance.now() - started) / 1000,
      },
      snapshot: { ...trained.manifest.snapshot, seed: payload.seed, counts: dataset.counts },
    });
  }
  report('score responses', 0, true);
  const predictor = await openSafetyPredictor(db, version.id);
  try {
    const scored = await scoreProjectResponses(db, project.id, predictor, (done) =>
      report('score responses', done),
    );
    return {
      modelId: version.id,
      version: version.version,
      examples: dataset.examples.length,
      counts: dataset.counts,
      scored,
      threshold: predictor.manifest.threshold,
    };
  } finally {
    await predictor.dispose();
  }
}

export const runSafetyTrainingJob: JobHandler = async (job, context) => {
  const parsed = SafetyTrainPayload.safeParse(job.payload);
  if (!parsed.success)
    throw new PermanentJobError(`Invalid safety training job: ${parsed.error.issues[0]!.message}`);
  return trainProjectSafetyModel(context.db, parsed.data, job.id, throttled(context));
};

/** Scores what the active model has not scored; nothing to do without an active model. */
export async function scoreNewResponses(
  db: Kysely<Database>,
  projectId: string,
  onProgress?: (done: number) => void,
) {
  const active = await activeSafetyModel(db, projectId);
  if (!active) return { modelId: null, scored: 0 };
  const predictor = await openSafetyPredictor(db, active.id);
  try {
    return { modelId: active.id, scored: await scoreProjectResponses(db, projectId, predictor, onProgress) };
  } finally {
    await predictor.dispose();
  }
}

export const runSafetyScoreJob: JobHandler = async (job, context) => {
  const parsed = SafetyScorePayload.safeParse(job.payload);
  if (!parsed.success)
    throw new PermanentJobError(`Invalid safety scoring job: ${parsed.error.issues[0]!.message}`);
  const report = throttled(context);
  return scoreNewResponses(context.db, parsed.data.projectId, (done) => report('score responses', done));
};
