/**
 * Adjudication: units whose answers disagree beyond the project's threshold, and the decision of a
 * lead or safety reviewer that settles one. A decision is the unit's final answer: consensus and
 * training read it instead of the judgments (the judgments stay, for the annotators' profiles),
 * and it can be promoted to gold in the same transaction.
 */
import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { insertAuditEvent } from '../../db/queries/audit-log';
import { UserInputError, describeZodIssue, requireId } from '../errors';
import { markItemGold, markPairGold } from './gold';
import { qualitySettings } from './settings';

export interface PairDispute {
  pairId: string;
  prompt: string;
  judgments: number;
  /** share of judgments behind the leading direction, per axis */
  helpfulnessAgreement: number;
  safetyAgreement: number;
  decided: boolean;
}

export interface ItemDispute {
  itemId: string;
  text: string;
  labels: number;
  /** share of human labels behind the leading label */
  agreement: number;
  counts: Record<string, number>;
  decided: boolean;
}

/**
 * Pairs of a project with at least two (non-repeat) judgments whose leading direction on either axis
 * has less than `below` of them, least agreement first. Decided pairs are left out unless asked for.
 */
export async function listPairDisputes(
  db: Kysely<Database>,
  options: { projectId: string; below: number; includeDecided?: boolean; limit?: number; offset?: number },
): Promise<{ rows: PairDispute[]; total: number }> {
  const share = (axis: 'helpfulness' | 'safety') =>
    sql.raw(`greatest(count(*) filter (where j.${axis} < 0), count(*) filter (where j.${axis} = 0),
      count(*) filter (where j.${axis} > 0))::float8 / count(*)`);
  const result = await sql<{
    pair_id: string;
    n: number;
    h: number;
    s: number;
    decided: boolean;
    messages: { role: string; content: string }[];
    total: number;
  }>`
    with shares as (
      select j.pair_id, count(*)::int as n, ${share('helpfulness')} as h, ${share('safety')} as s
      from judgments j
      where j.project_id = ${options.projectId} and not j.is_repeat
      group by j.pair_id
      having count(*) >= 2
    ), disputed as (
      select d.*, exists (select 1 from adjudications a where a.pair_id = d.pair_id) as decided
      from shares d where least(d.h, d.s) < ${options.below}::float8
    )
    select d.pair_id, d.n, d.h, d.s, d.decided, q.messages, count(*) over ()::int as total
    from disputed d join pairs p on p.id = d.pair_id join prompts q on q.id = p.prompt_id
    ${options.includeDecided ? sql`` : sql`where not d.decided`}
    order by least(d.h, d.s), d.n desc, d.pair_id
    limit ${options.limit ?? 50} offset ${options.offset ?? 0}`.execute(db);
  return {
    total: result.rows[0]?.total ?? 0,
    rows: result.rows.map((r) => ({
      pairId: r.pair_id,
      prompt: r.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '',
      judgments: r.n,
      helpfulnessAgreement: r.h,
      safetyAgreement: r.s,
      decided: r.decided,
    })),
  };
}

/**
 * Sentiment items with at least two human labels (gold answers excluded) whose leading label has
 * less than `below` of them, or that ended in a tie; least agreement first.
 */
export async function listItemDisputes(
  db: Kysely<Database>,
  options: { projectId: string; below: number; includeDecided?: boolean; limit?: number; offset?: number },
): Promise<{ rows: ItemDispute[]; total: number }> {
  const result = await sql<{
    item_id: string;
    text: string;
    n: number;
    top: number;
    counts: Record<string, number>;
    decided: boolean;
    total: number;
  }>`
    with per_label as (
      select l.item_id, l.label, count(*)::int as c
      from sentiment_labels l
      where l.project_id = ${options.projectId} and l.source = 'human' and not l.is_gold
      group by l.item_id, l.label
    ), per_item as (
      select item_id, sum(c)::int as n, max(c)::float8 / sum(c) as top, jsonb_object_agg(label, c) as counts
      from per_label group by item_id having sum(c) >= 2
    ), disputed as (
      select d.*, s.text, exists (select 1 from adjudications a where a.item_id = d.item_id) as decided
      from per_item d join sentiment_items s on s.id = d.item_id
      where d.top < ${options.below}::float8 or s.final_source = 'tie'
    )
    select d.item_id, d.text, d.n, d.top, d.counts, d.decided, count(*) over ()::int as total
    from disputed d
    ${options.includeDecided ? sql`` : sql`where not d.decided`}
    order by d.top, d.n desc, d.item_id
    limit ${options.limit ?? 50} offset ${options.offset ?? 0}`.execute(db);
  return {
    total: result.rows[0]?.total ?? 0,
    rows: result.rows.map((r) => ({
      itemId: r.item_id,
      text: r.text,
      labels: r.n,
      agreement: r.top,
      counts: r.counts,
      decided: r.decided,
    })),
  };
}

