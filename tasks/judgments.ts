/**
 * Recording judgments. A submission carries an id made by the browser, so a double click or a
 * retry after a network error finds the judgment already there instead of making a second one.
 * Scores are shown relative to the screen (left/right) and stored in the pair's canonical order
 * (A/B), using the placement stored with the assignment.
 */
import { recordSuggestionOutcomes } from './safety/suggestions';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { lockAssignment } from '../db/queries/queue';
import { requireId, UserInputError } from './errors';
import { scheduleQueueRefresh } from './active-learning/refresh';
import { scheduleQualityRefresh } from './quality/refresh';
import { promptExcerpt } from './content';
import {
  JudgmentFieldsSchema,
  SubmitJudgmentSchema,
  type JudgmentFields,
  type SubmitJudgmentInput,
} from './judgments.schema';

/** How long after submitting an annotator may still edit a judgment. */
export const EDIT_WINDOW_MS = 7 * 86_400_000;

/**
 * Whether the refresh jobs are due is checked after a judgment at most this often per project and
 * process: the check costs six reads, and under load it would run dozens of times a second to
 * learn the same thing. A refresh is queued at most this much (and one judgment) later.
 */
const REFRESH_CHECK_MS = 1000;
const refreshCheckedAt = new Map<string, number>();

async function scheduleRefreshes(db: Kysely<Database>, projectId: string): Promise<void> {
  const now = Date.now();
  if (now - (refreshCheckedAt.get(projectId) ?? -Infinity) < REFRESH_CHECK_MS) return;
  refreshCheckedAt.set(projectId, now);
  if (refreshCheckedAt.size > 10_000) refreshCheckedAt.clear();
  await scheduleQueueRefresh(db, projectId);
  await scheduleQualityRefresh(db, projectId);
}

function invalid(error: { issues: { path: PropertyKey[]; message: string }[] }): never {
  const issue = error.issues[0]!;
  const path = issue.path.filter((p) => p !== 'fields').map(String);
  throw new UserInputError(issue.message, path[0] ?? undefined);
}

async function pairSides(trx: Transaction<Database>, pairId: string) {
  return trx
    .selectFrom('pairs')
    .select(['response_a_id', 'response_b_id'])
    .where('id', '=', pairId)
    .executeTakeFirstOrThrow();
}

async function writeFlags(
  trx: Transaction<Database>,
  judgmentId: string,
  fields: JudgmentFields,
  left: string,
  right: string,
  /** a judgment inserted in this transaction has no flags to replace */
  options: { fresh?: boolean } = {},
): Promise<void> {
  if (!options.fresh) await trx.deleteFrom('response_flags').where('judgment_id', '=', judgmentId).execute();
  if (fields.flags.length === 0) return;
  await trx
    .insertInto('response_flags')
    .values(
      fields.flags.map((f) => ({
        judgment_id: judgmentId,
        response_id: f.side === 'left' ? left : right,
        category: f.category,
        severity: f.severity,
      })),
    )
    .execute();
}

export interface SubmitResult {
  judgmentId: string;
  duplicate: boolean;
}

/**
 * Stores a judgment for one of the annotator's assignments. Idempotent on `judgmentId`. A lease that
 * expired is still honoured while the pair has room; otherwise the person is told plainly.
 */
