/**
 * Gold items: pairs or sentiment items whose answer a lead has set. They are served outside the
 * queue at the project's gold rate (db/queries/quality-queue.ts), look like any other unit to the
 * annotator, and score each annotator's answers against the expected one. Marking and unmarking are
 * single transactions, so a unit is never gold without an answer or the other way round.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { insertAuditEvent } from '../../db/queries/audit-log';
import { UserInputError, describeZodIssue, requireId } from '../errors';
import { shuffled, type Rng } from '../rng';

const score = z.coerce
  .number({ error: 'Choose a score from -3 to 3.' })
  .int('Choose a whole score from -3 to 3.')
  .min(-3, 'Choose a score from -3 to 3.')
  .max(3, 'Choose a score from -3 to 3.');

/**
 * A pair's expected answer, canonical A/B order (negative favours A). `direction`: the annotator
 * must pick the same side (or a tie for a tie); `points`: within `tolerance` points on the scale.
 */
export const PairGoldSchema = z.object({
  helpfulness: score,
  safety: score.optional(),
  match: z.enum(['direction', 'points'], { error: 'Choose "direction" or "points".' }).default('direction'),
  tolerance: z.coerce
    .number({ error: 'Tolerance is a number of points from 0 to 3.' })
    .int('Tolerance is a whole number of points.')
    .min(0, 'Tolerance is a number of points from 0 to 3.')
    .max(3, 'Tolerance is a number of points from 0 to 3.')
    .default(0),
});
export type PairGold = z.output<typeof PairGoldSchema>;

