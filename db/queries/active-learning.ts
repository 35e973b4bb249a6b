/**
 * What the active-learning refresh reads and writes: every open pair of a project with its answers
 * on one axis and the active model's stored score, and the new queue order written back to the
 * pairs no one holds a lease on.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, RewardAxis } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface PairCandidateRow {
  id: string;
  judgment_count: number;
  lease_count: number;
  /** votes for A and for B on the axis (a tie counts half to each) */
  votes_a: number;
  votes_b: number;
  probability_a: number | null;
  spread: number | null;
  model_id: string | null;
  /** the queue placement stored now (a refresh writes only what changes) */
  priority: number;
  target_judgments: number | null;
  queue_boost: number;
}

/**
 * A project's open pairs with votes and scores, in id order. One query: a million pairs come back
 * in a few seconds on PostgreSQL.
 */
export async function listPairCandidates(
  db: Db,
  projectId: string,
  axis: RewardAxis,
): Promise<PairCandidateRow[]> {
  const score = sql.ref(`j.${axis}`);
  const result = await sql<PairCandidateRow>`
    select p.id, p.judgment_count, p.lease_count, p.priority, p.target_judgments, p.queue_boost,
           coalesce(v.votes_a, 0)::float8 as votes_a, coalesce(v.votes_b, 0)::float8 as votes_b,
           s.probability_a, s.spread, s.model_id
    from pairs p
    left join pair_scores s on s.pair_id = p.id and s.axis = ${axis}
    left join (
      select j.pair_id,
             sum(case when ${score} < 0 then 1 when ${score} = 0 then 0.5 else 0 end) as votes_a,
             sum(case when ${score} > 0 then 1 when ${score} = 0 then 0.5 else 0 end) as votes_b
      from judgments j where j.project_id = ${projectId}
      group by j.pair_id
    ) v on v.pair_id = p.id
    where p.project_id = ${projectId} and p.status = 'open'
    order by p.id`.execute(db);
  return result.rows.map((r) => ({
    ...r,
    votes_a: Number(r.votes_a),
    votes_b: Number(r.votes_b),
    probability_a: r.probability_a === null ? null : Number(r.probability_a),
    spread: r.spread === null ? null : Number(r.spread),
    priority: Number(r.priority),
  }));
}

export interface QueuePlacement {
  id: string;
  priority: number;
  target: number | null;
  boost: number;
}

/**
 * Writes priorities, targets and boosts in chunks, skipping pairs leased right now (a lease is a
 * promise to its holder: the pair they see keeps its place). Returns how many pairs changed.
 * Each chunk commits on its own, on purpose: one transaction over a million rows would lock them
 * all for a minute, and the queue's SKIP LOCKED would then find nothing to lease. Every mix of old
 * and new placements is a valid queue, and a retried job writes what is still missing.
 */
export async function writeQueuePlacements(db: Db, placements: readonly QueuePlacement[]): Promise<number> {
  let written = 0;
  const CHUNK = 5000;
  for (let i = 0; i < placements.length; i += CHUNK) {
    const chunk = placements.slice(i, i + CHUNK);
    const result = await sql`
      update pairs as p
      set priority = v.priority, target_judgments = v.target, queue_boost = v.boost
      from (select unnest(${chunk.map((c) => c.id)}::uuid[]) as id,
                   unnest(${chunk.map((c) => c.priority)}::float8[]) as priority,
                   unnest(${chunk.map((c) => c.target)}::int[]) as target,
                   unnest(${chunk.map((c) => c.boost)}::int[]) as boost) v
      where p.id = v.id and p.lease_count = 0 and p.status = 'open'`.execute(db);
    written += Number(result.numAffectedRows ?? 0);
  }
  return written;
}

/** Judgments of the project made after `since` (or in all), counting at most `limit`. */
export async function countJudgmentsSince(
  db: Db,
  projectId: string,
  since: Date | null,
  limit: number,
): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from (
      select 1 from judgments
      where project_id = ${projectId} ${since ? sql`and created_at > ${since}` : sql``}
      limit ${limit}) t`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** The project's latest queue refresh, if any. */
export async function latestQueueRefresh(db: Db, projectId: string) {
  return db
    .selectFrom('queue_refreshes')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Queues a refresh job unless one is already waiting or running for the project (a partial unique
 * index makes that check race-free). Returns the new job's id, or null when one was there.
 */
export async function insertQueueRefreshJob(
  db: Db,
  job: { kind: string; projectId: string; payload: Record<string, unknown>; createdBy: string | null },
): Promise<string | null> {
  const result = await sql<{ id: string }>`
    insert into jobs (kind, project_id, payload, created_by)
    values (${job.kind}, ${job.projectId}, ${JSON.stringify(job.payload)}::jsonb, ${job.createdBy})
    on conflict (project_id) where kind = 'queue-refresh' and status in ('queued', 'running') do nothing
    returning id`.execute(db);
  return result.rows[0]?.id ?? null;
}

/**
 * Pairs whose judgments on `axis` lean one way (the graded scores do not cancel out): what a
 * simulation on the project's own data can replay. Repeat judgments are left out, as in training.
 */
export async function countConsensusPairs(db: Db, projectId: string, axis: RewardAxis): Promise<number> {
  const score = sql.ref(`j.${axis}`);
  const result = await sql<{ n: number }>`
    select count(*)::int as n from (
      select j.pair_id from judgments j
      where j.project_id = ${projectId} and not j.is_repeat
      group by j.pair_id having sum(${score}) <> 0) t`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}