/** The project's adjudication threshold (tasks/quality/settings.ts). */
export async function adjudicationThreshold(db: Kysely<Database>, projectId: string): Promise<number> {
  const project = await db
    .selectFrom('projects')
    .select('settings')
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  return qualitySettings(project.settings).adjudicateBelow;
}

const score = (axis: string) =>
  z.coerce
    .number({ error: `Choose a ${axis} score from -3 to 3.` })
    .int(`Choose a ${axis} score from -3 to 3.`)
    .min(-3, `Choose a ${axis} score from -3 to 3.`)
    .max(3, `Choose a ${axis} score from -3 to 3.`);

export const PairDecisionSchema = z.object({
  helpfulness: score('helpfulness'),
  safety: score('safety'),
  note: z.string().trim().max(2000, 'Keep the note under 2,000 characters.').default(''),
  promoteToGold: z.boolean().default(false),
});

export const ItemDecisionSchema = z.object({
  label: z.string().trim().min(1, 'Choose the label.'),
  note: z.string().trim().max(2000, 'Keep the note under 2,000 characters.').default(''),
  promoteToGold: z.boolean().default(false),
});

function invalid(error: z.ZodError): never {
  const { field, message } = describeZodIssue(error.issues[0]!);
  throw new UserInputError(message, field);
}

type Actor = { id: string; email: string };

/**
 * Records (or replaces) the decision on a pair, canonical A/B scores. With `promoteToGold` the pair
 * becomes a gold pair whose answer is the decision (direction only), in the same transaction.
 */
