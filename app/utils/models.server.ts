/** The reward models screen's door to db/ and tasks/, bound to this process's database. */
import { findJob, findLatestJob } from '../../db/queries/jobs';
import { countDecidedJudgments, listJudgedPromptFacets } from '../../db/queries/judgments';
import { findModel, listModels, type ModelListRow } from '../../db/queries/models';
import { findProjectBySlug, listProjectNames } from '../../db/queries/projects';
import type { Actor } from '../../tasks/accounts';
import { UserInputError } from '../../tasks/errors';
import { scorePairAdHoc } from '../../tasks/reward-scoring';
import {
  activateModel,
  REWARD_TRAIN_JOB,
  requireModelManager,
  startRewardTraining,
} from '../../tasks/reward-training';
import { ScorePairSchema, type TrainModelInput } from '../../tasks/reward-training.schema';
import { getAppContext } from './context.server';
import { activeLearningStatus } from '../../tasks/active-learning/status';
import { enqueueQueueRefresh } from '../../tasks/active-learning/refresh';
import {
  MIN_SIMULATION_PAIRS,
  SIMULATION_JOB,
  startProjectSimulation,
  type ProjectSimulationInput,
} from '../../tasks/active-learning/project-simulation';
import { countConsensusPairs } from '../../db/queries/active-learning';

const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** A model version as the screen shows it (plain JSON). */
export interface ModelVersionView {
  id: string;
  version: number;
  axis: string;
  /** 'failed' also when the job gave up on a row left in 'training' (its worker died) */
  status: 'training' | 'ready' | 'failed';
  isActive: boolean;
  createdAt: string;
  createdBy: string | null;
  error: string | null;
  trainPairs: number | null;
  testPairs: number | null;
  judgments: number | null;
  accuracy: number | null;
  lengthBaseline: number | null;
  ece: number | null;
  logLoss: number | null;
  lambda: number | null;
  temperature: number | null;
  trainSeconds: number | null;
  learningCurve: { pairs: number; accuracy: number }[];
  /** accuracy per fifth of the held-out pairs, most certain first; null for an empty fifth */
  quintiles: (number | null)[];
  topFeatures: { feature: string; weight: number }[];
  seed: number | null;
  filter: { languages: string[]; domains: string[]; since: string | null } | null;
  snapshotId: string | null;
}

function versionView(row: ModelListRow): ModelVersionView {
  const m = row.metrics as Record<string, any>;
  const test = (m.test ?? null) as Record<string, any> | null;
  const snapshot = row.snapshot as Record<string, any>;
  const gaveUp = row.status === 'training' && row.job_status === 'failed';
  return {
    id: row.id,
    version: row.version,
    axis: row.axis ?? '',
    status: gaveUp ? 'failed' : row.status,
    isActive: row.is_active,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by_name ?? row.created_by_email,
    error: row.status === 'ready' ? null : row.job_error,
    trainPairs: num(m.train_pairs),
    testPairs: num(m.test_pairs),
    judgments: num(m.judgments),
    accuracy: num(test?.accuracy),
    lengthBaseline: num(m.length_baseline_accuracy),
    ece: num(test?.ece),
    logLoss: num(test?.log_loss),
    lambda: num(m.lambda),
    temperature: num(m.temperature),
    trainSeconds: num(m.train_seconds),
    learningCurve: Array.isArray(m.learning_curve)
      ? m.learning_curve.map((p: any) => ({ pairs: Number(p.pairs), accuracy: Number(p.accuracy) }))
      : [],
    quintiles: Array.isArray(test?.accuracy_by_uncertainty_quintile)
      ? test.accuracy_by_uncertainty_quintile.map(num)
      : [],
    topFeatures: Array.isArray(m.top_features) ? m.top_features : [],
    seed: num(snapshot.seed),
    filter: snapshot.filter ?? null,
    snapshotId: typeof snapshot.id === 'string' ? snapshot.id : null,
  };
}

export interface TrainingJobView {
  id: string;
  status: string;
  progress: { stage?: string; overall?: number; judgments?: number; pairs?: number } | null;
  error: string | null;
  result: { modelId?: string; version?: number; accuracy?: number | null; activated?: boolean } | null;
  axis: string;
  activate: boolean;
}

