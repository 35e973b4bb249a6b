/**
 * The sentiment project the labeling spec works in: items imported and pre-labeled by the word
 * list, 100 of them labelled by two panel annotators (who cannot sign in), then one retraining
 * cycle, so a model is active, some items were accepted and some wait for audit.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { insertUser } from '../../db/queries/users';
import { importSentiment } from '../../tasks/import/sentiment';
import { createProject, updateProjectSettings } from '../../tasks/projects';
import { runCycleNow } from '../../tasks/sentiment-cycle';
import { nextItem, submitLabel } from '../../tasks/sentiment-labels';
import { sentimentCsv, sentimentTexts } from '../setup/sentiment-fixtures';

export const E2E_SENTIMENT = 'e2e-sentiment';

export async function seedSentimentLoop(db: Kysely<Database>): Promise<void> {
  const project = await createProject(
    db,
    { slug: E2E_SENTIMENT, name: 'Sentiment loop', type: 'sentiment', redundancy: 1 },
    {},
  );
  await updateProjectSettings(
    db,
    project.id,
    { autoAcceptThreshold: 0.97, auditRate: 0.06, holdoutRate: 0.15, holdoutMax: 40 },
    {},
  );
  const rows = sentimentTexts(180, 21);
  const truth = new Map(rows.map((r) => [r.text, r.label]));
  await importSentiment(db, () => Readable.from([sentimentCsv(rows)]), {
    projectId: project.id,
    format: 'csv',
  });
  const panel = await Promise.all(
    ['e2e-panel-a@example.org', 'e2e-panel-b@example.org'].map((email) =>
      insertUser(db, {
        email,
        display_name: email,
        password_hash: null,
        roles: ['annotator'],
        languages: [],
        domains: [],
      }),
    ),
  );
  for (let i = 0; i < 100; i++) {
    const annotator = panel[i % 2]!;
    const lease = await nextItem(db, {
      annotator: { id: annotator.id, languages: [], domains: [] },
      projectSlug: E2E_SENTIMENT,
    });
    if (!lease) break;
    const item = await db
      .selectFrom('sentiment_items')
      .select('text')
      .where('id', '=', lease.unit_id)
      .executeTakeFirstOrThrow();
    await submitLabel(db, annotator.id, {
      labelId: randomUUID(),
      assignmentId: lease.assignment_id,
      label: truth.get(item.text)!,
    });
  }
  await runCycleNow(db, { email: 'e2e' }, E2E_SENTIMENT, {}, () => undefined);
}

export const E2E_COLD_START = 'e2e-cold-start';
/** written into the server's ARBITER_MODELS_DIR by global-setup.ts */
export const E2E_COLD_START_MODEL = 'e2e/tiny-sst2';

/** A sentiment project with a few items pre-labeled by the word list and no model: the cold-start spec's. */
export async function seedColdStartProject(db: Kysely<Database>): Promise<void> {
  const project = await createProject(
    db,
    { slug: E2E_COLD_START, name: 'Cold start', type: 'sentiment', redundancy: 1 },
    {},
  );
  const texts = ['A great little cafe.', 'The heater arrived broken.', 'The shop opens at nine.'];
  await importSentiment(db, () => Readable.from([['text', ...texts].join('\n')]), {
    projectId: project.id,
    format: 'csv',
  });
}
