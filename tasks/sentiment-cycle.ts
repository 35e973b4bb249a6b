/**
 * A retraining cycle of a sentiment project: train a classifier on the labels people gave (human
 * and audit labels, held-out items excluded), measure the model that pre-labeled before and the new
 * one on the same fixed held-out set of human labels, keep both figures, activate the new model
 * when it is at least as good (or as the lead chose), and re-route every item still waiting for
 * people with it. Runs as the "sentiment-cycle" job; training happens in a worker thread.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database, Project } from '../db/schema';
import type { JobRow } from '../db/queries/jobs';
import {
  findModelByJob,
  insertNextModelVersion,
  setActiveModel,
  setModelFailed,
  setModelTrained,
  setModelTraining,
} from '../db/queries/models';
import { findProjectById, findProjectBySlug } from '../db/queries/projects';
import {
  insertCycleForJob,
  listLabelledItems,
  setCycle,
  type CycleRow,
  type LabelledItem,
} from '../db/queries/sentiment';
import { classifierMetrics, type ClassifierMetrics } from '../reward/classifier/metrics';
import type { TextExample } from '../reward/classifier/train';
import { DEFAULT_CLASSIFIER_FEATURIZER } from '../reward/classifier/train';
import { recordActorEvent, type Actor } from './accounts';
import { UserInputError } from './errors';
import { enqueueJob, PermanentJobError, type JobContext, type JobHandler } from './jobs';
import { packArtefact } from './model-artefacts';
import { requireModelManager } from './reward-training';
import {
  openActivePredictor,
  openModelPredictor,
  prelabelItems,
  SENTIMENT_AXIS,
  type Predictor,
  type PredictorContext,
  type RoutingCounts,
} from './sentiment-prelabel';
import { reliabilityWeighting, weightingSnapshot, weightOf } from './quality/weights';
import { plurality } from './sentiment-labels';
import { runInTrainingWorker, TrainingError } from './training-worker-client';
import type { TrainedClassifierArtefact } from './training-worker';

export const SENTIMENT_CYCLE_JOB = 'sentiment-cycle';
/** Fewer labelled items than this (outside the held-out set) cannot train a model worth having. */
export const MIN_TRAINING_ITEMS = 10;
export const ACTIVATE_CHOICES = ['if-better', 'always', 'never'] as const;
export type ActivateChoice = (typeof ACTIVATE_CHOICES)[number];

export const StartCycleSchema = z.object({
  seed: z.coerce
    .number()
    .int('The seed is a whole number.')
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  activate: z.enum(ACTIVATE_CHOICES, { error: 'Activate: if-better, always or never.' }).default('if-better'),
});
export type StartCycleInput = z.input<typeof StartCycleSchema>;

const CyclePayload = z.object({
  projectId: z.uuid(),
  seed: z.number().int().min(0),
  activate: z.enum(ACTIVATE_CHOICES),
  actor: z
    .object({ userId: z.string().nullable(), email: z.string().nullable(), ip: z.string().nullable() })
    .default({ userId: null, email: null, ip: null }),
});

/**
 * Training examples from labelled items outside the held-out set: the vote shares, weighted by the
 * number of votes. With `reliability` (annotator → weight, tasks/quality/weights.ts; 1 for anyone
 * it does not list) each vote counts with its annotator's weight instead of 1: the target is the
 * weighted vote share and the example's weight the summed vote weight, so with every weight 1 the
 * examples are exactly the unweighted ones. Items whose votes weigh nothing in total are left out.
 */
export function trainingExamples(
  items: readonly LabelledItem[],
  labels: readonly string[],
  reliability: ReadonlyMap<string, number> = new Map(),
): TextExample[] {
  return items
    .filter((i) => !i.is_holdout)
    .flatMap((i) => {
      const votes = i.labels.map((_, k) => weightOf(reliability, i.annotators[k] ?? null));
      const weight = votes.reduce((a, b) => a + b, 0);
      if (!(weight > 0)) return [];
      const target = labels.map(
        (l) => i.labels.reduce((t, x, k) => t + (x === l ? votes[k]! : 0), 0) / weight,
      );
      return [{ text: i.text, target, weight }];
    })
    .filter((e) => e.target.some((t) => t > 0));
}

