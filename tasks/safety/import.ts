/**
 * Imports labelled safety data (files.ts rows) into a project: each row's prompt and response are
 * stored like any other (deduplicated by content hash, so a response already in the project gets
 * the label) and its is_safe and source categories go to response_safety_labels. All in one
 * transaction: a failure leaves nothing behind. Such responses train the harm classifier; being
 * already labelled, they never wait for safety review.
 */
import type { Kysely } from 'kysely';
import type { ChatMessage, Database } from '../../db/schema';
import { insertPromptsBatch, insertResponsesBatch } from '../../db/queries/content';
import { recordActorEvent, type Actor } from '../accounts';
import { contentHash } from '../content';
import { UserInputError } from '../errors';
import { unstorableText } from '../storable-text';
import type { SafetyRow } from './files';

export interface SafetyImportReport {
  rows: number;
  prompts_created: number;
  responses_created: number;
  /** labels written (a response labelled twice in the file keeps its last label) */
  labels: number;
  unsafe: number;
}

const BATCH = 500;

export async function importSafetyLabels(
  db: Kysely<Database>,
  projectId: string,
  rows: readonly SafetyRow[],
  options: { source: string; actor: Actor; onProgress?: (done: number, total: number) => void },
): Promise<SafetyImportReport> {
  if (rows.length === 0) throw new UserInputError('The file has no rows to import.', 'data');
  // the source (a file name) is stored with every label and prompt
  const badSource = unstorableText(options.source);
  if (badSource) throw new UserInputError(`The file name ${badSource}; rename the file.`, 'data');
  return db.transaction().execute(async (trx) => {
    const project = await trx
      .selectFrom('projects')
      .select(['id', 'type'])
      .where('id', '=', projectId)
      .forUpdate()
      .executeTakeFirst();
    if (!project) throw new UserInputError('No such project.', 'project', 'not-found');
    if (project.type !== 'preference')
      throw new UserInputError(
        'Safety labels go into a preference project (responses to prompts).',
        'project',
      );
    const report: SafetyImportReport = {
      rows: rows.length,
      prompts_created: 0,
      responses_created: 0,
      labels: 0,
      unsafe: 0,
    };
    const labelled = new Map<string, SafetyRow>();
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      const messages = batch.map((r): ChatMessage[] => [{ role: 'user', content: r.prompt }]);
      const promptHashes = messages.map((m) => contentHash(m));
      const unique = new Map<string, ChatMessage[]>();
      promptHashes.forEach((h, i) => unique.set(h, messages[i]!));
      const prompts = await insertPromptsBatch(
        trx,
        projectId,
        [...unique].map(([hash, m]) => ({
          messages: m,
          language: null,
          domain: null,
          content_hash: hash,
          meta: { source: options.source },
        })),
      );
      report.prompts_created += prompts.created;
      const responses = batch.map((r, i) => ({
        prompt_id: prompts.ids.get(promptHashes[i]!)!,
        model: 'imported',
        text: r.response,
        content_hash: contentHash(r.response),
      }));
      const uniqueResponses = [
        ...new Map(responses.map((r) => [`${r.prompt_id}:${r.content_hash}`, r])).values(),
      ];
      const inserted = await insertResponsesBatch(trx, uniqueResponses);
      report.responses_created += inserted.created;
      batch.forEach((row, i) =>
        labelled.set(inserted.ids.get(`${responses[i]!.prompt_id}:${responses[i]!.content_hash}`)!, row),
      );
      options.onProgress?.(Math.min(rows.length, start + BATCH), rows.length);
    }
    const entries = [...labelled];
    for (let start = 0; start < entries.length; start += BATCH) {
      await trx
        .insertInto('response_safety_labels')
        .values(
          entries.slice(start, start + BATCH).map(([responseId, row]) => ({
            response_id: responseId,
            project_id: projectId,
            is_safe: row.isSafe,
            source_categories: JSON.stringify(row.categories),
            source: options.source,
          })),
        )
        .onConflict((oc) =>
          oc.column('response_id').doUpdateSet((eb) => ({
            is_safe: eb.ref('excluded.is_safe'),
            source_categories: eb.ref('excluded.source_categories'),
            source: eb.ref('excluded.source'),
          })),
        )
        .execute();
    }
    report.labels = entries.length;
    report.unsafe = entries.filter(([, r]) => !r.isSafe).length;
    await recordActorEvent(
      trx,
      'safety.labels_imported',
      options.actor,
      { type: 'project', id: projectId },
      { ...report, source: options.source },
    );
    return report;
  });
}
