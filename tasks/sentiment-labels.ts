/**
 * Sentiment labeling: the annotator's next item (a lease from the shared queue), what the labeling
 * screen shows for it, and recording a label. A submission carries an id made when the page was
 * served, so a double click or a retry never stores two labels. An item needs its project's
 * redundancy of human labels (an audit needs one); its final label is the plurality, and an
 * audit's label replaces the accepted pre-label it checked.
 */
import type { z } from 'zod';
import type { Kysely, Transaction } from 'kysely';
import type { Database, PrelabelSource } from '../db/schema';
import {
  expireLeasesSoon,
  findOpenLease,
  hasAvailable,
  leaseNext,
  lockAssignment,
  type Annotator,
  type Lease,
} from '../db/queries/queue';
import { insertAuditEvent } from '../db/queries/audit-log';
import { findProjectBySlug } from '../db/queries/projects';
import { leaseGold } from '../db/queries/quality-queue';
import { scheduleQualityRefresh } from './quality/refresh';
import type { Rng } from './rng';
import { requireId, UserInputError } from './errors';
import { skipAssignment } from './queue';
import { SubmitLabelSchema, type SubmitLabelInput } from './sentiment-labels.schema';
import { sentimentSettings } from './sentiment-settings';

const LEASE_ATTEMPTS = 8;
/** How long after submitting an annotator may still change a label. */
export const LABEL_EDIT_WINDOW_MS = 7 * 86_400_000;

/**
 * The annotator's current item: their open lease if they have one (a reload shows the same item),
 * otherwise a new lease chosen by the queue. null when nothing is available to them.
 */
export async function nextItem(
  db: Kysely<Database>,
  options: { annotator: Annotator; projectSlug?: string | null; now?: Date; rng?: Rng },
): Promise<Lease | null> {
  const now = options.now ?? new Date();
  let projectId: string | null = null;
  if (options.projectSlug) {
    const project = await findProjectBySlug(db, options.projectSlug);
    if (!project || project.type !== 'sentiment')
      throw new UserInputError(`No sentiment project "${options.projectSlug}".`, 'project', 'not-found');
    projectId = project.id;
  }
  await expireLeasesSoon(db, now);
  const open = await findOpenLease(db, options.annotator.id, projectId, now, 'item');
  if (open) return open;
  // a gold item at the project's gold rate (db/queries/quality-queue.ts); without an rng, no gold
  if (options.rng) {
    const draw = options.rng();
    const gold = await db
      .transaction()
      .execute((trx) =>
        leaseGold(trx, { kind: 'item', annotator: options.annotator, projectId, now, leftIsA: true, draw }),
      );
    if (gold) return gold;
  }
  for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
    const lease = await leaseNext(db, {
      kind: 'item',
      annotator: options.annotator,
      projectId,
      now,
      leftIsA: true,
    });
    if (lease) return lease;
    if (!(await hasAvailable(db, 'item', options.annotator, projectId))) return null;
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * (attempt + 1)));
  }
  return null;
}

export interface ItemView {
  assignmentId: string;
  itemId: string;
  project: {
    id: string;
    slug: string;
    name: string;
    guidelines: string;
    labels: string[];
    redundancy: number;
  };
  text: string;
  language: string | null;
  /** an audit checks an accepted pre-label, so the pre-label is never shown for it */
  isAudit: boolean;
  /** shown unless the project is blind or this is an audit */
  prelabel: { label: string; confidence: number; source: PrelabelSource } | null;
  /** the project hides pre-labels to avoid anchoring */
  blind: boolean;
  expiresAt: Date;
}

