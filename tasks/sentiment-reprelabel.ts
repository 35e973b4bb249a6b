/**
 * Pre-labeling a sentiment project's waiting items again, as a background job: after its lead
 * chooses another cold-start model (a pretrained model can take minutes over a large project, too
 * long for a request), or on demand from the CLI. Items people have labelled or are labelling, and
 * accepted items, keep their pre-labels; the rest get the current predictor's view in one
 * transaction, so a failed run changes nothing.
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { routingSummary } from '../db/queries/sentiment';
import { findProjectById } from '../db/queries/projects';
import type { Database, Project } from '../db/schema';
import { enqueueJob, PermanentJobError, type JobHandler } from './jobs';
import {
  openActivePredictor,
  prelabelItems,
  type PredictorContext,
  type RoutingCounts,
} from './sentiment-prelabel';

export const SENTIMENT_PRELABEL_JOB = 'sentiment-prelabel';

const PrelabelPayload = z.object({ projectId: z.uuid() });

export interface ReprelabelOutcome {
  /** what pre-labeled them: a pretrained model's id, "the active model", "the VADER word list" */
  by: string | null;
  /** why the configured cold-start model was not used, when it was not */
  note: string | null;
  routing: RoutingCounts;
}

/** Queues a re-pre-labeling of the project's waiting items (inside the caller's transaction). */
export function enqueueReprelabel(
  trx: Transaction<Database> | Kysely<Database>,
  projectId: string,
  createdBy: string | null,
): Promise<string> {
  return enqueueJob(trx, {
    kind: SENTIMENT_PRELABEL_JOB,
    projectId,
    createdBy,
    payload: { projectId },
    maxAttempts: 2,
  });
}

/** Pre-labels and routes every waiting item of `project` with its current predictor. */
export async function reprelabelWaiting(
  db: Kysely<Database>,
  project: Project,
  context: PredictorContext,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<ReprelabelOutcome> {
  const total = (await routingSummary(db, project.id)).human_open;
  // loaded before the transaction opens (see openModelPredictor)
  const { predictor, note } = await openActivePredictor(db, project, context);
  try {
    const routing = await db
      .transaction()
      .execute((trx) =>
        prelabelItems(trx, project, predictor, { onProgress: (done) => onProgress(done, total) }),
      );
    return { by: predictor?.name ?? null, note, routing };
  } finally {
    await predictor?.dispose();
  }
}

export const runReprelabelJob: JobHandler = async (job, context) => {
  const parsed = PrelabelPayload.safeParse(job.payload);
  if (!parsed.success)
    throw new PermanentJobError(`Invalid pre-label job: ${parsed.error.issues[0]!.message}`);
  const project = await findProjectById(context.db, parsed.data.projectId);
  if (!project || project.type !== 'sentiment')
    throw new PermanentJobError('The project is gone or is not a sentiment project.');
  // progress writes are throttled by the worker; one that fails (the job was taken over) fails the
  // job once the pass is done, and re-running the pass elsewhere is harmless
  let failure: unknown = null;
  const outcome = await reprelabelWaiting(
    context.db,
    project,
    { modelsDir: context.modelsDir },
    (done, total) => {
      context.progress({ done, total }).catch((error: unknown) => (failure ??= error));
    },
  );
  if (failure) throw failure;
  return { ...outcome };
};