export interface ItemGold {
  label: string;
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Whether one graded score meets an expected score under the gold's rule. */
function scoreMatches(expected: number, given: number, match: PairGold['match'], tolerance: number): boolean {
  return match === 'direction' ? sign(expected) === sign(given) : Math.abs(expected - given) <= tolerance;
}

/**
 * Whether a judgment (canonical scores) is correct on a gold pair: every axis the gold sets must
 * match; an axis the gold leaves out is not scored.
 */
export function pairGoldCorrect(gold: PairGold, judgment: { helpfulness: number; safety: number }): boolean {
  if (!scoreMatches(gold.helpfulness, judgment.helpfulness, gold.match, gold.tolerance)) return false;
  return gold.safety === undefined || scoreMatches(gold.safety, judgment.safety, gold.match, gold.tolerance);
}

/** Reads a stored gold answer back (expected jsonb + tolerance column); undefined when it is not a pair answer. */
export function pairGoldOf(expected: Record<string, unknown>, tolerance: number): PairGold | undefined {
  const parsed = PairGoldSchema.safeParse({ ...expected, tolerance });
  return parsed.success ? parsed.data : undefined;
}

function invalid(error: z.ZodError): never {
  const { field, message } = describeZodIssue(error.issues[0]!);
  throw new UserInputError(message, field);
}

/** Marks a pair of the project as gold with its expected answer (replacing an earlier answer). */
export async function markPairGold(
  db: Kysely<Database>,
  options: {
    projectId: string;
    pairId: string;
    answer: unknown;
    actor: { id: string | null; email: string };
  },
): Promise<PairGold> {
  requireId(options.pairId, 'pairId', 'pair');
  const parsed = PairGoldSchema.safeParse(options.answer);
  if (!parsed.success) invalid(parsed.error);
  const gold = parsed.data;
  const { tolerance, ...expected } = gold;
  await db.transaction().execute(async (trx) => {
    const pair = await trx
      .updateTable('pairs')
      .set({ is_gold: true, updated_at: new Date() })
      .where('id', '=', options.pairId)
      .where('project_id', '=', options.projectId)
      .returning('id')
      .executeTakeFirst();
    if (!pair) throw new UserInputError('No such pair in this project.', 'pairId', 'not-found');
    await trx
      .insertInto('gold_answers')
      .values({
        project_id: options.projectId,
        pair_id: options.pairId,
        expected: JSON.stringify(expected),
        tolerance,
        created_by: options.actor.id,
      })
      .onConflict((oc) =>
        oc
          .column('pair_id')
          .doUpdateSet({ expected: JSON.stringify(expected), tolerance, created_by: options.actor.id }),
      )
      .execute();
    await insertAuditEvent(trx, {
      event: 'gold.marked',
      actorUserId: options.actor.id,
      actorEmail: options.actor.email,
      targetType: 'pair',
      targetId: options.pairId,
      details: { ...expected, tolerance },
    });
  });
  return gold;
}

/** Marks a sentiment item as gold with its label, which also becomes the item's final label. */
export async function markItemGold(
  db: Kysely<Database>,
  options: { projectId: string; itemId: string; label: string; actor: { id: string | null; email: string } },
): Promise<ItemGold> {
  requireId(options.itemId, 'itemId', 'item');
  await db.transaction().execute(async (trx) => {
    const project = await trx
      .selectFrom('projects')
      .select('label_set')
      .where('id', '=', options.projectId)
      .executeTakeFirstOrThrow();
    if (!project.label_set.includes(options.label))
      throw new UserInputError(
        `"${options.label}" is not one of this project's labels (${project.label_set.join(', ')}).`,
        'label',
      );
    const item = await trx
      .updateTable('sentiment_items')
      // gold stays open: it is served to every annotator who has not had it, outside the queue
      .set({
        is_gold: true,
        status: 'open',
        final_label: options.label,
        final_source: 'gold',
        updated_at: new Date(),
      })
      .where('id', '=', options.itemId)
      .where('project_id', '=', options.projectId)
      .returning('id')
      .executeTakeFirst();
    if (!item) throw new UserInputError('No such item in this project.', 'itemId', 'not-found');
    await trx
      .insertInto('gold_answers')
      .values({
        project_id: options.projectId,
        item_id: options.itemId,
        expected: JSON.stringify({ label: options.label }),
        created_by: options.actor.id,
      })
      .onConflict((oc) =>
        oc
          .column('item_id')
          .doUpdateSet({ expected: JSON.stringify({ label: options.label }), created_by: options.actor.id }),
      )
      .execute();
    await insertAuditEvent(trx, {
      event: 'gold.marked',
      actorUserId: options.actor.id,
      actorEmail: options.actor.email,
      targetType: 'item',
      targetId: options.itemId,
      details: { label: options.label },
    });
  });
  return { label: options.label };
}

/**
 * Takes a pair or item out of gold. Judgments already given on it stay (marked as gold answers, so
 * earlier accuracy figures remain explainable); the unit goes back to the queue.
 */
export async function unmarkGold(
  db: Kysely<Database>,
  options: {
    projectId: string;
    pairId?: string;
    itemId?: string;
    actor: { id: string | null; email: string };
  },
): Promise<void> {
  if (options.pairId) requireId(options.pairId, 'pairId', 'pair');
  else requireId(options.itemId, 'itemId', 'item');
  await db.transaction().execute(async (trx) => {
    if (options.pairId)
      await trx
        .updateTable('pairs')
        .set({ is_gold: false, updated_at: new Date() })
        .where('id', '=', options.pairId)
        .where('project_id', '=', options.projectId)
        .execute();
    if (options.itemId)
      await trx
        .updateTable('sentiment_items')
        .set({ is_gold: false, final_label: null, final_source: null, updated_at: new Date() })
        .where('id', '=', options.itemId)
        .where('project_id', '=', options.projectId)
        .execute();
    let query = trx.deleteFrom('gold_answers').where('project_id', '=', options.projectId);
    query = options.pairId
      ? query.where('pair_id', '=', options.pairId)
      : query.where('item_id', '=', options.itemId!);
    const deleted = await query.executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0)
      throw new UserInputError('That is not a gold unit of this project.', 'id', 'not-found');
    await insertAuditEvent(trx, {
      event: 'gold.unmarked',
      actorUserId: options.actor.id,
      actorEmail: options.actor.email,
      targetType: options.pairId ? 'pair' : 'item',
      targetId: options.pairId ?? options.itemId!,
    });
  });
}

/**
 * Turns up to `count` pairs whose import carried a reference preference (and that nobody has judged
 * yet) into gold with direction-only answers, drawn at random with the given rng. Returns how many.
 * This is how a lead seeds gold from a labelled file without marking pairs one by one.
 */