/** The held-out set: held-out items with a clear plurality label (ties say nothing about a model). */
export function holdoutSet(items: readonly LabelledItem[], labels: readonly string[]) {
  const out: { text: string; truth: number }[] = [];
  for (const item of items) {
    if (!item.is_holdout) continue;
    const label = plurality(item.labels);
    const truth = label === null ? -1 : labels.indexOf(label);
    if (truth >= 0) out.push({ text: item.text, truth });
  }
  return out;
}

/** A predictor's metrics on the held-out set, or null when there is nothing to measure. */
export async function measure(
  predictor: Predictor | null,
  holdout: readonly { text: string; truth: number }[],
  labels: readonly string[],
): Promise<ClassifierMetrics | null> {
  if (!predictor || holdout.length === 0) return null;
  const probabilities = await predictor.predict(holdout.map((h) => h.text));
  return classifierMetrics(
    holdout.map((h, i) => ({ probabilities: probabilities[i]!, truth: h.truth })),
    labels,
  );
}

async function sentimentProject(db: Kysely<Database>, projectId: string): Promise<Project> {
  const project = await findProjectById(db, projectId);
  if (!project) throw new PermanentJobError('The project was deleted before the cycle could run.');
  if (project.type !== 'sentiment')
    throw new PermanentJobError('Retraining cycles are for sentiment projects.');
  return project;
}

function tooFew(examples: number, classes: number): string | null {
  if (examples < MIN_TRAINING_ITEMS)
    return `Only ${examples} item(s) outside the held-out set have a label from a person; a model needs at least ${MIN_TRAINING_ITEMS}. Label more items on the labeling screen.`;
  if (classes < 2)
    return 'Every labelled item has the same label; a model needs at least two different labels to learn from.';
  return null;
}

/**
 * Queues a retraining cycle for a sentiment project and returns the job id. Checks the caller's
 * role and the input, and refuses at once when there are too few labels to train on.
 */
export async function startSentimentCycle(
  db: Kysely<Database>,
  actor: Actor,
  projectSlug: string,
  input: StartCycleInput,
): Promise<string> {
  await requireModelManager(db, actor);
  const { project, seed, activate } = await checkCycle(db, projectSlug, input);
  return enqueueJob(db, {
    kind: SENTIMENT_CYCLE_JOB,
    projectId: project.id,
    createdBy: actor.userId ?? null,
    payload: { projectId: project.id, seed, activate, actor: actorPayload(actor) },
  });
}

const actorPayload = (actor: Actor) => ({
  userId: actor.userId ?? null,
  email: actor.email ?? null,
  ip: actor.ip ?? null,
});

/**
 * Validates a cycle request: a sentiment project, a valid seed and activation choice, and enough
 * labels to train on (the cycle checks again when it runs: labels may change meanwhile).
 */
export async function checkCycle(db: Kysely<Database>, projectSlug: string, input: StartCycleInput) {
  const project = await findProjectBySlug(db, projectSlug.trim().toLowerCase());
  if (!project) throw new UserInputError(`No project "${projectSlug}".`, 'project', 'not-found');
  if (project.type !== 'sentiment')
    throw new UserInputError('Retraining cycles are for sentiment projects.', 'project');
  const parsed = StartCycleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserInputError(issue.message, String(issue.path[0] ?? ''));
  }
  const examples = trainingExamples(await listLabelledItems(db, project.id), project.label_set);
  const classes = new Set(examples.map((e) => e.target.indexOf(Math.max(...e.target)))).size;
  const problem = tooFew(examples.length, classes);
  if (problem) throw new UserInputError(problem, 'project');
  return { project, ...parsed.data };
}

/**
 * Runs a cycle right here (the CLI), not through the job queue, so no server worker can pick the
 * same work up; `runId` stands in for the job id that ties the cycle and its model together.
 */
export async function runCycleNow(
  db: Kysely<Database>,
  actor: Actor,
  projectSlug: string,
  input: StartCycleInput,
  report: (stage: string, fraction: number) => void,
  context: PredictorContext = {},
): Promise<CycleOutcome> {
  const { project, seed, activate } = await checkCycle(db, projectSlug, input);
  return runCycle(
    db,
    {
      id: randomUUID(),
      created_by: actor.userId ?? null,
      payload: { projectId: project.id, seed, activate, actor: actorPayload(actor) },
    },
    report,
    undefined,
    context,
  );
}

export interface CycleOutcome {
  cycle: CycleRow;
  modelId: string;
  version: number;
  before: ClassifierMetrics | null;
  after: ClassifierMetrics | null;
  activated: boolean;
  /** why the new model was or was not activated, in a sentence */
  decision: string;
  routing: RoutingCounts | null;
}