/** What the labeling screen shows for one of the annotator's assignments (never the reference label). */
export async function loadItemView(
  db: Kysely<Database>,
  assignmentId: string,
  annotatorId: string,
): Promise<ItemView | null> {
  const row = await db
    .selectFrom('assignments as a')
    .innerJoin('sentiment_items as s', 's.id', 'a.item_id')
    .innerJoin('projects as pr', 'pr.id', 's.project_id')
    .leftJoin('prelabels as p', 'p.id', 's.prelabel_id')
    .select([
      'a.id as assignment_id',
      'a.expires_at',
      's.id as item_id',
      's.text',
      's.language',
      's.route',
      'pr.id as project_id',
      'pr.slug',
      'pr.name',
      'pr.guidelines',
      'pr.label_set',
      'pr.redundancy',
      'pr.settings',
      'p.label as prelabel',
      'p.confidence',
      'p.source',
    ])
    .where('a.id', '=', assignmentId)
    .where('a.annotator_id', '=', annotatorId)
    .executeTakeFirst();
  if (!row) return null;
  const blind = sentimentSettings(row.settings).blindPrelabels;
  const isAudit = row.route === 'audit';
  return {
    assignmentId: row.assignment_id,
    itemId: row.item_id,
    project: {
      id: row.project_id,
      slug: row.slug,
      name: row.name,
      guidelines: row.guidelines,
      labels: row.label_set,
      redundancy: row.redundancy,
    },
    text: row.text,
    language: row.language,
    isAudit,
    blind,
    prelabel:
      !blind && !isAudit && row.prelabel && row.source
        ? { label: row.prelabel, confidence: Number(row.confidence), source: row.source }
        : null,
    expiresAt: row.expires_at,
  };
}

/** The plurality of `labels`, or null on a tie for first place. */
export function plurality(labels: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  let tied = false;
  for (const [label, n] of counts) {
    if (n > bestCount) {
      best = label;
      bestCount = n;
      tied = false;
    } else if (n === bestCount) tied = true;
  }
  return tied ? null : best;
}

/** Recomputes a human-routed item's final label from its human labels once it has enough. */
async function settleItem(trx: Transaction<Database>, itemId: string, now: Date): Promise<void> {
  const item = await trx
    .selectFrom('sentiment_items as s')
    .innerJoin('projects as pr', 'pr.id', 's.project_id')
    .select(['s.route', 's.label_count', 'pr.redundancy'])
    .where('s.id', '=', itemId)
    .executeTakeFirstOrThrow();
  if (item.route === 'audit') return;
  const labels = await trx
    .selectFrom('sentiment_labels')
    .select('label')
    .where('item_id', '=', itemId)
    .where('source', '=', 'human')
    .execute();
  const done = item.label_count >= item.redundancy;
  const final = plurality(labels.map((l) => l.label));
  await trx
    .updateTable('sentiment_items')
    .set({
      status: done ? 'closed' : 'open',
      final_label: done ? final : null,
      // a tie among the required labels is settled by adjudication, not here
      final_source: done ? (final === null ? 'tie' : 'human') : null,
      updated_at: now,
    })
    .where('id', '=', itemId)
    .execute();
}

export interface LabelResult {
  labelId: string;
  duplicate: boolean;
  /** the audit's outcome, when the item was an audit */
  audit: { agrees: boolean; prelabel: string } | null;
}

function invalid(error: z.ZodError): never {
  const issue = error.issues[0]!;
  throw new UserInputError(issue.message, String(issue.path[0] ?? '') || undefined);
}

/**
 * Records a label for one of the annotator's item assignments. Idempotent on `labelId`. A lease
 * that expired is still honoured while the item has room; otherwise the person is told plainly.
 */
