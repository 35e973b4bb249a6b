/**
 * The "reward-train" job: trains a reward model version from a project's judgments in a worker
 * thread (so the process that runs it keeps serving requests), stores the artefact and metrics on
 * the version's `models` row, and activates it when asked. Only the server's job worker and tests
 * import this module; the web bundle never does.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database, RewardAxis } from '../db/schema';
import {
  findModelByJob,
  insertNextModelVersion,
  setModelFailed,
  setModelTrained,
  setModelTraining,
  type ModelRow,
} from '../db/queries/models';
import type { ModelManifest } from '../reward/artefact';
import type { TrainingPair } from '../reward/dataset';
import { DEFAULT_FEATURIZER } from '../reward/featurizer-config';
import type { RunMetrics } from '../reward/run';
import type { JobRow } from '../db/queries/jobs';
import { findProjectById } from '../db/queries/projects';
import { countProjectPairs } from '../db/queries/pair-scores';
import { PermanentJobError, type JobContext, type JobHandler } from './jobs';
import {
  activateModel,
  loadJudgedPairs,
  mergeJudgmentsByPair,
  tooFewJudgmentsMessage,
} from './reward-training';
import {
  MIN_DECIDED_JUDGMENTS,
  overallProgress,
  SEED_MAX,
  TrainingFilterSchema,
} from './reward-training.schema';
import { runInTrainingWorker, TrainingError, type TrainRequest } from './training-worker-client';
import type { TrainedReward } from './training-worker';
import { packArtefact } from './model-artefacts';
import { reliabilityWeighting, weightingSnapshot } from './quality/weights';

export { REWARD_TRAIN_JOB } from './reward-training';

export const RewardTrainJobPayload = z.object({
  projectId: z.uuid(),
  axis: z.enum(['helpfulness', 'safety'] satisfies RewardAxis[]),
  filter: TrainingFilterSchema,
  seed: z.number().int().min(0).max(SEED_MAX),
  activate: z.boolean(),
  actor: z
    .object({ userId: z.string().nullable(), email: z.string().nullable(), ip: z.string().nullable() })
    .default({ userId: null, email: null, ip: null }),
});
export type RewardTrainJobPayload = z.output<typeof RewardTrainJobPayload>;

/** The held-out share of every training run started from the app. */
const TEST_FRACTION = 0.2;
/** Fewer distinct pairs than this cannot be split into a training and a held-out part worth reporting. */
const MIN_PAIRS = 10;

export interface TrainedArtefact {
  artefact: Uint8Array;
  manifest: ModelManifest;
  metrics: RunMetrics;
}

export { TrainingError };

/**
 * Trains and evaluates a reward model in a worker thread and resolves with the artefact bytes.
 * `onProgress` receives the worker's stage reports. Aborting `signal` terminates the worker.
 */
export async function trainInWorker(
  pairs: TrainingPair[],
  options: Extract<TrainRequest, { kind: 'reward' }>['options'],
  progress: { onProgress?: (stage: string, fraction: number) => void; signal?: AbortSignal } = {},
): Promise<TrainedArtefact> {
  const done = await runInTrainingWorker<TrainedReward>({ kind: 'reward', pairs, options }, progress);
  return { artefact: done.artefact, manifest: done.manifest, metrics: done.metrics };
}

/**
 * Writes progress as {stage, fraction, overall} at most every `minMs`, and again every `heartbeatMs`
 * while nothing new arrives, so the job's lease is renewed during a long, silent step. A failed write
 * (the job was taken over by another worker) aborts `signal`.
 */
function progressWriter(context: JobContext, activate: boolean, minMs = 500, heartbeatMs = 10_000) {
  const controller = new AbortController();
  let latest: Record<string, unknown> | null = null;
  let lastWrite = 0;
  const write = () => {
    if (!latest || controller.signal.aborted) return;
    lastWrite = Date.now();
    context.progress(latest).catch((error: Error) => controller.abort(error));
  };
  const heartbeat = setInterval(write, heartbeatMs);
  heartbeat.unref?.();
  return {
    signal: controller.signal,
    report(stage: string, fraction: number, extra: Record<string, unknown> = {}) {
      const overall = overallProgress(stage, fraction, activate);
      latest = { ...latest, stage, fraction, ...(overall === null ? {} : { overall }), ...extra };
      if (Date.now() - lastWrite >= minMs) write();
    },
    stop() {
      clearInterval(heartbeat);
    },
  };
}

function summary(model: ModelRow, activated: { scored: number } | null) {
  const metrics = model.metrics as Partial<RunMetrics>;
  return {
    modelId: model.id,
    version: model.version,
    axis: model.axis,
    trainPairs: metrics.train_pairs ?? null,
    testPairs: metrics.test_pairs ?? null,
    accuracy: metrics.test?.accuracy ?? null,
    activated: !!activated,
    scoredPairs: activated?.scored ?? null,
  };
}