export async function submitJudgment(
  db: Kysely<Database>,
  annotatorId: string,
  input: SubmitJudgmentInput,
  now = new Date(),
): Promise<SubmitResult> {
  const parsed = SubmitJudgmentSchema.safeParse(input);
  if (!parsed.success) invalid(parsed.error);
  const { judgmentId, assignmentId, fields } = parsed.data;
  let projectId: string | null = null;
  const result = await db.transaction().execute(async (trx): Promise<SubmitResult> => {
    const assignment = await lockAssignment(trx, assignmentId, annotatorId);
    // Looked up after the lock: a retry finds its judgment here, and so does a simultaneous twin of
    // this submission (a double click) that committed while we waited for the lock, so the twin is
    // recognised instead of reported as a conflict.
    const twin = await trx
      .selectFrom('judgments')
      .select('annotator_id')
      .where('id', '=', judgmentId)
      .executeTakeFirst();
    if (twin) {
      if (twin.annotator_id !== annotatorId)
        throw new UserInputError('This submission id is taken; reload the page.', 'judgmentId');
      return { judgmentId, duplicate: true };
    }
    if (!assignment?.pair_id || !assignment.left_response_id) {
      throw new UserInputError('Unknown assignment; reload the page.', 'assignmentId', 'not-found');
    }
    const pairId = assignment.pair_id;
    if (assignment.status === 'submitted') {
      throw new UserInputError(
        'You already submitted a judgment for this pair (perhaps in another tab).',
        'assignmentId',
        'conflict',
      );
    }
    if (assignment.status === 'skipped' || assignment.status === 'released') {
      throw new UserInputError(
        'You skipped this pair, so there is nothing to submit.',
        'assignmentId',
        'conflict',
      );
    }
    const pair = await trx
      .selectFrom('pairs as p')
      .innerJoin('projects as pr', 'pr.id', 'p.project_id')
      .select([
        'p.judgment_count',
        'p.lease_count',
        'p.target_judgments',
        'p.response_a_id',
        'p.response_b_id',
        'pr.redundancy',
        'pr.settings',
      ])
      .where('p.id', '=', pairId)
      .forUpdate('p')
      .executeTakeFirstOrThrow();
    const wasLeased = assignment.status === 'leased';
    // gold is open to everyone and a repeat measures the person: neither has a limit to run into
    const unlimited = assignment.is_gold || assignment.is_repeat;
    if (
      !wasLeased &&
      !unlimited &&
      pair.judgment_count + pair.lease_count >= (pair.target_judgments ?? pair.redundancy)
    ) {
      throw new UserInputError(
        'Your time on this pair ran out and it was given to someone else, so this judgment was not needed. The next pair is ready.',
        'assignmentId',
        'expired',
      );
    }
    if (
      (pair.settings as { rationaleRequired?: boolean }).rationaleRequired &&
      fields.rationale.length < 10
    ) {
      throw new UserInputError('This project asks for a short rationale with every judgment.', 'rationale');
    }
    const leftIsA = assignment.left_response_id === pair.response_a_id;
    const right = leftIsA ? pair.response_b_id : pair.response_a_id;
    const toCanonical = (score: number) => (leftIsA ? score : -score) || 0;
    await trx
      .insertInto('judgments')
      .values({
        id: judgmentId,
        project_id: assignment.project_id,
        pair_id: pairId,
        assignment_id: assignment.id,
        annotator_id: annotatorId,
        helpfulness: toCanonical(fields.helpfulness),
        safety: toCanonical(fields.safety),
        both_unacceptable: fields.bothUnacceptable,
        rationale: fields.rationale,
        shown_left_response_id: assignment.left_response_id,
        time_on_task_ms: fields.timeOnTaskMs,
        is_gold: assignment.is_gold,
        is_repeat: assignment.is_repeat,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await writeFlags(trx, judgmentId, fields, assignment.left_response_id, right, { fresh: true });
    await recordSuggestionOutcomes(
      trx,
      {
        id: judgmentId,
        projectSettings: pair.settings as Record<string, unknown>,
        left: assignment.left_response_id,
        right,
        flags: fields.flags,
      },
      { fresh: true },
    );
    projectId = assignment.project_id;
    await trx
      .updateTable('assignments')
      .set({ status: 'submitted', completed_at: now })
      .where('id', '=', assignment.id)
      .execute();
    await trx
      .updateTable('pairs')
      .set((eb) => ({
        // a repeat is a second answer from the same person: it never counts toward redundancy
        judgment_count: assignment.is_repeat ? eb.ref('judgment_count') : eb('judgment_count', '+', 1),
        lease_count: wasLeased ? eb('lease_count', '-', 1) : eb.ref('lease_count'),
        updated_at: now,
      }))
      .where('id', '=', pairId)
      .execute();
    return { judgmentId, duplicate: false };
  });
  // after the commit: the judgment is safe whatever scheduling does (it never throws)
  if (projectId) await scheduleRefreshes(db, projectId);
  return result;
}

/**
 * Edits one of the annotator's own judgments within EDIT_WINDOW_MS. The previous version is kept in
 * judgment_revisions, so history is never overwritten.
 */
export async function editJudgment(
  db: Kysely<Database>,
  annotatorId: string,
  judgmentId: string,
  input: unknown,
  now = new Date(),
): Promise<{ revision: number }> {
  requireId(judgmentId, 'judgmentId', 'judgment of yours');
  const parsed = JudgmentFieldsSchema.safeParse(input);
  if (!parsed.success) invalid(parsed.error);
  const fields = parsed.data;
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('judgments')
      .selectAll()
      .where('id', '=', judgmentId)
      .where('annotator_id', '=', annotatorId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw new UserInputError('No such judgment of yours.', 'judgmentId', 'not-found');
    if (now.getTime() - current.created_at.getTime() > EDIT_WINDOW_MS) {
      throw new UserInputError(
        'Judgments can be edited for 7 days; this one is older.',
        'judgmentId',
        'too-old',
      );
    }
    const flags = await trx
      .selectFrom('response_flags')
      .select(['response_id', 'category', 'severity'])
      .where('judgment_id', '=', judgmentId)
      .execute();
    await trx
      .insertInto('judgment_revisions')
      .values({
        judgment_id: judgmentId,
        revision: current.revision,
        data: JSON.stringify({
          helpfulness: current.helpfulness,
          safety: current.safety,
          both_unacceptable: current.both_unacceptable,
          rationale: current.rationale,
          flags,
          updated_at: current.updated_at,
        }),
        edited_at: now,
      })
      .execute();
    const sides = await pairSides(trx, current.pair_id);
    const leftIsA = current.shown_left_response_id === sides.response_a_id;
    const right = leftIsA ? sides.response_b_id : sides.response_a_id;
    const toCanonical = (score: number) => (leftIsA ? score : -score) || 0;
    const revision = current.revision + 1;
    await trx
      .updateTable('judgments')
      .set({
        helpfulness: toCanonical(fields.helpfulness),
        safety: toCanonical(fields.safety),
        both_unacceptable: fields.bothUnacceptable,
        rationale: fields.rationale,
        revision,
        updated_at: now,
      })
      .where('id', '=', judgmentId)
      .execute();
    await writeFlags(trx, judgmentId, fields, current.shown_left_response_id, right);
    return { revision };
  });
}

export interface RecentJudgment {
  id: string;
  pairId: string;
  projectName: string;
  prompt: string;
  /** as the annotator saw it: negative favours their left response */
  helpfulness: number;
  safety: number;
  flags: number;
  revision: number;
  createdAt: Date;
  editable: boolean;
}

/** The annotator's latest judgments, scores shown as they saw them. */
export async function listRecentJudgments(
  db: Kysely<Database>,
  annotatorId: string,
  limit = 20,
  now = new Date(),
): Promise<RecentJudgment[]> {
  const rows = await db
    .selectFrom('judgments as j')
    .innerJoin('pairs as p', 'p.id', 'j.pair_id')
    .innerJoin('projects as pr', 'pr.id', 'j.project_id')
    .innerJoin('prompts as q', 'q.id', 'p.prompt_id')
    .select((eb) => [
      'j.id',
      'j.pair_id',
      'pr.name as project_name',
      'q.messages',
      'j.helpfulness',
      'j.safety',
      'j.revision',
      'j.created_at',
      'j.shown_left_response_id',
      'p.response_a_id',
      eb
        .selectFrom('response_flags as f')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('f.judgment_id', '=', 'j.id')
        .as('flags'),
    ])
    .where('j.annotator_id', '=', annotatorId)
    .orderBy('j.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const sign = r.shown_left_response_id === r.response_a_id ? 1 : -1;
    return {
      id: r.id,
      pairId: r.pair_id,
      projectName: r.project_name,
      prompt: promptExcerpt(r.messages, 160),
      helpfulness: r.helpfulness * sign || 0,
      safety: r.safety * sign || 0,
      flags: Number(r.flags ?? 0),
      revision: r.revision,
      createdAt: r.created_at,
      editable: now.getTime() - r.created_at.getTime() <= EDIT_WINDOW_MS,
    };
  });
}

