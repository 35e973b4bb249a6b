/**
 * Training reward models from a project's judgments, from the app: which judgments become which
 * training pairs, who may start a training run (a background job, see reward-training-job.ts), and
 * activating a version, which scores every pair of the project with it.
 */
import type { Kysely } from 'kysely';
import type { Database, RewardAxis } from '../db/schema';
import { findProjectBySlug } from '../db/queries/projects';
import { findUserById } from '../db/queries/users';
import { listJudgmentScores } from '../db/queries/judgments';
import { findPairTexts } from '../db/queries/pair-scores';
import { lockModel, setActiveModel } from '../db/queries/models';
import type { TrainingPair } from '../reward/dataset';
import { recordActorEvent, type Actor } from './accounts';
import { describeZodIssue, requireId, UserInputError } from './errors';
import { enqueueJob } from './jobs';
import { promptText } from './reward-files';
import { hasRole } from './roles';
import { scoreProjectPairs } from './reward-scoring';
import {
  MIN_DECIDED_JUDGMENTS,
  REWARD_AXIS_LABELS,
  TrainingFilterSchema,
  TrainModelSchema,
  type TrainingFilter,
  type TrainModelInput,
} from './reward-training.schema';

export const REWARD_TRAIN_JOB = 'reward-train';

/** |score| → training weight: a "much better" counts three times a "slightly better"; ties count 1. */
const STRENGTH_WEIGHT: Record<number, number> = { 0: 1, 1: 0.5, 2: 1, 3: 1.5 };

/** One judgment as a training pair, with where it came from. */
export interface JudgedPair {
  judgmentId: string;
  pairId: string;
  annotatorId: string;
  pair: TrainingPair;
}

/**
 * The project's judgments on `axis` that pass `filter` (validated here), as training pairs in a
 * stable order (oldest judgment first, then id). A is the pair's response A and B its response B
 * (the canonical order the scores are stored in, whatever side the annotator saw them on); the
 * target is P(A ≻ B): 1 when the score favours A, 0 when it favours B, 0.5 for a tie; the weight is
 * the graded strength (|score| 1, 2, 3 → 0.5, 1, 1.5; a tie 1) times the annotator's reliability
 * from `reliability` (1 for annotators it does not list). Repeat judgments are left out.
 */
export async function loadJudgedPairs(
  db: Kysely<Database>,
  projectId: string,
  axis: RewardAxis,
  filter: Partial<TrainingFilter> = {},
  reliability: ReadonlyMap<string, number> = new Map(),
): Promise<JudgedPair[]> {
  const parsed = TrainingFilterSchema.safeParse(filter);
  if (!parsed.success) {
    const { field, message } = describeZodIssue(parsed.error.issues[0]!);
    throw new UserInputError(message, field);
  }
  const { languages, domains, since } = parsed.data;
  const judgments = await listJudgmentScores(db, {
    projectId,
    axis,
    languages,
    domains,
    since: since ? new Date(`${since}T00:00:00Z`) : undefined,
  });
  const texts = new Map<string, { prompt: string; a: string; b: string }>();
  const pairIds = [...new Set(judgments.map((j) => j.pair_id))];
  for (let i = 0; i < pairIds.length; i += 1000) {
    for (const p of await findPairTexts(db, pairIds.slice(i, i + 1000))) {
      texts.set(p.id, { prompt: promptText(p.messages), a: p.a, b: p.b });
    }
  }
  return judgments.map((j) => {
    const text = texts.get(j.pair_id)!;
    const target = j.score < 0 ? 1 : j.score > 0 ? 0 : 0.5;
    const weight = STRENGTH_WEIGHT[Math.abs(j.score)]! * (reliability.get(j.annotator_id) ?? 1);
    return {
      judgmentId: j.id,
      pairId: j.pair_id,
      annotatorId: j.annotator_id,
      // the texts are shared between judgments of one pair, not copied
      pair: { prompt: text.prompt, a: text.a, b: text.b, target, weight },
    };
  });
}

/** loadJudgedPairs without the provenance: one TrainingPair per judgment, same order. */
export async function trainingPairsFromJudgments(
  db: Kysely<Database>,
  projectId: string,
  axis: RewardAxis,
  filter: Partial<TrainingFilter> = {},
  reliability: ReadonlyMap<string, number> = new Map(),
): Promise<TrainingPair[]> {
  return (await loadJudgedPairs(db, projectId, axis, filter, reliability)).map((j) => j.pair);
}

/**
 * One training example per candidate pair: the weighted mean of its judgments' targets, with their
 * summed weight. The Bradley-Terry loss of the merged example equals the sum of the judgments'
 * losses, so training is unchanged, but a pair judged by three people can no longer sit in both
 * the training and the held-out split (docs/decisions/004). Order: by each pair's first judgment.
 * Pairs whose judgments weigh nothing in total are dropped.
 */