export async function adjudicatePair(
  db: Kysely<Database>,
  options: { projectId: string; pairId: string; decision: unknown; actor: Actor },
): Promise<void> {
  requireId(options.pairId, 'pairId', 'pair');
  const parsed = PairDecisionSchema.safeParse(options.decision);
  if (!parsed.success) invalid(parsed.error);
  const d = parsed.data;
  await db.transaction().execute(async (trx) => {
    const pair = await trx
      .selectFrom('pairs')
      .select('id')
      .where('id', '=', options.pairId)
      .where('project_id', '=', options.projectId)
      .executeTakeFirst();
    if (!pair) throw new UserInputError('No such pair in this project.', 'pairId', 'not-found');
    const now = new Date();
    await trx
      .insertInto('adjudications')
      .values({
        project_id: options.projectId,
        pair_id: options.pairId,
        decided_by: options.actor.id,
        helpfulness: d.helpfulness,
        safety: d.safety,
        note: d.note,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('pair_id').doUpdateSet({
          decided_by: options.actor.id,
          helpfulness: d.helpfulness,
          safety: d.safety,
          note: d.note,
          updated_at: now,
        }),
      )
      .execute();
    await insertAuditEvent(trx, {
      event: 'adjudication.decided',
      actorUserId: options.actor.id,
      actorEmail: options.actor.email,
      targetType: 'pair',
      targetId: options.pairId,
      details: { helpfulness: d.helpfulness, safety: d.safety, promoteToGold: d.promoteToGold },
    });
  });
  if (d.promoteToGold)
    await markPairGold(db, {
      projectId: options.projectId,
      pairId: options.pairId,
      answer: { helpfulness: d.helpfulness, safety: d.safety, match: 'direction' },
      actor: options.actor,
    });
}

/** Records (or replaces) the decision on a sentiment item: it becomes the item's final label. */
export async function adjudicateItem(
  db: Kysely<Database>,
  options: { projectId: string; itemId: string; decision: unknown; actor: Actor },
): Promise<void> {
  requireId(options.itemId, 'itemId', 'item');
  const parsed = ItemDecisionSchema.safeParse(options.decision);
  if (!parsed.success) invalid(parsed.error);
  const d = parsed.data;
  await db.transaction().execute(async (trx) => {
    const item = await trx
      .selectFrom('sentiment_items as s')
      .innerJoin('projects as pr', 'pr.id', 's.project_id')
      .select(['s.id', 'pr.label_set'])
      .where('s.id', '=', options.itemId)
      .where('s.project_id', '=', options.projectId)
      .forUpdate('s')
      .executeTakeFirst();
    if (!item) throw new UserInputError('No such item in this project.', 'itemId', 'not-found');
    if (!item.label_set.includes(d.label))
      throw new UserInputError(
        `"${d.label}" is not one of this project's labels (${item.label_set.join(', ')}).`,
        'label',
      );
    const now = new Date();
    await trx
      .insertInto('adjudications')
      .values({
        project_id: options.projectId,
        item_id: options.itemId,
        decided_by: options.actor.id,
        label: d.label,
        note: d.note,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column('item_id')
          .doUpdateSet({ decided_by: options.actor.id, label: d.label, note: d.note, updated_at: now }),
      )
      .execute();
    await trx
      .updateTable('sentiment_items')
      .set({ status: 'closed', final_label: d.label, final_source: 'adjudicated', updated_at: now })
      .where('id', '=', options.itemId)
      .where('is_gold', '=', false)
      .execute();
    await insertAuditEvent(trx, {
      event: 'adjudication.decided',
      actorUserId: options.actor.id,
      actorEmail: options.actor.email,
      targetType: 'item',
      targetId: options.itemId,
      details: { label: d.label, promoteToGold: d.promoteToGold },
    });
  });
  if (d.promoteToGold)
    await markItemGold(db, {
      projectId: options.projectId,
      itemId: options.itemId,
      label: d.label,
      actor: options.actor,
    });
}

/** The decision on a pair or item, if any, with who made it. */
export async function findAdjudication(db: Kysely<Database>, unit: { pairId?: string; itemId?: string }) {
  let query = db
    .selectFrom('adjudications as a')
    .leftJoin('users as u', 'u.id', 'a.decided_by')
    .select(['a.id', 'a.helpfulness', 'a.safety', 'a.label', 'a.note', 'a.updated_at', 'u.display_name']);
  query = unit.pairId
    ? query.where('a.pair_id', '=', unit.pairId)
    : query.where('a.item_id', '=', unit.itemId!);
  return query.executeTakeFirst();
}

/** What the adjudication screen shows for a sentiment item: its text and every label with who gave it. */
export async function loadItemDispute(db: Kysely<Database>, itemId: string) {
  const item = await db
    .selectFrom('sentiment_items as s')
    .innerJoin('projects as pr', 'pr.id', 's.project_id')
    .leftJoin('prelabels as p', 'p.id', 's.prelabel_id')
    .select([
      's.id',
      's.text',
      's.final_label',
      's.final_source',
      's.is_gold',
      'pr.id as project_id',
      'pr.label_set',
      'p.label as prelabel',
      'p.confidence',
    ])
    .where('s.id', '=', itemId)
    .executeTakeFirst();
  if (!item) return null;
  const labels = await db
    .selectFrom('sentiment_labels as l')
    .leftJoin('users as u', 'u.id', 'l.annotator_id')
    .select(['l.id', 'l.label', 'l.source', 'l.time_on_task_ms', 'l.created_at', 'u.display_name'])
    .where('l.item_id', '=', itemId)
    .where('l.is_gold', '=', false)
    .orderBy('l.created_at')
    .execute();
  return { item, labels, decision: (await findAdjudication(db, { itemId })) ?? null };
}