/** One of the annotator's judgments with its flags, as they saw it (for the edit form). */
export async function loadOwnJudgment(db: Kysely<Database>, annotatorId: string, judgmentId: string) {
  const row = await db
    .selectFrom('judgments as j')
    .innerJoin('pairs as p', 'p.id', 'j.pair_id')
    .select([
      'j.id',
      'j.helpfulness',
      'j.safety',
      'j.both_unacceptable',
      'j.rationale',
      'j.shown_left_response_id',
      'p.response_a_id',
    ])
    .where('j.id', '=', judgmentId)
    .where('j.annotator_id', '=', annotatorId)
    .executeTakeFirst();
  if (!row) return null;
  const sign = row.shown_left_response_id === row.response_a_id ? 1 : -1;
  const flags = await db
    .selectFrom('response_flags')
    .select(['response_id', 'category', 'severity'])
    .where('judgment_id', '=', judgmentId)
    .execute();
  return {
    id: row.id,
    helpfulness: row.helpfulness * sign || 0,
    safety: row.safety * sign || 0,
    bothUnacceptable: row.both_unacceptable,
    rationale: row.rationale,
    flags: flags.map((f) => ({
      side: f.response_id === row.shown_left_response_id ? ('left' as const) : ('right' as const),
      category: f.category,
      severity: f.severity,
    })),
  };
}