/** The project's latest active-learning simulation, as the models screen shows it. */
export interface SimulationView {
  id: string;
  status: string;
  progress: { stage?: string; fraction?: number } | null;
  error: string | null;
  result: {
    pool: number;
    test: number;
    budget: number;
    seeds: number;
    strategies: Record<
      string,
      {
        curve: { labels: number; median: number; min: number; max: number }[];
        final_accuracy: number;
        savings_vs_random: number | null;
        never_worse_than_random: boolean;
      }
    >;
  } | null;
}

/** Everything the /models screen shows for one project (the first preference project by default). */
export async function modelsOverview(options: { projectSlug: string | null; jobId: string | null }) {
  const db = getAppContext().db;
  const projects = await listProjectNames(db, 'preference');
  const project = projects.find((p) => p.slug === options.projectSlug) ?? projects[0] ?? null;
  if (!project) return { projects: [], project: null } as const;
  const full = (await findProjectBySlug(db, project.slug))!;
  const [rows, decided, facets, job, activeLearning, simulationJob, consensusPairs] = await Promise.all([
    listModels(db, { projectId: project.id, kind: 'reward' }),
    countDecidedJudgments(db, project.id),
    listJudgedPromptFacets(db, project.id),
    // without a job in the address, the newest unfinished one, so progress survives a reload
    options.jobId
      ? findJob(db, options.jobId)
      : findLatestJob(db, { kind: REWARD_TRAIN_JOB, projectId: project.id, statuses: ['queued', 'running'] }),
    activeLearningStatus(db, full),
    findLatestJob(db, { kind: SIMULATION_JOB, projectId: project.id }),
    countConsensusPairs(db, project.id, 'helpfulness'),
  ]);
  const ownJob = job && job.kind === REWARD_TRAIN_JOB && job.project_id === project.id ? job : null;
  return {
    projects: projects.map((p) => ({ slug: p.slug, name: p.name })),
    project: { id: project.id, slug: project.slug, name: project.name },
    versions: rows.map(versionView),
    decided,
    facets,
    activeLearning,
    simulation: simulationJob
      ? ({
          id: simulationJob.id,
          status: simulationJob.status,
          progress: simulationJob.progress as SimulationView['progress'],
          error: simulationJob.error,
          result: simulationJob.result as SimulationView['result'],
        } satisfies SimulationView)
      : null,
    consensusPairs,
    minimumSimulationPairs: MIN_SIMULATION_PAIRS,
    job: ownJob
      ? ({
          id: ownJob.id,
          status: ownJob.status,
          progress: ownJob.progress as TrainingJobView['progress'],
          error: ownJob.error,
          result: ownJob.result as TrainingJobView['result'],
          axis: String(ownJob.payload.axis ?? ''),
          activate: ownJob.payload.activate === true,
        } satisfies TrainingJobView)
      : null,
  } as const;
}

export const startTraining = (actor: Actor, projectSlug: string, input: TrainModelInput) =>
  startRewardTraining(getAppContext().db, actor, projectSlug, input);

export async function activate(actor: Actor, modelId: string) {
  const db = getAppContext().db;
  await requireModelManager(db, actor);
  return activateModel(db, modelId, actor);
}

/** Scores a typed pair with a ready model of the project; validates the input first. */
export async function scorePair(actor: Actor, projectSlug: string, input: unknown) {
  const db = getAppContext().db;
  await requireModelManager(db, actor);
  const parsed = ScorePairSchema.parse(input);
  const project = await findProjectBySlug(db, projectSlug);
  if (!project) throw new UserInputError(`No project "${projectSlug}".`, 'project', 'not-found');
  const model = await findModel(db, parsed.modelId);
  if (model?.project_id !== project.id || model.status !== 'ready')
    throw new UserInputError('Choose a ready model version of this project.', 'modelId');
  return scorePairAdHoc(db, model.id, parsed);
}

/** "Re-rank the queue now": a refresh with the active model, no retraining (leads only). */
export async function refreshQueueNow(actor: Actor, projectSlug: string): Promise<boolean> {
  const db = getAppContext().db;
  await requireModelManager(db, actor);
  const project = await findProjectBySlug(db, projectSlug);
  if (!project || project.type !== 'preference')
    throw new UserInputError(`No preference project "${projectSlug}".`, 'project', 'not-found');
  return (
    (await enqueueQueueRefresh(db, project.id, { train: false, createdBy: actor.userId ?? null })) !== null
  );
}

/** Queues a simulation on the project's own judgments (tasks/active-learning/project-simulation.ts). */
export const startSimulation = (actor: Actor, projectSlug: string, input: ProjectSimulationInput) =>
  startProjectSimulation(getAppContext().db, actor, projectSlug, input);
