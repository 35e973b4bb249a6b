/**
 * "Would active learning have saved labels here?": the simulator run from the models screen on a
 * project's own judgments. Each judged pair's consensus plays the annotator; the job stores the
 * report (median curves, savings) in its result for the screen to draw.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema';
import { findProjectBySlug } from '../../db/queries/projects';
import type { Actor } from '../accounts';
import { describeZodIssue, UserInputError } from '../errors';
import { enqueueJob, PermanentJobError, type JobHandler } from '../jobs';
import { loadJudgedPairs, mergeJudgmentsByPair, requireModelManager } from '../reward-training';
import { reliabilityWeights } from '../quality/weights';
import { POLICY_NAMES } from './policies';
import { runInTrainingWorker, TrainingError } from '../training-worker-client';
import type { SimulationResult } from '../training-worker';

export const SIMULATION_JOB = 'al-simulation';
/** fewer decided pairs than this make a curve of noise */
export const MIN_SIMULATION_PAIRS = 60;

export const ProjectSimulationSchema = z.object({
  axis: z.enum(['helpfulness', 'safety'], { error: 'Choose helpfulness or safety.' }).default('helpfulness'),
  strategies: z
    .array(z.enum(POLICY_NAMES, { error: `Strategies: choose among ${POLICY_NAMES.join(', ')}.` }))
    .min(1, 'Choose at least one strategy besides random.')
    .max(7),
  budget: z.coerce
    .number({ error: 'The budget is a whole number of labels.' })
    .int('The budget is a whole number of labels.')
    .min(20, 'The budget is at least 20 labels.'),
  batch: z.coerce
    .number({ error: 'The batch is a whole number of labels.' })
    .int('The batch is a whole number of labels.')
    .min(5, 'A batch is at least 5 labels.'),
  seeds: z.coerce
    .number({ error: 'Seeds: a whole number from 1 to 10.' })
    .int('Seeds: a whole number from 1 to 10.')
    .min(1, 'Seeds: at least 1.')
    .max(10, 'Seeds: at most 10.'),
});
export type ProjectSimulationInput = z.input<typeof ProjectSimulationSchema>;

const Payload = ProjectSimulationSchema.extend({ projectId: z.uuid() });

async function decidedPairs(db: Kysely<Database>, projectId: string, axis: 'helpfulness' | 'safety') {
  const reliability = await reliabilityWeights(db, projectId);
  const merged = mergeJudgmentsByPair(await loadJudgedPairs(db, projectId, axis, {}, reliability));
  // the simulated annotator answers with the consensus direction (reliability-weighted when the
  // project weighs judgments so); pairs without one teach nothing
  return merged
    .filter((p) => p.target !== 0.5)
    .map((p) => ({ ...p, target: p.target > 0.5 ? 1 : 0, weight: 1 }));
}

/** Checks the request and the project's judgments, then queues the simulation; returns the job id. */
export async function startProjectSimulation(
  db: Kysely<Database>,
  actor: Actor,
  projectSlug: string,
  input: ProjectSimulationInput,
): Promise<string> {
  await requireModelManager(db, actor);
  const project = await findProjectBySlug(db, projectSlug);
  if (!project || project.type !== 'preference')
    throw new UserInputError(`No preference project "${projectSlug}".`, 'project', 'not-found');
  const parsed = ProjectSimulationSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeZodIssue(parsed.error.issues[0]!);
    throw new UserInputError(message, field);
  }
  const request = parsed.data;
  const pairs = await decidedPairs(db, project.id, request.axis);
  if (pairs.length < MIN_SIMULATION_PAIRS)
    throw new UserInputError(
      `Only ${pairs.length} pairs have a consensus on ${request.axis}; a simulation needs at least ${MIN_SIMULATION_PAIRS}.`,
      'axis',
    );
  const pool = pairs.length - Math.round(pairs.length * 0.3);
  if (request.budget > pool)
    throw new UserInputError(
      `The budget can be at most ${pool} labels: the pool after holding out 30%.`,
      'budget',
    );
  if (request.batch > request.budget)
    throw new UserInputError('A batch cannot be larger than the budget.', 'batch');
  return enqueueJob(db, {
    kind: SIMULATION_JOB,
    projectId: project.id,
    createdBy: actor.userId ?? null,
    payload: {
      ...request,
      strategies: [...new Set(request.strategies.filter((s) => s !== 'random'))],
      projectId: project.id,
    },
  });
}

export const runProjectSimulationJob: JobHandler = async (job, context) => {
  const parsed = Payload.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`Invalid simulation: ${parsed.error.issues[0]!.message}`);
  const request = parsed.data;
  const pairs = await decidedPairs(context.db, request.projectId, request.axis);
  if (pairs.length < MIN_SIMULATION_PAIRS) throw new PermanentJobError('Too few decided pairs to simulate.');
  let last = 0;
  // CPU-bound for minutes: in a worker thread, so the server keeps serving meanwhile
  const simulate = () =>
    runInTrainingWorker<SimulationResult>(
      {
        kind: 'simulation',
        pairs,
        request: {
          strategies: ['random', ...request.strategies],
          budget: request.budget,
          batch: request.batch,
          seeds: Array.from({ length: request.seeds }, (_, i) => i + 1),
          noise: 0,
          redundancy: 1,
        },
      },
      {
        onProgress: (stage, fraction) => {
          if (fraction - last >= 0.02 || fraction === 1) {
            last = fraction;
            void context.progress({ stage, fraction }).catch(() => undefined);
          }
        },
      },
    );
  let report;
  try {
    ({ report } = await simulate());
  } catch (error) {
    // the simulator's own failure is the same on a retry
    if (error instanceof TrainingError)
      throw new PermanentJobError(`The simulation failed: ${error.message}`);
    throw error;
  }
  // the screen draws the median curves; each seed's own curve stays out of the job row
  return {
    axis: request.axis,
    pool: report.pool,
    test: report.test,
    budget: report.budget,
    batch: report.batch,
    seeds: report.seeds.length,
    random_final_accuracy: report.random_final_accuracy,
    seconds: report.seconds,
    strategies: Object.fromEntries(
      Object.entries(report.strategies).map(([name, s]) => [
        name,
        {
          curve: s.curve.map((p) => ({ labels: p.labels, median: p.median, min: p.min, max: p.max })),
          final_accuracy: s.final_accuracy,
          savings_vs_random: s.savings_vs_random,
          never_worse_than_random: s.never_worse_than_random,
        },
      ]),
    ),
  };
};
