import type { Transaction } from 'kysely';
import type { ChatMessage, Database } from '../schema';

/** Inserts a prompt, or returns the id of the identical prompt already in the project. */
export async function insertPromptOnce(
  trx: Transaction<Database>,
  prompt: {
    project_id: string;
    messages: ChatMessage[];
    language: string | null;
    domain: string | null;
    content_hash: string;
    meta: Record<string, unknown>;
  },
): Promise<{ id: string; created: boolean }> {
  const inserted = await trx
    .insertInto('prompts')
    .values({ ...prompt, messages: JSON.stringify(prompt.messages), meta: JSON.stringify(prompt.meta) })
    .onConflict((oc) => oc.columns(['project_id', 'content_hash']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await trx
    .selectFrom('prompts')
    .select('id')
    .where('project_id', '=', prompt.project_id)
    .where('content_hash', '=', prompt.content_hash)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

/** Inserts a response, or returns the id of the identical response already under the prompt. */
export async function insertResponseOnce(
  trx: Transaction<Database>,
  response: {
    prompt_id: string;
    model: string;
    text: string;
    content_hash: string;
    meta: Record<string, unknown>;
  },
): Promise<{ id: string; created: boolean }> {
  const inserted = await trx
    .insertInto('responses')
    .values({ ...response, meta: JSON.stringify(response.meta) })
    .onConflict((oc) => oc.columns(['prompt_id', 'content_hash']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await trx
    .selectFrom('responses')
    .select('id')
    .where('prompt_id', '=', response.prompt_id)
    .where('content_hash', '=', response.content_hash)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

/** Inserts candidate pairs; a pair that exists already is left as it is. Returns how many are new. */
export async function insertPairs(
  trx: Transaction<Database>,
  pairs: { project_id: string; prompt_id: string; response_a_id: string; response_b_id: string }[],
): Promise<number> {
  if (pairs.length === 0) return 0;
  const result = await trx
    .insertInto('pairs')
    .values(pairs)
    .onConflict((oc) => oc.columns(['response_a_id', 'response_b_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export async function insertSentimentItems(
  trx: Transaction<Database>,
  items: {
    project_id: string;
    text: string;
    content_hash: string;
    reference_label: string | null;
    meta: Record<string, unknown>;
  }[],
): Promise<number> {
  if (items.length === 0) return 0;
  const result = await trx
    .insertInto('sentiment_items')
    .values(items.map((item) => ({ ...item, meta: JSON.stringify(item.meta) })))
    .onConflict((oc) => oc.columns(['project_id', 'content_hash']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