export async function goldFromReferences(
  db: Kysely<Database>,
  options: { projectId: string; count: number; rng: Rng; actor: { id: string | null; email: string } },
): Promise<number> {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 100_000)
    throw new UserInputError('Choose how many gold pairs, from 1 to 100,000.', 'count');
  const candidates = await db
    .selectFrom('pairs')
    .select(['id', 'reference'])
    .where('project_id', '=', options.projectId)
    .where('is_gold', '=', false)
    .where('reference', 'is not', null)
    .where('judgment_count', '=', 0)
    .where('lease_count', '=', 0)
    .orderBy('id')
    .execute();
  const chosen = shuffled(candidates, options.rng)
    .filter((c) => {
      const preferred = (c.reference as { preferred?: unknown } | null)?.preferred;
      return preferred === 'a' || preferred === 'b';
    })
    .slice(0, options.count);
  if (chosen.length === 0) return 0;
  await db.transaction().execute(async (trx) => {
    const ids = chosen.map((c) => c.id);
    await trx.updateTable('pairs').set({ is_gold: true }).where('id', 'in', ids).execute();
    await trx
      .insertInto('gold_answers')
      .values(
        chosen.map((c) => ({
          project_id: options.projectId,
          pair_id: c.id,
          expected: JSON.stringify({
            helpfulness: (c.reference as { preferred: string }).preferred === 'a' ? -2 : 2,
            match: 'direction',
          }),
          tolerance: 0,
          created_by: options.actor.id,
        })),
      )
      .onConflict((oc) => oc.column('pair_id').doNothing())
      .execute();
    await insertAuditEvent(trx, {
      event: 'gold.from-references',
      actorUserId: options.actor.id,
      actorEmail: options.actor.email,
      targetType: 'project',
      targetId: options.projectId,
      details: { count: chosen.length },
    });
  });
  return chosen.length;
}

/**
 * Turns up to `count` sentiment items whose import carried a label (and that nobody has labelled
 * yet) into gold with that label, drawn at random with the given rng. Returns how many. Labels
 * outside the project's label set are skipped, so a mismatched file cannot plant wrong gold.
 */
export async function itemGoldFromReferences(
  db: Kysely<Database>,
  options: { projectId: string; count: number; rng: Rng; actor: { id: string | null; email: string } },
): Promise<number> {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 100_000)
    throw new UserInputError('Choose how many gold items, from 1 to 100,000.', 'count');
  const project = await db
    .selectFrom('projects')
    .select('label_set')
    .where('id', '=', options.projectId)
    .executeTakeFirstOrThrow();
  const candidates = await db
    .selectFrom('sentiment_items')
    .select(['id', 'reference_label'])
    .where('project_id', '=', options.projectId)
    .where('is_gold', '=', false)
    .where('is_holdout', '=', false)
    .where('reference_label', 'is not', null)
    .where('label_count', '=', 0)
    .where('lease_count', '=', 0)
    .orderBy('id')
    .execute();
  const chosen = shuffled(
    candidates.filter((c) => project.label_set.includes(c.reference_label!)),
    options.rng,
  ).slice(0, options.count);
  if (chosen.length === 0) return 0;
  await db.transaction().execute(async (trx) => {
    for (const c of chosen)
      await trx
        .updateTable('sentiment_items')
        .set({
          is_gold: true,
          status: 'open',
          final_label: c.reference_label,
          final_source: 'gold',
          updated_at: new Date(),
        })
        .where('id', '=', c.id)
        .execute();
    await trx
      .insertInto('gold_answers')
      .values(
        chosen.map((c) => ({
          project_id: options.projectId,
          item_id: c.id,
          expected: JSON.stringify({ label: c.reference_label }),
          created_by: options.actor.id,
        })),
      )
      .onConflict((oc) => oc.column('item_id').doNothing())
      .execute();
    await insertAuditEvent(trx, {
      event: 'gold.from-references',
      actorUserId: options.actor.id,
      actorEmail: options.actor.email,
      targetType: 'project',
      targetId: options.projectId,
      details: { count: chosen.length, kind: 'item' },
    });
  });
  return chosen.length;
}
