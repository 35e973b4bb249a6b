/**
 * The assignment queue for preference pairs. Leases are taken with FOR UPDATE SKIP LOCKED, so any
 * number of annotators and app processes sharing one PostgreSQL never over-assign a pair.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface Annotator {
  id: string;
  languages: string[];
  domains: string[];
}

export interface Lease {
  assignment_id: string;
  pair_id: string;
  project_id: string;
  left_response_id: string;
  expires_at: Date;
}

/** Returns expired leases to the pool; safe to run from several processes at once. */
export async function expireLeases(db: Db, now: Date): Promise<number> {
  const result = await sql<{ n: number }>`
    with expired as (
      update assignments set status = 'expired', completed_at = ${now}
      where status = 'leased' and expires_at <= ${now} and pair_id is not null
      returning pair_id
    ), per_pair as (
      select pair_id, count(*)::int as n from expired group by pair_id
    ), released as (
      update pairs set lease_count = pairs.lease_count - per_pair.n
      from per_pair where pairs.id = per_pair.pair_id
      returning per_pair.n
    )
    select coalesce(sum(n), 0)::int as n from released`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** The annotator's open lease (optionally in one project), so a reload shows the same pair. */
export async function findOpenLease(
  db: Db,
  annotatorId: string,
  projectId: string | null,
  now: Date,
): Promise<Lease | undefined> {
  let query = db
    .selectFrom('assignments')
    .select(['id as assignment_id', 'pair_id', 'project_id', 'left_response_id', 'expires_at'])
    .where('annotator_id', '=', annotatorId)
    .where('status', '=', 'leased')
    .where('pair_id', 'is not', null)
    .where('expires_at', '>', now)
    .orderBy('leased_at', 'desc')
    .limit(1);
  if (projectId) query = query.where('project_id', '=', projectId);
  const row = await query.executeTakeFirst();
  return row
    ? ({ ...row, pair_id: row.pair_id!, left_response_id: row.left_response_id! } as Lease)
    : undefined;
}

/** The conditions under which a pair may be offered to an annotator (aliases: p pairs, pr projects, q prompts). */
function availableTo(annotator: Annotator, projectId: string | null) {
  const languages = sql`${annotator.languages}::text[]`;
  const domains = sql`${annotator.domains}::text[]`;
  return sql`p.status = 'open'
        and pr.type = 'preference'
        and pr.archived_at is null
        ${projectId ? sql`and p.project_id = ${projectId}` : sql``}
        and p.judgment_count + p.lease_count < pr.redundancy
        and (not pr.members_only or exists (
          select 1 from project_members m where m.project_id = pr.id and m.user_id = ${annotator.id}))
        and (cardinality(${languages}) = 0 or q.language is null or q.language = any(${languages}))
        and (q.domain is null or q.domain = any(${domains}))
        and (pr.required_domain is null or pr.required_domain = any(${domains}))
        and not exists (
          select 1 from assignments a
          where a.pair_id = p.id and a.annotator_id = ${annotator.id}
            and a.status in ('leased', 'submitted', 'skipped') and not a.is_repeat)`;
}

/**
 * Leases the next pair for an annotator: open, in a project open to them, matching their languages
 * and domains, with room under the project's redundancy, never one they have had before; fewest
 * judgments first, then highest priority. Returns undefined when no unlocked pair qualifies; see
 * hasAvailablePair for telling "none left" from "all momentarily locked by other requests".
 */
export async function leaseNextPair(
  trx: Transaction<Database>,
  options: { annotator: Annotator; projectId: string | null; now: Date; leftIsA: boolean },
): Promise<Lease | undefined> {
  const { annotator, projectId, now } = options;
  const picked = await sql<{
    id: string;
    project_id: string;
    response_a_id: string;
    response_b_id: string;
    lease_seconds: number;
  }>`
    with candidate as (
      select p.id
      from pairs p
      join projects pr on pr.id = p.project_id
      join prompts q on q.id = p.prompt_id
      where ${availableTo(annotator, projectId)}
      order by p.judgment_count + p.lease_count, p.priority desc, p.id
      limit 1
      for update of p skip locked
    )
    update pairs set lease_count = pairs.lease_count + 1, updated_at = ${now}
    from candidate, projects pr
    where pairs.id = candidate.id and pr.id = pairs.project_id
    returning pairs.id, pairs.project_id, pairs.response_a_id, pairs.response_b_id, pr.lease_seconds`.execute(
    trx,
  );
  const pair = picked.rows[0];
  if (!pair) return undefined;
  const expiresAt = new Date(now.getTime() + pair.lease_seconds * 1000);
  const left = options.leftIsA ? pair.response_a_id : pair.response_b_id;
  const assignment = await trx
    .insertInto('assignments')
    .values({
      project_id: pair.project_id,
      pair_id: pair.id,
      annotator_id: annotator.id,
      left_response_id: left,
      leased_at: now,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    assignment_id: assignment.id,
    pair_id: pair.id,
    project_id: pair.project_id,
    left_response_id: left,
    expires_at: expiresAt,
  };
}

/** Whether any pair qualifies for the annotator, locked by someone else's request or not. */
export async function hasAvailablePair(
  db: Db,
  annotator: Annotator,
  projectId: string | null,
): Promise<boolean> {
  const result = await sql<{ one: number }>`
    select 1 as one from pairs p
    join projects pr on pr.id = p.project_id
    join prompts q on q.id = p.prompt_id
    where ${availableTo(annotator, projectId)}
    limit 1`.execute(db);
  return result.rows.length > 0;
}

/** Locks one of the annotator's assignments for a state change. */
export async function lockAssignment(trx: Transaction<Database>, assignmentId: string, annotatorId: string) {
  return trx
    .selectFrom('assignments')
    .select([
      'id',
      'pair_id',
      'project_id',
      'status',
      'left_response_id',
      'expires_at',
      'is_gold',
      'is_repeat',
    ])
    .where('id', '=', assignmentId)
    .where('annotator_id', '=', annotatorId)
    .forUpdate()
    .executeTakeFirst();
}

/** Ends a lease without a judgment (skip or release) and gives the pair's slot back. */
export async function endLease(
  trx: Transaction<Database>,
  assignment: { id: string; pair_id: string },
  status: 'skipped' | 'released',
  reason: string | null,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('assignments')
    .set({ status, skip_reason: reason, completed_at: now })
    .where('id', '=', assignment.id)
    .execute();
  await trx
    .updateTable('pairs')
    .set((eb) => ({ lease_count: eb('lease_count', '-', 1), updated_at: now }))
    .where('id', '=', assignment.pair_id)
    .execute();
}

/** Sets queue priorities for a project's pairs (a selection policy's output), in batches. */
export async function setPairPriorities(
  db: Db,
  priorities: { id: string; priority: number }[],
): Promise<void> {
  for (let i = 0; i < priorities.length; i += 1000) {
    const chunk = priorities.slice(i, i + 1000);
    await sql`
      update pairs set priority = v.priority
      from (select unnest(${chunk.map((p) => p.id)}::uuid[]) as id,
                   unnest(${chunk.map((p) => p.priority)}::float8[]) as priority) v
      where pairs.id = v.id`.execute(db);
  }
}