function decide(
  choice: ActivateChoice,
  before: ClassifierMetrics | null,
  after: ClassifierMetrics | null,
): { activate: boolean; decision: string } {
  if (choice === 'never')
    return { activate: false, decision: 'Not activated: the cycle was asked only to measure.' };
  if (choice === 'always') return { activate: true, decision: 'Activated, as asked.' };
  if (!after) return { activate: true, decision: 'Activated: there is no held-out label yet to compare on.' };
  if (!before) return { activate: true, decision: 'Activated: nothing pre-labeled before it.' };
  const pct = (m: ClassifierMetrics) => `${(m.accuracy * 100).toFixed(1)}%`;
  return after.accuracy >= before.accuracy
    ? {
        activate: true,
        decision: `Activated: ${pct(after)} on the held-out set against ${pct(before)} before.`,
      }
    : {
        activate: false,
        decision: `Kept the current model: the new one scores ${pct(after)} on the held-out set against ${pct(before)}.`,
      };
}

/**
 * Runs one cycle for the job's project (retries reuse the job's cycle and model rows). Reports
 * progress through `report(stage, fraction)`.
 */
export async function runCycle(
  db: Kysely<Database>,
  job: Pick<JobRow, 'id' | 'created_by'> & { payload: unknown },
  report: (stage: string, fraction: number, extra?: Record<string, unknown>) => void,
  signal?: AbortSignal,
  options: PredictorContext = {},
): Promise<CycleOutcome> {
  const parsed = CyclePayload.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`Invalid cycle job: ${parsed.error.issues[0]!.message}`);
  const payload = parsed.data;
  const project = await sentimentProject(db, payload.projectId);
  const labels = project.label_set;
  const cycle = await db
    .transaction()
    .execute((trx) =>
      insertCycleForJob(trx, { projectId: project.id, jobId: job.id, createdBy: job.created_by }),
    );
  let modelId: string | null = null;
  try {
    report('load', 0);
    const items = await listLabelledItems(db, project.id);
    const weighting = await reliabilityWeighting(db, project.id);
    const examples = trainingExamples(items, labels, weighting.weights);
    const holdout = holdoutSet(items, labels);
    const classes = new Set(examples.map((e) => e.target.indexOf(Math.max(...e.target)))).size;
    const problem = tooFew(examples.length, classes);
    if (problem) throw new PermanentJobError(problem);
    const humanLabels = items.filter((i) => !i.is_holdout).reduce((n, i) => n + i.labels.length, 0);
    report('load', 1, { examples: examples.length, holdout: holdout.length });

    const { predictor: beforePredictor } = await openActivePredictor(db, project, {
      modelsDir: options.modelsDir,
    });
    report('measure the current model', 0);
    const before = await measure(beforePredictor, holdout, labels).finally(() => beforePredictor?.dispose());
    const audits = await db
      .selectFrom('sentiment_labels')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', project.id)
      .where('source', '=', 'audit')
      .executeTakeFirst();
    await setCycle(db, cycle.id, {
      before_model_id: beforePredictor?.modelId ?? null,
      before_source: beforePredictor?.source ?? null,
      before_metrics: before as unknown as Record<string, unknown> | null,
      holdout: holdout.length,
      human_labels: humanLabels,
      audit_labels: Number(audits?.n ?? 0),
    });

    let model = await findModelByJob(db, job.id);
    if (model) await setModelTraining(db, model.id);
    else
      model = await db.transaction().execute((trx) =>
        insertNextModelVersion(trx, {
          projectId: project.id,
          kind: 'sentiment',
          axis: SENTIMENT_AXIS,
          formatVersion: 1,
          jobId: job.id,
          createdBy: job.created_by,
          snapshot: { seed: payload.seed, cycle: cycle.number, ...weightingSnapshot(weighting) },
        }),
      );
    modelId = model.id;
    const started = performance.now();
    const trained = await runInTrainingWorker<TrainedClassifierArtefact>(
      {
        kind: 'classifier',
        examples,
        labels,
        options: {
          task: 'sentiment',
          seed: payload.seed,
          testFraction: 0,
          featurizer: DEFAULT_CLASSIFIER_FEATURIZER,
          sources: [
            `arbiter project ${project.slug}: ${examples.length} labelled items, cycle ${cycle.number}${
              weighting.report
                ? `, weighted by annotator reliability (quality report ${weighting.report.id})`
                : ''
            }`,
          ],
        },
      },
      { onProgress: (stage, fraction) => report(stage, fraction), signal },
    );
    report('save', 0.5);
    await setModelTrained(db, model.id, {
      artefact: await packArtefact(trained.artefact),
      formatVersion: trained.manifest.formatVersion,
      featurizer: trained.manifest.featurizer,
      metrics: {
        ...trained.metrics,
        labels,
        top_features: trained.manifest.topFeatures,
        job_seconds: (performance.now() - started) / 1000,
      },
      snapshot: {
        ...trained.manifest.snapshot,
        seed: payload.seed,
        cycle: cycle.number,
        ...weightingSnapshot(weighting),
      },
    });

    report('measure the new model', 0);
    // measured through ONNX from the stored artefact: exactly what pre-labeling will use
    const afterPredictor = await openModelPredictor(db, model.id, labels);
    try {
      const after = await measure(afterPredictor, holdout, labels);
      await db
        .updateTable('models')
        .set({
          metrics: JSON.stringify({
            ...trained.metrics,
            labels,
            top_features: trained.manifest.topFeatures,
            holdout: after,
          }),
        })
        .where('id', '=', model.id)
        .execute();
      const { activate, decision } = decide(payload.activate, before, after);
      let routing: RoutingCounts | null = null;
      if (activate) {
        report('re-route items', 0);
        routing = await db.transaction().execute(async (trx) => {
          const previous = await setActiveModel(trx, {
            id: model.id,
            project_id: project.id,
            kind: 'sentiment',
            axis: SENTIMENT_AXIS,
          });
          await recordActorEvent(
            trx,
            'model.activated',
            payload.actor,
            { type: 'model', id: model.id },
            {
              project_id: project.id,
              kind: 'sentiment',
              version: model.version,
              previous,
              cycle: cycle.number,
            },
          );
          return prelabelItems(trx, project, afterPredictor, {
            onProgress: (done) => report('re-route items', Math.min(1, done / Math.max(1, items.length))),
          });
        });
      }
      await setCycle(db, cycle.id, {
        status: 'done',
        after_model_id: model.id,
        after_metrics: after as unknown as Record<string, unknown> | null,
        activated: activate,
        routing: { ...(routing ?? {}), decision },
        finished_at: new Date(),
      });
      const finished = (await db
        .selectFrom('sentiment_cycles')
        .selectAll()
        .where('id', '=', cycle.id)
        .executeTakeFirstOrThrow()) as CycleRow;
      return {
        cycle: finished,
        modelId: model.id,
        version: model.version,
        before,
        after,
        activated: activate,
        decision,
        routing,
      };
    } finally {
      await afterPredictor.dispose();
    }
  } catch (error) {
    const message =
      error instanceof TrainingError ? `Training failed: ${error.message}` : (error as Error).message;
    if (modelId) await setModelFailed(db, modelId).catch(() => undefined);
    await setCycle(db, cycle.id, { status: 'failed', error: message, finished_at: new Date() }).catch(
      () => undefined,
    );
    if (error instanceof TrainingError) throw new PermanentJobError(message);
    throw error;
  }
}

/** The job handler: runs the cycle, writing progress (throttled) so the page can follow it. */
export const runSentimentCycleJob: JobHandler = async (job, context: JobContext) => {
  const controller = new AbortController();
  let latest: Record<string, unknown> = {};
  let lastWrite = 0;
  const write = () => {
    lastWrite = Date.now();
    context.progress(latest).catch((error: Error) => controller.abort(error));
  };
  const heartbeat = setInterval(write, 10_000);
  heartbeat.unref?.();
  try {
    const outcome = await runCycle(
      context.db,
      job,
      (stage, fraction, extra = {}) => {
        latest = { ...latest, stage, fraction, ...extra };
        if (Date.now() - lastWrite >= 500) write();
      },
      controller.signal,
      { modelsDir: context.modelsDir },
    );
    return {
      cycle: outcome.cycle.number,
      modelId: outcome.modelId,
      version: outcome.version,
      before: outcome.before?.accuracy ?? null,
      after: outcome.after?.accuracy ?? null,
      activated: outcome.activated,
      decision: outcome.decision,
      routing: outcome.routing,
    };
  } catch (error) {
    if (controller.signal.aborted) throw new PermanentJobError('This job was taken over by another worker.');
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
};
