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
  pairs: {
    id?: string;
    project_id: string;
    prompt_id: string;
    response_a_id: string;
    response_b_id: string;
    priority?: number;
  }[],
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

/**
 * Inserts prompts that are new (by content hash, within the project) and returns the id of every
 * given hash, new or existing, plus how many were created.
 */
export async function insertPromptsBatch(
  trx: Transaction<Database>,
  projectId: string,
  prompts: {
    messages: ChatMessage[];
    language: string | null;
    domain: string | null;
    content_hash: string;
    meta: Record<string, unknown>;
  }[],
): Promise<{ ids: Map<string, string>; created: number }> {
  const ids = new Map<string, string>();
  if (prompts.length === 0) return { ids, created: 0 };
  const inserted = await trx
    .insertInto('prompts')
    .values(
      prompts.map((p) => ({
        project_id: projectId,
        messages: JSON.stringify(p.messages),
        language: p.language,
        domain: p.domain,
        content_hash: p.content_hash,
        meta: JSON.stringify(p.meta),
      })),
    )
    .onConflict((oc) => oc.columns(['project_id', 'content_hash']).doNothing())
    .returning(['id', 'content_hash'])
    .execute();
  for (const row of inserted) ids.set(row.content_hash, row.id);
  const missing = prompts.map((p) => p.content_hash).filter((h) => !ids.has(h));
  if (missing.length) {
    const existing = await trx
      .selectFrom('prompts')
      .select(['id', 'content_hash'])
      .where('project_id', '=', projectId)
      .where('content_hash', 'in', missing)
      .execute();
    for (const row of existing) ids.set(row.content_hash, row.id);
  }
  return { ids, created: inserted.length };
}

/** Like insertPromptsBatch for responses; keys are `${prompt_id}:${content_hash}`. */
export async function insertResponsesBatch(
  trx: Transaction<Database>,
  responses: { prompt_id: string; model: string; text: string; content_hash: string }[],
): Promise<{ ids: Map<string, string>; created: number }> {
  const ids = new Map<string, string>();
  if (responses.length === 0) return { ids, created: 0 };
  const inserted = await trx
    .insertInto('responses')
    .values(responses.map((r) => ({ ...r, meta: '{}' })))
    .onConflict((oc) => oc.columns(['prompt_id', 'content_hash']).doNothing())
    .returning(['id', 'prompt_id', 'content_hash'])
    .execute();
  for (const row of inserted) ids.set(`${row.prompt_id}:${row.content_hash}`, row.id);
  const missing = responses.filter((r) => !ids.has(`${r.prompt_id}:${r.content_hash}`));
  if (missing.length) {
    const existing = await trx
      .selectFrom('responses')
      .select(['id', 'prompt_id', 'content_hash'])
      .where('prompt_id', 'in', [...new Set(missing.map((r) => r.prompt_id))])
      .where('content_hash', 'in', [...new Set(missing.map((r) => r.content_hash))])
      .execute();
    for (const row of existing) ids.set(`${row.prompt_id}:${row.content_hash}`, row.id);
  }
  return { ids, created: inserted.length };
}

/** Inserts candidate pairs (with their hidden reference label, if any); existing pairs stay as they are. */
export async function insertPairsBatch(
  trx: Transaction<Database>,
  pairs: {
    id: string;
    project_id: string;
    prompt_id: string;
    response_a_id: string;
    response_b_id: string;
    priority: number;
    reference: unknown;
  }[],
): Promise<number> {
  if (pairs.length === 0) return 0;
  const inserted = await trx
    .insertInto('pairs')
    .values(
      pairs.map((p) => ({ ...p, reference: p.reference === null ? null : JSON.stringify(p.reference) })),
    )
    .onConflict((oc) => oc.columns(['response_a_id', 'response_b_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
