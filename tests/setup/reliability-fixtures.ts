/**
 * Test helpers for reliability weighting: switch a project's `reliabilityWeights` quality setting,
 * and store a hand-made quality report that lists only annotators and their reliabilities (all the
 * weighting reads), so a test can say exactly who is reliable.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { mergeQualitySettings } from '../../tasks/quality/settings';

/** Sets the project's reliabilityWeights quality setting, keeping its other settings. */
export async function setReliabilityWeights(
  db: Kysely<Database>,
  projectId: string,
  on: boolean,
): Promise<void> {
  const { settings } = await db
    .selectFrom('projects')
    .select('settings')
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  const quality = mergeQualitySettings(settings.quality, { reliabilityWeights: on });
  await db
    .updateTable('projects')
    .set({ settings: JSON.stringify({ ...settings, quality }) })
    .where('id', '=', projectId)
    .execute();
}

/** Stores a minimal quality report with the given reliabilities; returns its id. */
export async function insertReliabilityReport(
  db: Kysely<Database>,
  projectId: string,
  annotators: { annotator: string; reliability: number | null }[],
  computedAt = new Date(),
): Promise<string> {
  const row = await db
    .insertInto('quality_reports')
    .values({
      project_id: projectId,
      job_id: null,
      judgments: 0,
      annotators: annotators.length,
      seconds: 0,
      report: JSON.stringify({ version: 1, computedAt: computedAt.toISOString(), annotators }),
      created_at: computedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
