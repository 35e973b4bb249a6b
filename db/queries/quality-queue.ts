/**
 * The two ways a unit reaches an annotator outside the breadth-first queue: a gold item, served at
 * the project's gold rate to anyone who has not had it yet (gold never runs out of room), and a
 * consistency repeat, one of the annotator's own earlier pairs served again with its sides swapped.
 * Both take the same row lock and lease counter as a queue lease, so expiry, skips and submission
 * treat them alike. One uniform draw per request decides which (if any) is tried:
 * [0, repeat_rate) → repeat, [repeat_rate, repeat_rate + gold_rate) → gold, the rest → the queue.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema';
import { openTo, UNITS, type Annotator, type Lease, type UnitKind } from './queue';

/** A repeat is drawn only from judgments at least this many of the annotator's judgments old, so it is not fresh in memory. */
export const REPEAT_MIN_GAP = 10;

async function insertAssignment(
  trx: Transaction<Database>,
  kind: UnitKind,
  row: { id: string; project_id: string; lease_seconds: number },
  annotatorId: string,
  left: string | null,
  now: Date,
  marks: { is_gold: boolean; is_repeat: boolean },
): Promise<Lease> {
  const expiresAt = new Date(now.getTime() + row.lease_seconds * 1000);
  const assignment = await trx
    .insertInto('assignments')
    .values({
      project_id: row.project_id,
      [UNITS[kind].assignmentColumn]: row.id,
      annotator_id: annotatorId,
      left_response_id: left,
      leased_at: now,
      expires_at: expiresAt,
      ...marks,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    assignment_id: assignment.id,
    unit_id: row.id,
    pair_id: row.id,
    project_id: row.project_id,
    left_response_id: left ?? '',
    expires_at: expiresAt,
  };
}

/**
 * Leases a gold unit of `kind` when `draw` falls in the project's gold band: open, in a project open
 * to the annotator and matching their languages and domains, never one they have had before; the
 * least-served gold first. Undefined when the draw misses or no gold unit qualifies.
 */
export async function leaseGold(
  trx: Transaction<Database>,
  options: {
    kind: UnitKind;
    annotator: Annotator;
    projectId: string | null;
    now: Date;
    leftIsA: boolean;
    draw: number;
  },
): Promise<Lease | undefined> {
  const { kind, annotator, projectId, now, draw } = options;
  const unit = UNITS[kind];
  // sentiment projects have no repeats, so their gold band starts at 0
  const bandStart = kind === 'pair' ? sql`pr.repeat_rate` : sql`0`;
  const picked = await sql<{
    id: string;
    project_id: string;
    response_a_id: string | null;
    response_b_id: string | null;
    lease_seconds: number;
  }>`
    with candidate as (
      select u.id
      from ${unit.table} u
      join projects pr on pr.id = u.project_id
      ${unit.joins}
      where u.is_gold and u.status = 'open'
        and ${openTo(kind, annotator, projectId)}
        and ${bandStart} <= ${draw}::float8 and ${bandStart} + pr.gold_rate > ${draw}::float8
        and not exists (
          select 1 from assignments a
          where a.${sql.ref(unit.assignmentColumn)} = u.id and a.annotator_id = ${annotator.id}
            and a.status in ('leased', 'submitted', 'skipped'))
      order by ${unit.count} + u.lease_count, u.id
      limit 1
      for update of u skip locked
    )
    update ${unit.table} as t set lease_count = t.lease_count + 1, updated_at = ${now}
    from candidate, projects pr
    where t.id = candidate.id and pr.id = t.project_id
    returning t.id, t.project_id,
      ${kind === 'pair' ? sql`t.response_a_id, t.response_b_id` : sql`null::uuid as response_a_id, null::uuid as response_b_id`},
      pr.lease_seconds`.execute(trx);
  const row = picked.rows[0];
  if (!row) return undefined;
  const left = kind === 'pair' ? (options.leftIsA ? row.response_a_id : row.response_b_id) : null;
  return insertAssignment(trx, kind, row, annotator.id, left, now, { is_gold: true, is_repeat: false });
}

/**
 * Leases a consistency repeat when `draw` falls in the project's repeat band: the oldest of the
 * annotator's own (non-gold, non-repeat) judgments that is at least REPEAT_MIN_GAP judgments old and
 * has never come back to them, shown with the other response on the left. The pair may be closed:
 * a repeat measures the person, not the pair, and never counts toward the pair's redundancy.
 */
export async function leaseRepeat(
  trx: Transaction<Database>,
  options: { annotator: Annotator; projectId: string | null; now: Date; draw: number },
): Promise<Lease | undefined> {
  const { annotator, projectId, now, draw } = options;
  const picked = await sql<{
    id: string;
    project_id: string;
    left: string;
    lease_seconds: number;
  }>`
    with cutoff as (
      -- computed once: the annotator's REPEAT_MIN_GAP-th newest judgment (in the project, when given)
      select j2.created_at as at from judgments j2
      where j2.annotator_id = ${annotator.id} and not j2.is_repeat
        ${projectId ? sql`and j2.project_id = ${projectId}` : sql``}
      order by j2.created_at desc offset ${REPEAT_MIN_GAP - 1} limit 1
    ), source as (
      select j.pair_id
      from judgments j
      join projects pr on pr.id = j.project_id
      cross join cutoff
      where j.annotator_id = ${annotator.id}
        and not j.is_repeat and not j.is_gold
        ${projectId ? sql`and j.project_id = ${projectId}` : sql``}
        and pr.archived_at is null and pr.repeat_rate > ${draw}::float8
        and j.created_at < cutoff.at
        and not exists (
          select 1 from assignments a
          where a.pair_id = j.pair_id and a.annotator_id = ${annotator.id} and a.is_repeat
            and a.status in ('leased', 'submitted', 'skipped'))
      order by j.created_at, j.pair_id
      limit 1
    ), candidate as (
      select p.id from pairs p join source s on s.pair_id = p.id
      for update of p skip locked
    )
    update pairs as t set lease_count = t.lease_count + 1, updated_at = ${now}
    from candidate, projects pr, judgments j
    where t.id = candidate.id and pr.id = t.project_id
      and j.pair_id = t.id and j.annotator_id = ${annotator.id} and not j.is_repeat
    returning t.id, t.project_id, pr.lease_seconds,
      (case when j.shown_left_response_id = t.response_a_id then t.response_b_id else t.response_a_id end) as left`.execute(
    trx,
  );
  const row = picked.rows[0];
  if (!row) return undefined;
  return insertAssignment(trx, 'pair', row, annotator.id, row.left, now, {
    is_gold: false,
    is_repeat: true,
  });
}