export function mergeJudgmentsByPair(judged: readonly JudgedPair[]): TrainingPair[] {
  const merged = new Map<string, TrainingPair>();
  for (const { pairId, pair } of judged) {
    const sum = merged.get(pairId);
    if (!sum) merged.set(pairId, { ...pair, target: pair.target * pair.weight });
    else {
      sum.target += pair.target * pair.weight;
      sum.weight += pair.weight;
    }
  }
  const out: TrainingPair[] = [];
  for (const pair of merged.values()) {
    if (pair.weight > 0) out.push({ ...pair, target: pair.target / pair.weight });
  }
  return out;
}

export function tooFewJudgmentsMessage(decided: number, axis: RewardAxis): string {
  const noun = decided === 1 ? 'judgment decides' : 'judgments decide';
  return `Only ${decided} ${noun} a winner on ${REWARD_AXIS_LABELS[axis].toLowerCase()} (ties don't count); a model needs at least ${MIN_DECIDED_JUDGMENTS}. Collect more judgments or widen the filter.`;
}

/** Who may train and activate reward models: leads, researchers and admins. */
export async function requireModelManager(db: Kysely<Database>, actor: Actor) {
  const user = actor.userId ? await findUserById(db, actor.userId) : undefined;
  if (!user?.is_active || !hasRole(user, 'lead', 'researcher', 'admin')) {
    throw new UserInputError(
      'Only leads, researchers and admins can train or activate reward models.',
      undefined,
      'forbidden',
    );
  }
  return user;
}

/**
 * Queues a training run for a preference project and returns the job id. Checks the caller's
 * role, validates the input, and refuses at once when fewer than MIN_DECIDED_JUDGMENTS judgments
 * pass the filter (the job checks again when it runs: judgments may change meanwhile).
 */
export async function startRewardTraining(
  db: Kysely<Database>,
  actor: Actor,
  projectSlug: string,
  input: TrainModelInput,
): Promise<string> {
  await requireModelManager(db, actor);
  const project = await findProjectBySlug(db, projectSlug.trim().toLowerCase());
  if (!project) throw new UserInputError(`No project "${projectSlug}".`, 'project', 'not-found');
  if (project.type !== 'preference')
    throw new UserInputError('Reward models are trained on preference projects only.', 'project');
  const parsed = TrainModelSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodIssue(parsed.error.issues[0]!);
    throw new UserInputError(message, field?.replace(/^filter\./, ''));
  }
  const { axis, filter, seed, activate } = parsed.data;
  const judged = await loadJudgedPairs(db, project.id, axis, filter);
  const decided = judged.filter((j) => j.pair.target !== 0.5).length;
  if (decided < MIN_DECIDED_JUDGMENTS)
    throw new UserInputError(tooFewJudgmentsMessage(decided, axis), 'axis');
  return enqueueJob(db, {
    kind: REWARD_TRAIN_JOB,
    projectId: project.id,
    createdBy: actor.userId ?? null,
    payload: {
      projectId: project.id,
      axis,
      filter,
      seed,
      activate,
      actor: { userId: actor.userId ?? null, email: actor.email ?? null, ip: actor.ip ?? null },
    },
  });
}

export interface Activation {
  modelId: string;
  version: number;
  axis: RewardAxis;
  /** the version it replaced, if another was active */
  previousModelId: string | null;
  /** pairs scored */
  scored: number;
  /** another version was activated while this one was scoring pairs */
  superseded: boolean;
}

/**
 * Makes a ready reward model the active one of its project and axis: in one transaction the other
 * version is switched off, this one on, and the change audit-logged. Then every pair of the project
 * is scored with it (ONNX, in batches) into pair_scores for that axis, and rows of other models on
 * that axis are removed. Activating the active model again re-scores the pairs (e.g. after an
 * import). Throws UserInputError for an unknown model or one that is not ready.
 */
export async function activateModel(
  db: Kysely<Database>,
  modelId: string,
  actor: Actor,
  options: { onProgress?: (scored: number) => void; batchSize?: number } = {},
): Promise<Activation> {
  // a form's modelId that is not a UUID would reach the query as a malformed parameter (a 500)
  requireId(modelId, 'modelId', 'reward model');
  const { model, previous } = await db.transaction().execute(async (trx) => {
    const model = await lockModel(trx, modelId);
    if (!model || model.kind !== 'reward' || !model.project_id || !model.axis)
      throw new UserInputError('No such reward model.', 'modelId', 'not-found');
    if (model.status !== 'ready') {
      const state = model.status === 'training' ? 'is still training' : 'failed';
      throw new UserInputError(
        `Version ${model.version} ${state}; only a ready model can be activated.`,
        'modelId',
        'conflict',
      );
    }
    const previous = await setActiveModel(trx, { ...model, project_id: model.project_id });
    await recordActorEvent(
      trx,
      'model.activated',
      actor,
      { type: 'model', id: model.id },
      { project_id: model.project_id, axis: model.axis, version: model.version, previous },
    );
    return { model: { ...model, project_id: model.project_id, axis: model.axis as RewardAxis }, previous };
  });
  const { scored, superseded } = await scoreProjectPairs(
    db,
    { id: model.id, projectId: model.project_id, axis: model.axis },
    options,
  );
  return {
    modelId: model.id,
    version: model.version,
    axis: model.axis,
    previousModelId: previous,
    scored,
    superseded,
  };
}