export async function submitLabel(
  db: Kysely<Database>,
  annotatorId: string,
  input: SubmitLabelInput,
  now = new Date(),
): Promise<LabelResult> {
  const parsed = SubmitLabelSchema.safeParse(input);
  if (!parsed.success) invalid(parsed.error);
  const { labelId, assignmentId, label, timeOnTaskMs } = parsed.data;
  let projectId: string | null = null;
  const result = await db.transaction().execute(async (trx): Promise<LabelResult> => {
    const findTwin = async () => {
      const existing = await trx
        .selectFrom('sentiment_labels')
        .select('annotator_id')
        .where('id', '=', labelId)
        .executeTakeFirst();
      if (!existing) return null;
      if (existing.annotator_id !== annotatorId)
        throw new UserInputError('This submission id is taken; reload the page.', 'labelId');
      return { labelId, duplicate: true, audit: null } satisfies LabelResult;
    };
    const early = await findTwin();
    if (early) return early;
    const assignment = await lockAssignment(trx, assignmentId, annotatorId);
    // a simultaneous twin (a double click) may have committed while we waited for the lock
    const twin = await findTwin();
    if (twin) return twin;
    if (!assignment?.item_id)
      throw new UserInputError('Unknown item; reload the page.', 'assignmentId', 'not-found');
    if (assignment.status === 'submitted')
      throw new UserInputError(
        'You already labelled this item (perhaps in another tab).',
        'assignmentId',
        'conflict',
      );
    if (assignment.status === 'skipped' || assignment.status === 'released')
      throw new UserInputError(
        'You skipped this item, so there is nothing to submit.',
        'assignmentId',
        'conflict',
      );
    const item = await trx
      .selectFrom('sentiment_items as s')
      .innerJoin('projects as pr', 'pr.id', 's.project_id')
      .leftJoin('prelabels as p', 'p.id', 's.prelabel_id')
      .select([
        's.id',
        's.route',
        's.label_count',
        's.lease_count',
        'pr.redundancy',
        'pr.label_set',
        'p.label as prelabel',
      ])
      .where('s.id', '=', assignment.item_id)
      .forUpdate('s')
      .executeTakeFirstOrThrow();
    if (!item.label_set.includes(label))
      throw new UserInputError(
        `"${label}" is not one of this project's labels (${item.label_set.join(', ')}).`,
        'label',
      );
    const wasLeased = assignment.status === 'leased';
    const need = item.route === 'audit' ? 1 : item.redundancy;
    const isGold = assignment.is_gold;
    if (!wasLeased && !isGold && item.label_count + item.lease_count >= need)
      throw new UserInputError(
        'Your time on this item ran out and it was given to someone else, so this label was not needed. The next item is ready.',
        'assignmentId',
        'expired',
      );
    const isAudit = item.route === 'audit';
    projectId = assignment.project_id;
    await trx
      .insertInto('sentiment_labels')
      .values({
        id: labelId,
        project_id: assignment.project_id,
        item_id: item.id,
        annotator_id: annotatorId,
        assignment_id: assignment.id,
        label,
        source: isAudit ? 'audit' : 'human',
        time_on_task_ms: timeOnTaskMs,
        is_gold: isGold,
        created_at: now,
      })
      .execute();
    await trx
      .updateTable('assignments')
      .set({ status: 'submitted', completed_at: now })
      .where('id', '=', assignment.id)
      .execute();
    await trx
      .updateTable('sentiment_items')
      .set((eb) => ({
        label_count: eb('label_count', '+', 1),
        lease_count: wasLeased ? eb('lease_count', '-', 1) : eb.ref('lease_count'),
        updated_at: now,
      }))
      .where('id', '=', item.id)
      .execute();
    let audit: LabelResult['audit'] = null;
    // a gold item's answer is known: labels on it score the annotator and never settle it
    if (isGold) return { labelId, duplicate: false, audit };
    if (isAudit) {
      const agrees = label === item.prelabel;
      await trx
        .updateTable('audits')
        .set({ status: 'done', auditor_id: annotatorId, label, agrees, completed_at: now })
        .where('item_id', '=', item.id)
        .where('status', '=', 'pending')
        .execute();
      // the person's answer is the item's label from now on, right or wrong the pre-label was
      await trx
        .updateTable('sentiment_items')
        .set({ status: 'closed', final_label: label, final_source: 'audit', updated_at: now })
        .where('id', '=', item.id)
        .execute();
      audit = { agrees, prelabel: item.prelabel ?? '' };
    } else await settleItem(trx, item.id, now);
    return { labelId, duplicate: false, audit };
  });
  // after the commit: the label is safe whatever scheduling does (it never throws)
  if (projectId) await scheduleQualityRefresh(db, projectId);
  return result;
}