/** The project's slug, or a permanent failure when the job can no longer train for it. */
async function trainableProject(db: Kysely<Database>, projectId: string): Promise<string> {
  const project = await findProjectById(db, projectId);
  if (!project) throw new PermanentJobError('The project was deleted before its model could be trained.');
  if (project.type !== 'preference')
    throw new PermanentJobError('Reward models are trained on preference projects only.');
  return project.slug;
}

type ProgressWriter = ReturnType<typeof progressWriter>;

/**
 * Reads the judgments, creates (or, for a retried job, reuses) the version's row, trains in the
 * worker and stores the result. Returns the ready row.
 */
async function trainVersion(
  db: Kysely<Database>,
  job: JobRow,
  payload: RewardTrainJobPayload,
  writer: ProgressWriter,
  onRow: (model: ModelRow) => void,
): Promise<ModelRow> {
  const axis = payload.axis;
  const slug = await trainableProject(db, payload.projectId);
  // the project's reliability setting as it is now: a retried job weighs with the latest report
  const weighting = await reliabilityWeighting(db, payload.projectId);
  const judged = await loadJudgedPairs(db, payload.projectId, axis, payload.filter, weighting.weights);
  const decided = judged.filter((j) => j.pair.target !== 0.5).length;
  if (decided < MIN_DECIDED_JUDGMENTS) throw new PermanentJobError(tooFewJudgmentsMessage(decided, axis));
  const pairs = mergeJudgmentsByPair(judged);
  if (pairs.length < MIN_PAIRS)
    throw new PermanentJobError(
      `The ${judged.length} judgments cover only ${pairs.length} different pairs; a model needs at least ${MIN_PAIRS}.`,
    );
  writer.report('load', 1, { judgments: judged.length, pairs: pairs.length });

  let model = await findModelByJob(db, job.id);
  if (model) await setModelTraining(db, model.id);
  else
    model = await db.transaction().execute((trx) =>
      insertNextModelVersion(trx, {
        projectId: payload.projectId,
        kind: 'reward',
        axis,
        formatVersion: 1,
        jobId: job.id,
        createdBy: job.created_by,
        snapshot: { filter: payload.filter, seed: payload.seed, ...weightingSnapshot(weighting) },
      }),
    );
  onRow(model);

  const weightedBy = weighting.report
    ? `, weighted by annotator reliability (quality report ${weighting.report.id})`
    : '';
  const started = performance.now();
  const trained = await trainInWorker(
    pairs,
    {
      axis,
      seed: payload.seed,
      testFraction: TEST_FRACTION,
      featurizer: DEFAULT_FEATURIZER,
      sources: [
        `arbiter project ${slug}: ${judged.length} judgments on ${pairs.length} pairs, filter ${JSON.stringify(payload.filter)}${weightedBy}`,
      ],
      learningCurve: true,
    },
    { onProgress: (stage, fraction) => writer.report(stage, fraction), signal: writer.signal },
  );
  writer.report('save', 0.5);
  await setModelTrained(db, model.id, {
    artefact: await packArtefact(trained.artefact),
    formatVersion: trained.manifest.formatVersion,
    featurizer: trained.manifest.featurizer,
    metrics: {
      ...trained.metrics,
      top_features: trained.manifest.topFeatures,
      judgments: judged.length,
      decided_judgments: decided,
      job_seconds: (performance.now() - started) / 1000,
    },
    snapshot: {
      ...trained.manifest.snapshot,
      filter: payload.filter,
      seed: payload.seed,
      axis,
      ...weightingSnapshot(weighting),
    },
  });
  writer.report('save', 1);
  return (await findModelByJob(db, job.id))!;
}

export const runRewardTrainingJob: JobHandler = async (job, context) => {
  const parsed = RewardTrainJobPayload.safeParse(job.payload);
  if (!parsed.success)
    throw new PermanentJobError(`Invalid training job: ${parsed.error.issues[0]!.message}`);
  const payload = parsed.data;
  const { db } = context;
  const writer = progressWriter(context, payload.activate);
  let model: ModelRow | undefined;
  try {
    writer.report('load', 0);
    // a retried job that got as far as storing its model only has activation left to do
    model = await findModelByJob(db, job.id);
    if (model?.status !== 'ready')
      model = await trainVersion(db, job, payload, writer, (row) => (model = row));
    let activated: { scored: number } | null = null;
    if (payload.activate) {
      writer.report('score pairs', 0);
      const total = await countProjectPairs(db, payload.projectId);
      activated = await activateModel(db, model.id, payload.actor, {
        onProgress: (scored) => writer.report('score pairs', total ? scored / total : 1),
      });
      model = (await findModelByJob(db, job.id))!;
    }
    return summary(model, activated);
  } catch (error) {
    // taken over by another worker: that worker owns the model row now
    if (writer.signal.aborted) throw new PermanentJobError('This job was taken over by another worker.');
    if (model) await setModelFailed(db, model.id).catch(() => undefined);
    if (error instanceof TrainingError) throw new PermanentJobError(`Training failed: ${error.message}`);
    throw error;
  } finally {
    writer.stop();
  }
};
