/**
 * Names and lookups about a project's safety model that need no model code: the import job asks
 * whether to queue scoring without loading onnxruntime (tasks/safety/scoring.ts does the scoring).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { findActiveModel } from '../../db/queries/models';

/** models.axis of safety classifiers (one per project). */
export const SAFETY_AXIS = 'harm';
/** the job that scores responses the active model has not seen (tasks/safety/training-job.ts) */
export const SAFETY_SCORE_JOB = 'safety-score';

export async function activeSafetyModel(db: Kysely<Database>, projectId: string) {
  return findActiveModel(db, { projectId, kind: 'safety', axis: SAFETY_AXIS });
}
