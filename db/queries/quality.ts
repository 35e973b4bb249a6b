/**
 * Reading what the quality report is computed from, in bulk: every judgment or label of a project
 * with the facts the annotator profiles need (placement, lengths, flags, timing, gold and repeat
 * marks), the gold answers, the skips, and the people. One query per kind, no per-row round trips.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface PairJudgmentFact {
  annotator_id: string;
  pair_id: string;
  helpfulness: number;
  safety: number;
  left_is_a: boolean;
  length_a: number;
  length_b: number;
  time_on_task_ms: number | null;
  created_at: Date;
  is_gold: boolean;
  is_repeat: boolean;
  flagged: boolean;
}

/** A preference project's judgments, oldest first. */
export async function listPairJudgmentFacts(db: Db, projectId: string): Promise<PairJudgmentFact[]> {
  const result = await sql<PairJudgmentFact>`
    select j.annotator_id, j.pair_id, j.helpfulness, j.safety,
      (j.shown_left_response_id = p.response_a_id) as left_is_a,
      length(ra.text) as length_a, length(rb.text) as length_b,
      j.time_on_task_ms, j.created_at, j.is_gold, j.is_repeat,
      (f.judgment_id is not null) as flagged
    from judgments j
    join pairs p on p.id = j.pair_id
    join responses ra on ra.id = p.response_a_id
    join responses rb on rb.id = p.response_b_id
    left join (select distinct judgment_id from response_flags) f on f.judgment_id = j.id
    where j.project_id = ${projectId}
    order by j.created_at, j.id`.execute(db);
  return result.rows;
}

export interface ItemLabelFact {
  annotator_id: string;
  item_id: string;
  label: string;
  time_on_task_ms: number | null;
  created_at: Date;
  is_gold: boolean;
}

/** A sentiment project's human labels (audits included: an auditor is an annotator too), oldest first. */
export async function listItemLabelFacts(db: Db, projectId: string): Promise<ItemLabelFact[]> {
  return db
    .selectFrom('sentiment_labels')
    .select(['annotator_id as annotator_id', 'item_id', 'label', 'time_on_task_ms', 'created_at', 'is_gold'])
    .where('project_id', '=', projectId)
    .where('annotator_id', 'is not', null)
    .where('source', 'in', ['human', 'audit'])
    .orderBy('created_at')
    .orderBy('id')
    .execute() as Promise<ItemLabelFact[]>;
}

/** The project's gold answers, keyed by pair or item id. */
export async function listGoldAnswers(db: Db, projectId: string) {
  return db
    .selectFrom('gold_answers')
    .select(['pair_id', 'item_id', 'expected', 'tolerance'])
    .where('project_id', '=', projectId)
    .execute();
}

/** When each annotator skipped a unit of the project. */
export async function listSkips(db: Db, projectId: string): Promise<{ annotator_id: string; at: Date }[]> {
  const result = await sql<{ annotator_id: string; at: Date }>`
    select annotator_id, coalesce(completed_at, leased_at) as at from assignments
    where project_id = ${projectId} and status = 'skipped'`.execute(db);
  return result.rows;
}

/** Display names and emails of the given users. */
export async function listPeople(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'email'])
    .where('id', 'in', [...ids])
    .execute();
}

/** Judgments (preference) or human labels (sentiment) of the project made after `since`, up to `limit`. */
export async function countAnswersSince(
  db: Db,
  project: { id: string; type: string },
  since: Date | null,
  limit: number,
): Promise<number> {
  const table = project.type === 'sentiment' ? sql`sentiment_labels` : sql`judgments`;
  const result = await sql<{ n: number }>`
    select count(*)::int as n from (
      select 1 from ${table}
      where project_id = ${project.id} ${since ? sql`and created_at > ${since}` : sql``}
      limit ${limit}) t`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Queues a quality-report refresh for the project unless one is waiting or running (then null). */
export async function insertQualityRefreshJob(
  db: Db,
  job: { kind: string; projectId: string; createdBy: string | null },
): Promise<string | null> {
  const result = await sql<{ id: string }>`
    insert into jobs (kind, project_id, payload, created_by)
    values (${job.kind}, ${job.projectId}, ${JSON.stringify({ projectId: job.projectId })}::jsonb, ${job.createdBy})
    on conflict (project_id) where kind = 'quality-refresh' and status in ('queued', 'running') do nothing
    returning id`.execute(db);
  return result.rows[0]?.id ?? null;
}

/** The project's latest quality report, if any. */
export async function findLatestQualityReport(db: Db, projectId: string) {
  return db
    .selectFrom('quality_reports')
    .select(['id', 'judgments', 'annotators', 'seconds', 'report', 'created_at'])
    .where('project_id', '=', projectId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
