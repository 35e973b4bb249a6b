/**
 * The active reward model's score of every candidate pair, per axis, and the pair texts a model
 * reads to produce them.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ChatMessage, Database, RewardAxis } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface PairScore {
  pair_id: string;
  axis: RewardAxis;
  model_id: string;
  reward_a: number;
  reward_b: number;
  probability_a: number;
  uncertainty: number;
  spread: number;
}

export interface PairText {
  id: string;
  messages: ChatMessage[];
  a: string;
  b: string;
}

/** How many candidate pairs the project has (what activation will score). */
export async function countProjectPairs(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('pairs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One page of a project's pairs with their conversation and both response texts, in id order
 * (keyset: pass the last id seen as `after`).
 */
export async function listPairTexts(
  db: Db,
  options: { projectId: string; after?: string; limit: number },
): Promise<PairText[]> {
  let query = db
    .selectFrom('pairs as p')
    .innerJoin('prompts as pr', 'pr.id', 'p.prompt_id')
    .innerJoin('responses as ra', 'ra.id', 'p.response_a_id')
    .innerJoin('responses as rb', 'rb.id', 'p.response_b_id')
    .select(['p.id', 'pr.messages', 'ra.text as a', 'rb.text as b'])
    .where('p.project_id', '=', options.projectId)
    .orderBy('p.id')
    .limit(options.limit);
  if (options.after) query = query.where('p.id', '>', options.after);
  return query.execute();
}

/** The texts of the given pairs (any order). */
export async function findPairTexts(db: Db, pairIds: readonly string[]): Promise<PairText[]> {
  if (pairIds.length === 0) return [];
  return db
    .selectFrom('pairs as p')
    .innerJoin('prompts as pr', 'pr.id', 'p.prompt_id')
    .innerJoin('responses as ra', 'ra.id', 'p.response_a_id')
    .innerJoin('responses as rb', 'rb.id', 'p.response_b_id')
    .select(['p.id', 'pr.messages', 'ra.text as a', 'rb.text as b'])
    .where('p.id', 'in', pairIds)
    .execute();
}

/**
 * Inserts or replaces scores, one statement per call (pass a batch). A row is written only while
 * its model is still the active one, so a slower, superseded activation cannot overwrite the
 * scores of the model that replaced it.
 */
export async function upsertPairScores(db: Db, scores: readonly PairScore[], now: Date): Promise<number> {
  if (scores.length === 0) return 0;
  const modelIds = [...new Set(scores.map((s) => s.model_id))];
  const active = await db
    .selectFrom('models')
    .select('id')
    .where('id', 'in', modelIds)
    .where('is_active', '=', true)
    .execute();
  const live = new Set(active.map((m) => m.id));
  const rows = scores.filter((s) => live.has(s.model_id)).map((s) => ({ ...s, scored_at: now }));
  if (rows.length === 0) return 0;
  await db
    .insertInto('pair_scores')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['pair_id', 'axis']).doUpdateSet((eb) => ({
        model_id: eb.ref('excluded.model_id'),
        reward_a: eb.ref('excluded.reward_a'),
        reward_b: eb.ref('excluded.reward_b'),
        probability_a: eb.ref('excluded.probability_a'),
        uncertainty: eb.ref('excluded.uncertainty'),
        spread: eb.ref('excluded.spread'),
        scored_at: eb.ref('excluded.scored_at'),
      })),
    )
    .execute();
  return rows.length;
}

/** Removes a project's scores on `axis` that some other model than `keepModelId` wrote. */
export async function deleteOtherPairScores(
  db: Db,
  options: { projectId: string; axis: RewardAxis; keepModelId: string },
): Promise<number> {
  const result = await db
    .deleteFrom('pair_scores')
    .where('axis', '=', options.axis)
    .where('model_id', '!=', options.keepModelId)
    .where('pair_id', 'in', (eb) =>
      eb.selectFrom('pairs').select('id').where('project_id', '=', options.projectId),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many of a project's pairs have a score on `axis`, by model. */
export async function countPairScores(
  db: Db,
  options: { projectId: string; axis: RewardAxis },
): Promise<{ model_id: string; n: number }[]> {
  const rows = await db
    .selectFrom('pair_scores as s')
    .innerJoin('pairs as p', 'p.id', 's.pair_id')
    .select(['s.model_id', sql<number>`count(*)`.as('n')])
    .where('p.project_id', '=', options.projectId)
    .where('s.axis', '=', options.axis)
    .groupBy('s.model_id')
    .execute();
  return rows.map((r) => ({ model_id: r.model_id, n: Number(r.n) }));
}

/** A project's scores on `axis`, pair id order. */
export async function listPairScores(
  db: Db,
  options: { projectId: string; axis: RewardAxis },
): Promise<PairScore[]> {
  return db
    .selectFrom('pair_scores as s')
    .innerJoin('pairs as p', 'p.id', 's.pair_id')
    .select([
      's.pair_id',
      's.axis',
      's.model_id',
      's.reward_a',
      's.reward_b',
      's.probability_a',
      's.uncertainty',
      's.spread',
    ])
    .where('p.project_id', '=', options.projectId)
    .where('s.axis', '=', options.axis)
    .orderBy('s.pair_id')
    .execute();
}
