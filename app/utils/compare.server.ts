/** The compare screen's door to the queue and judgments, bound to this process's database. */
import { randomUUID } from 'node:crypto';
import type { PublicUser } from '../../db/queries/users';
import { loadPairView, nextPair, skipPair } from '../../tasks/queue';
import { editJudgment, listRecentJudgments, loadOwnJudgment, submitJudgment } from '../../tasks/judgments';
import type { SubmitJudgmentInput } from '../../tasks/judgments.schema';
import { auditForeignIds, refuseForeignIds } from '../../tasks/foreign-ids';
import { annotatorStats as countsOf } from '../../tasks/annotator-stats';
import { getAppContext } from './context.server';

/** Left/right placement only needs to be unpredictable to the annotator, not reproducible. */
const placement = () => Math.random();

export async function currentPair(user: PublicUser, projectSlug: string | null) {
  const db = getAppContext().db;
  const lease = await nextPair(db, {
    annotator: { id: user.id, languages: user.languages, domains: user.domains },
    projectSlug,
    rng: placement,
  });
  if (!lease) return null;
  const view = await loadPairView(db, lease.assignment_id, user.id);
  return view ? { ...view, submissionId: randomUUID() } : null;
}

// an id of someone else's judgment or lease is refused as "no such …" and recorded (foreign-ids.ts)
const who = (user: PublicUser) => ({ userId: user.id, email: user.email });

export const submit = (user: PublicUser, input: SubmitJudgmentInput) =>
  refuseForeignIds(
    getAppContext().db,
    who(user),
    'submit',
    { assignment: input.assignmentId, judgment: input.judgmentId },
    () => submitJudgment(getAppContext().db, user.id, input),
  );
export const skip = (user: PublicUser, input: Parameters<typeof skipPair>[2]) =>
  refuseForeignIds(getAppContext().db, who(user), 'skip', { assignment: input.assignmentId }, () =>
    skipPair(getAppContext().db, user.id, input),
  );
export const edit = (user: PublicUser, judgmentId: string, fields: unknown) =>
  refuseForeignIds(getAppContext().db, who(user), 'edit', { judgment: judgmentId }, () =>
    editJudgment(getAppContext().db, user.id, judgmentId, fields),
  );
export async function ownJudgment(user: PublicUser, judgmentId: string) {
  const db = getAppContext().db;
  const judgment = await loadOwnJudgment(db, user.id, judgmentId);
  if (!judgment) await auditForeignIds(db, who(user), 'view', { judgment: judgmentId });
  return judgment;
}
export const recent = (user: PublicUser, limit?: number) =>
  listRecentJudgments(getAppContext().db, user.id, limit);

/** Today's and all-time counts, and the streak of consecutive days with at least one judgment. */
export const annotatorStats = (user: PublicUser, now = new Date()) =>
  countsOf(getAppContext().db, user.id, now);
