/**
 * The demo's safety triage: labelled responses of our own writing (scripts/demo/safety.jsonl, the
 * BeaverTails layout) go into the demo preference project and train its first safety model, so a
 * fresh `npm start` shows suggested flags on the compare screen and model-sent responses in review.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { SafetyRow } from './files';
import { importSafetyLabels } from './import';
import { trainProjectSafetyModel } from './training-job';

export const DEMO_SAFETY_PROJECT = 'demo-preferences';

export async function seedDemoSafety(db: Kysely<Database>, rows: readonly SafetyRow[]) {
  const project = await db
    .selectFrom('projects')
    .select('id')
    .where('slug', '=', DEMO_SAFETY_PROJECT)
    .executeTakeFirstOrThrow();
  const actor = { userId: null, email: null, ip: null };
  const imported = await importSafetyLabels(db, project.id, rows, { source: 'demo safety.jsonl', actor });
  const trained = await trainProjectSafetyModel(db, { projectId: project.id, seed: 1, actor }, null);
  return { imported: imported.labels, modelVersion: trained.version, scored: trained.scored };
}
