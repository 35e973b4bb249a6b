/**
 * Recording judgments. A submission carries an id made by the browser, so a double click or a
 * retry after a network error finds the judgment already there instead of making a second one.
 * Scores are shown relative to the screen (left/right) and stored in the pair's canonical order
 * (A/B), using the placement stored with the assignment.
 */
import {
  activeRisks,
  recordSuggestionOutcomes,
  suggestionOutcomeRows,
  suggestionsFromRisks,
} from './safety/suggestions';
import { sql, type Kysely, type Transaction } from 'kysely';
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
  const fast = await submitLeased(db, annotatorId, parsed.data, now);
  if (fast) {
    await scheduleRefreshes(db, fast.projectId);
    return { judgmentId, duplicate: false };
  }
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
 * The common case of submitJudgment in two round trips instead of ten: a first answer on a pair
 * that is still leased to the annotator. One read (assignment, pair, project, the safety model's
 * scores behind the suggestions shown, and whether the submission id exists) decides whether the
 * case applies; then a single statement marks the assignment submitted (only if it is
 * still leased: the condition that makes it safe without holding locks between the statements),
 * inserts the judgment, its flags and suggestion outcomes, and moves the pair's counters. Being
 * one statement it commits whole or not at all. undefined means "take the full path" (retry,
 * twin, expired or skipped lease, someone else's id, a race lost), which then answers exactly as
 * before; a rationale that the project requires is refused here with the same message.
 */
async function submitLeased(
  db: Kysely<Database>,
  annotatorId: string,
  input: { judgmentId: string; assignmentId: string; fields: JudgmentFields },
  now: Date,
): Promise<{ projectId: string } | undefined> {
  const { judgmentId, assignmentId, fields } = input;
  const row = await db
    .selectFrom('assignments as a')
    .innerJoin('pairs as p', 'p.id', 'a.pair_id')
    .innerJoin('projects as pr', 'pr.id', 'p.project_id')
    .select((eb) => [
      'a.status',
      'a.left_response_id',
      'p.response_a_id',
      'p.response_b_id',
      'pr.settings',
      activeRisks(sql.ref('p.response_a_id'), sql.ref('p.response_b_id')).as('risks'),
      eb.exists(eb.selectFrom('judgments as j').select('j.id').where('j.id', '=', judgmentId)).as('taken'),
    ])
    .where('a.id', '=', assignmentId)
    .where('a.annotator_id', '=', annotatorId)
    .executeTakeFirst();
  if (!row || row.status !== 'leased' || row.taken || !row.left_response_id) return undefined;
  const settings = row.settings as Record<string, unknown>;
  if (settings.rationaleRequired === true && fields.rationale.length < 10) {
    throw new UserInputError('This project asks for a short rationale with every judgment.', 'rationale');
  }
  const left = row.left_response_id;
  const leftIsA = left === row.response_a_id;
  const right = leftIsA ? row.response_b_id : row.response_a_id;
  const toCanonical = (score: number) => (leftIsA ? score : -score) || 0;
  const shown = suggestionsFromRisks(settings, row.risks, left, right);
  const flags = fields.flags.map((f) => ({
    response_id: f.side === 'left' ? left : right,
    category: f.category,
    severity: f.severity,
  }));
  const outcomes = suggestionOutcomeRows(shown, { id: judgmentId, left, right, flags: fields.flags });
  try {
    const written = await sql<{ project_id: string }>`
      with ua as (
        update assignments set status = 'submitted', completed_at = ${now}
        where id = ${assignmentId} and annotator_id = ${annotatorId} and status = 'leased'
        returning id, pair_id, project_id, left_response_id, is_gold, is_repeat
      ), ins as (
        insert into judgments (id, project_id, pair_id, assignment_id, annotator_id, helpfulness, safety,
                               both_unacceptable, rationale, shown_left_response_id, time_on_task_ms,
                               is_gold, is_repeat, created_at, updated_at)
        select ${judgmentId}::uuid, ua.project_id, ua.pair_id, ua.id, ${annotatorId}::uuid,
               ${toCanonical(fields.helpfulness)}::int, ${toCanonical(fields.safety)}::int,
               ${fields.bothUnacceptable}::boolean, ${fields.rationale}::text, ua.left_response_id,
               ${fields.timeOnTaskMs ?? null}::int, ua.is_gold, ua.is_repeat, ${now}, ${now}
        from ua
        returning id, project_id
      ), flags as (
        insert into response_flags (judgment_id, response_id, category, severity)
        select ins.id, f.response_id, f.category, f.severity
        from ins, jsonb_populate_recordset(null::response_flags, ${JSON.stringify(flags)}::jsonb) f
      ), outcomes as (
        insert into flag_suggestions (judgment_id, response_id, category, probability, model_id, accepted)
        select ins.id, o.response_id, o.category, o.probability, o.model_id, o.accepted
        from ins, jsonb_populate_recordset(null::flag_suggestions, ${JSON.stringify(outcomes)}::jsonb) o
      ), counted as (
        -- a repeat is a second answer from the same person: it never counts toward redundancy
        update pairs set
          judgment_count = case when ua.is_repeat then pairs.judgment_count else pairs.judgment_count + 1 end,
          lease_count = pairs.lease_count - 1,
          updated_at = ${now}
        from ua where pairs.id = ua.pair_id
      )
      select project_id from ins`.execute(db);
    const done = written.rows[0];
    return done ? { projectId: done.project_id } : undefined;
  } catch (error) {
    // the id was taken between the read and the write (a twin): the full path tells which case it is
    if ((error as { code?: string }).code === '23505') return undefined;
    throw error;
  }
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