/** Skips a leased item with a reason (the queue's skip, which handles pairs and items alike). */
export const skipItem = skipAssignment;

export interface RecentLabel {
  id: string;
  itemId: string;
  projectName: string;
  projectSlug: string;
  text: string;
  label: string;
  labels: string[];
  source: 'human' | 'audit';
  createdAt: Date;
  editable: boolean;
}

/** The annotator's latest labels, newest first. */
export async function listRecentLabels(
  db: Kysely<Database>,
  annotatorId: string,
  limit = 50,
  now = new Date(),
): Promise<RecentLabel[]> {
  const rows = await db
    .selectFrom('sentiment_labels as l')
    .innerJoin('sentiment_items as s', 's.id', 'l.item_id')
    .innerJoin('projects as pr', 'pr.id', 'l.project_id')
    .select([
      'l.id',
      'l.item_id',
      'l.label',
      'l.source',
      'l.created_at',
      's.text',
      'pr.name',
      'pr.slug',
      'pr.label_set',
    ])
    .where('l.annotator_id', '=', annotatorId)
    .where('l.source', 'in', ['human', 'audit'])
    .orderBy('l.created_at', 'desc')
    .orderBy('l.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    itemId: r.item_id,
    projectName: r.name,
    projectSlug: r.slug,
    text: r.text.length > 160 ? `${r.text.slice(0, 157)}…` : r.text,
    label: r.label,
    labels: r.label_set,
    source: r.source as 'human' | 'audit',
    createdAt: r.created_at,
    editable: now.getTime() - r.created_at.getTime() <= LABEL_EDIT_WINDOW_MS,
  }));
}

/**
 * Changes one of the annotator's own labels within LABEL_EDIT_WINDOW_MS and settles the item again
 * (its final label, or the audit's outcome). The change is kept in the audit log.
 */
export async function changeLabel(
  db: Kysely<Database>,
  annotatorId: string,
  labelId: string,
  newLabel: string,
  now = new Date(),
): Promise<{ previous: string }> {
  requireId(labelId, 'labelId', 'label of yours');
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('sentiment_labels as l')
      .innerJoin('projects as pr', 'pr.id', 'l.project_id')
      .select(['l.id', 'l.item_id', 'l.label', 'l.source', 'l.created_at', 'l.project_id', 'pr.label_set'])
      .where('l.id', '=', labelId)
      .where('l.annotator_id', '=', annotatorId)
      .forUpdate('l')
      .executeTakeFirst();
    if (!current) throw new UserInputError('No such label of yours.', 'labelId', 'not-found');
    if (now.getTime() - current.created_at.getTime() > LABEL_EDIT_WINDOW_MS)
      throw new UserInputError('Labels can be changed for 7 days; this one is older.', 'labelId', 'too-old');
    if (!current.label_set.includes(newLabel))
      throw new UserInputError(
        `"${newLabel}" is not one of this project's labels (${current.label_set.join(', ')}).`,
        'label',
      );
    await trx.updateTable('sentiment_labels').set({ label: newLabel }).where('id', '=', labelId).execute();
    if (current.source === 'audit') {
      const item = await trx
        .selectFrom('sentiment_items as s')
        .innerJoin('audits as a', 'a.item_id', 's.id')
        .leftJoin('prelabels as p', 'p.id', 'a.prelabel_id')
        .select(['p.label'])
        .where('s.id', '=', current.item_id)
        .executeTakeFirst();
      await trx
        .updateTable('audits')
        .set({ label: newLabel, agrees: newLabel === item?.label })
        .where('item_id', '=', current.item_id)
        .execute();
      await trx
        .updateTable('sentiment_items')
        .set({ final_label: newLabel, updated_at: now })
        .where('id', '=', current.item_id)
        .execute();
    } else await settleItem(trx, current.item_id, now);
    await insertAuditEvent(trx, {
      event: 'label.changed',
      actorUserId: annotatorId,
      targetType: 'sentiment_label',
      targetId: labelId,
      details: { from: current.label, to: newLabel, item_id: current.item_id },
    });
    return { previous: current.label };
  });
}
