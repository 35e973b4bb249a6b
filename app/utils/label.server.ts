/** The labeling screen's door to the queue and labels, bound to this process's database. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { PublicUser } from '../../db/queries/users';
import {
  changeLabel,
  listRecentLabels,
  loadItemView,
  nextItem,
  skipItem,
  submitLabel,
} from '../../tasks/sentiment-labels';
import type { SubmitLabelInput } from '../../tasks/sentiment-labels.schema';
import { refuseForeignIds } from '../../tasks/foreign-ids';
import { getAppContext } from './context.server';

export async function currentItem(user: PublicUser, projectSlug: string | null) {
  const db = getAppContext().db;
  const lease = await nextItem(db, {
    annotator: { id: user.id, languages: user.languages, domains: user.domains },
    projectSlug,
    // gold items only need to be unpredictable to the annotator, not reproducible
    rng: Math.random,
  });
  if (!lease) return null;
  const view = await loadItemView(db, lease.assignment_id, user.id);
  return view ? { ...view, submissionId: randomUUID() } : null;
}

// an id of someone else's label or lease is refused as "no such …" and recorded (foreign-ids.ts)
const who = (user: PublicUser) => ({ userId: user.id, email: user.email });

export const submit = (user: PublicUser, input: SubmitLabelInput) =>
  refuseForeignIds(
    getAppContext().db,
    who(user),
    'submit',
    { assignment: input.assignmentId, sentiment_label: input.labelId },
    () => submitLabel(getAppContext().db, user.id, input),
  );
export const skip = (user: PublicUser, input: Parameters<typeof skipItem>[2]) =>
  refuseForeignIds(getAppContext().db, who(user), 'skip', { assignment: input.assignmentId }, () =>
    skipItem(getAppContext().db, user.id, input),
  );
export const recentLabels = (user: PublicUser, limit?: number) =>
  listRecentLabels(getAppContext().db, user.id, limit);
export const change = (user: PublicUser, labelId: string, label: string) =>
  refuseForeignIds(getAppContext().db, who(user), 'edit', { sentiment_label: labelId }, () =>
    changeLabel(getAppContext().db, user.id, labelId, label),
  );

/** Labels the annotator gave today (UTC) and in all. */
export async function labelStats(user: PublicUser, now = new Date()) {
  const row = await getAppContext()
    .db.selectFrom('sentiment_labels')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      sql<number>`count(*) filter (where created_at >= ${new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`)})`.as(
        'today',
      ),
    ])
    .where('annotator_id', '=', user.id)
    .executeTakeFirst();
  return { today: Number(row?.today ?? 0), total: Number(row?.total ?? 0) };
}
