/**
 * The assignment queue, shared by preference pairs and sentiment items (the "units" people are
 * given). Leases are taken with FOR UPDATE SKIP LOCKED, and a unit's open leases are counted on its
 * own row, so availability is one comparison on the locked row itself: any number of annotators
 * and app processes sharing one PostgreSQL never over-assign a unit.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface Annotator {
  id: string;
  languages: string[];
  domains: string[];
}

export type UnitKind = 'pair' | 'item';

/** Where a kind of unit lives and what it needs; `u` is the unit's alias, `pr` its project's. */
interface UnitTable {
  table: RawBuilder<unknown>;
  /** the assignments column that points at it */
  assignmentColumn: 'pair_id' | 'item_id';
  /** human answers so far */
  count: RawBuilder<unknown>;
  joins: RawBuilder<unknown>;
  language: RawBuilder<unknown>;
  domain: RawBuilder<unknown>;
  projectType: 'preference' | 'sentiment';
  /** how many answers the unit needs in all */
  need: RawBuilder<unknown>;
  /** the breadth-first position: fewest first (the queue index's leading expression) */
  tier: RawBuilder<unknown>;
  /** whether the annotator already answered the unit (an answer may exist without a lease) */
  answeredBy: (annotatorId: string) => RawBuilder<unknown>;
}

export const UNITS: Record<UnitKind, UnitTable> = {
  pair: {
    table: sql`pairs`,
    assignmentColumn: 'pair_id',
    count: sql`u.judgment_count`,
    joins: sql`join prompts q on q.id = u.prompt_id`,
    language: sql`q.language`,
    domain: sql`q.domain`,
    projectType: 'preference',
    // an active-learning policy may set a pair's own target (see tasks/active-learning/refresh.ts)
    need: sql`coalesce(u.target_judgments, pr.redundancy)`,
    tier: sql`u.judgment_count + u.lease_count - u.queue_boost`,
    answeredBy: (id) =>
      sql`exists (select 1 from judgments j where j.pair_id = u.id and j.annotator_id = ${id} and not j.is_repeat)`,
  },
  item: {
    table: sql`sentiment_items`,
    assignmentColumn: 'item_id',
    count: sql`u.label_count`,
    joins: sql``,
    language: sql`u.language`,
    domain: sql`null::text`,
    projectType: 'sentiment',
    // an audit is one independent check of an accepted pre-label; everything else gets the redundancy
    need: sql`(case when u.route = 'audit' then 1 else pr.redundancy end)`,
    tier: sql`u.label_count + u.lease_count`,
    answeredBy: (id) =>
      sql`exists (select 1 from sentiment_labels l where l.item_id = u.id and l.annotator_id = ${id})`,
  },
};

export interface Lease {
  assignment_id: string;
  /** the pair's or the item's id */
  unit_id: string;
  /** the same id under its kind's name, for pair callers */
  pair_id: string;
  project_id: string;
  /** pairs only: the response shown on the left */
  left_response_id: string;
  expires_at: Date;
}

/** Returns expired leases of either kind to the pool; safe to run from several processes at once. */
export async function expireLeases(db: Db, now: Date): Promise<number> {
  const result = await sql<{ n: number }>`
    with expired as (
      update assignments set status = 'expired', completed_at = ${now}
      where status = 'leased' and expires_at <= ${now}
      returning pair_id, item_id
    ), per_pair as (
      select pair_id, count(*)::int as n from expired where pair_id is not null group by pair_id
    ), per_item as (
      select item_id, count(*)::int as n from expired where item_id is not null group by item_id
    ), released_pairs as (
      update pairs set lease_count = pairs.lease_count - per_pair.n
      from per_pair where pairs.id = per_pair.pair_id
      returning per_pair.n
    ), released_items as (
      update sentiment_items set lease_count = sentiment_items.lease_count - per_item.n
      from per_item where sentiment_items.id = per_item.item_id
      returning per_item.n
    )
    select (select coalesce(sum(n), 0) from released_pairs)::int
         + (select coalesce(sum(n), 0) from released_items)::int as n`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

const lastSweep = new WeakMap<object, number>();
/** How often a serving path sweeps expired leases; the shortest lease is 30 s, so a second is noise. */
const SWEEP_INTERVAL_MS = 1000;

/**
 * expireLeases for the next-unit paths, at most once a second per database handle and process:
 * every request ran it before, one write round trip each, to sweep leases that expire at the
 * earliest 30 s after they start. A `now` that moves backwards or jumps ahead (tests, clock
 * changes) always sweeps.
 */
export async function expireLeasesSoon(db: Kysely<Database>, now: Date): Promise<number> {
  const last = lastSweep.get(db);
  const t = now.getTime();
  if (last !== undefined && t >= last && t - last < SWEEP_INTERVAL_MS) return 0;
  lastSweep.set(db, t);
  return expireLeases(db, now);
}

/** The annotator's open lease of `kind` (optionally in one project), so a reload shows the same unit. */
export async function findOpenLease(
  db: Db,
  annotatorId: string,
  projectId: string | null,
  now: Date,
  kind: UnitKind = 'pair',
): Promise<Lease | undefined> {
  const column = UNITS[kind].assignmentColumn;
  let query = db
    .selectFrom('assignments')
    .select(['id as assignment_id', column, 'project_id', 'left_response_id', 'expires_at'])
    .where('annotator_id', '=', annotatorId)
    .where('status', '=', 'leased')
    .where(column, 'is not', null)
    .where('expires_at', '>', now)
    .orderBy('leased_at', 'desc')
    .limit(1);
  if (projectId) query = query.where('project_id', '=', projectId);
  const row = (await query.executeTakeFirst()) as
    | { assignment_id: string; project_id: string; left_response_id: string | null; expires_at: Date }
    | undefined;
  if (!row) return undefined;
  return toLease({ ...row, unit_id: (row as unknown as Record<string, string>)[column]! });
}

/** A lease as the queue functions return it, from an assignment row read back. */
function toLease(row: {
  assignment_id: string;
  unit_id: string;
  project_id: string;
  left_response_id: string | null;
  expires_at: Date | string;
}): Lease {
  return {
    assignment_id: row.assignment_id,
    unit_id: row.unit_id,
    pair_id: row.unit_id,
    project_id: row.project_id,
    left_response_id: row.left_response_id ?? '',
    expires_at: new Date(row.expires_at),
  };
}

/**
 * A project by slug with the annotator's open lease of `kind` in it (as findOpenLease), in one
 * round trip: the next-unit paths ask both on every request. undefined when there is no project.
 */
export async function findProjectWithOpenLease(
  db: Db,
  slug: string,
  annotatorId: string,
  now: Date,
  kind: UnitKind = 'pair',
): Promise<
  | {
      project: { id: string; type: string; repeat_rate: number; gold_rate: number };
      open: Lease | undefined;
    }
  | undefined
> {
  const column = sql.ref(`a.${UNITS[kind].assignmentColumn}`);
  const result = await sql<{
    id: string;
    type: string;
    repeat_rate: number;
    gold_rate: number;
    assignment_id: string | null;
    unit_id: string | null;
    left_response_id: string | null;
    expires_at: Date | null;
  }>`
    select pr.id, pr.type, pr.repeat_rate, pr.gold_rate,
           o.id as assignment_id, o.unit_id, o.left_response_id, o.expires_at
    from projects pr
    left join lateral (
      select a.id, ${column} as unit_id, a.left_response_id, a.expires_at
      from assignments a
      where a.annotator_id = ${annotatorId} and a.status = 'leased' and ${column} is not null
        and a.expires_at > ${now} and a.project_id = pr.id
      order by a.leased_at desc
      limit 1
    ) o on true
    where pr.slug = ${slug}`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const project = {
    id: row.id,
    type: row.type,
    repeat_rate: Number(row.repeat_rate),
    gold_rate: Number(row.gold_rate),
  };
  const open =
    row.assignment_id && row.unit_id && row.expires_at
      ? toLease({
          assignment_id: row.assignment_id,
          unit_id: row.unit_id,
          project_id: row.id,
          left_response_id: row.left_response_id,
          expires_at: row.expires_at,
        })
      : undefined;
  return { project, open };
}

/** The conditions under which a unit may be offered to an annotator (aliases: u unit, pr project). */
/**
 * A unit whose project is open to the annotator: the project's type, not archived, open to them as
 * a member, matching their languages and domains. Shared by the queue and by gold serving.
 */
export function openTo(kind: UnitKind, annotator: Annotator, projectId: string | null) {
  const unit = UNITS[kind];
  const languages = sql`${annotator.languages}::text[]`;
  const domains = sql`${annotator.domains}::text[]`;
  return sql`pr.type = ${unit.projectType}
        and pr.archived_at is null
        ${projectId ? sql`and u.project_id = ${projectId}` : sql``}
        and (not pr.members_only or exists (
          select 1 from project_members m where m.project_id = pr.id and m.user_id = ${annotator.id}))
        and (cardinality(${languages}) = 0 or ${unit.language} is null or ${unit.language} = any(${languages}))
        and (${unit.domain} is null or ${unit.domain} = any(${domains}))
        and (pr.required_domain is null or pr.required_domain = any(${domains}))`;
}

export function availableTo(kind: UnitKind, annotator: Annotator, projectId: string | null) {
  const unit = UNITS[kind];
  return sql`u.status = 'open'
        and not u.is_gold
        and ${openTo(kind, annotator, projectId)}
        and ${unit.count} + u.lease_count < ${unit.need}
        and not exists (
          select 1 from assignments a
          where a.${sql.ref(unit.assignmentColumn)} = u.id and a.annotator_id = ${annotator.id}
            and a.status in ('leased', 'submitted', 'skipped') and not a.is_repeat)
        -- a judgment or label stored without a lease (demo data, seeded panels) counts too: leasing
        -- the unit again made the submission break the one-answer-per-person index (a 500; found by fuzzing)
        and not ${unit.answeredBy(annotator.id)}`;
}

/**
 * Leases the next unit of `kind` for an annotator: open, in a project open to them, matching their
 * languages and domains, with room under what it needs, never one they have had before; fewest
 * answers first, then highest priority. Returns undefined when no unlocked unit qualifies; see
 * hasAvailable for telling "none left" from "all momentarily locked by other requests".
 * `leftIsA` places a pair's responses; items ignore it.
 */
export async function leaseNext(
  trx: Db,
  options: { kind: UnitKind; annotator: Annotator; projectId: string | null; now: Date; leftIsA: boolean },
): Promise<Lease | undefined> {
  const { kind, annotator, projectId, now } = options;
  const unit = UNITS[kind];
  const pairKind = kind === 'pair';
  const left = pairKind ? (options.leftIsA ? sql`b.response_a_id` : sql`b.response_b_id`) : sql`null::uuid`;
  // one statement: pick and lock the unit, count the lease on it, and insert the assignment. Atomic
  // as a statement, so callers run it without BEGIN/COMMIT (two round trips fewer on the hottest path)
  const picked = await sql<{
    id: string;
    project_id: string;
    assignment_id: string;
    expires_at: Date;
    left_id: string | null;
  }>`
    with candidate as (
      select u.id
      from ${unit.table} u
      join projects pr on pr.id = u.project_id
      ${unit.joins}
      where ${availableTo(kind, annotator, projectId)}
      order by ${unit.tier}, u.priority desc, u.id
      limit 1
      for update of u skip locked
    ), bumped as (
      update ${unit.table} as t set lease_count = t.lease_count + 1, updated_at = ${now}
      from candidate, projects pr
      where t.id = candidate.id and pr.id = t.project_id
      returning t.id, t.project_id,
        ${pairKind ? sql`t.response_a_id, t.response_b_id` : sql`null::uuid as response_a_id, null::uuid as response_b_id`},
        pr.lease_seconds
    ), leased as (
      insert into assignments (project_id, ${sql.ref(unit.assignmentColumn)}, annotator_id, left_response_id,
                               leased_at, expires_at)
      select b.project_id, b.id, ${annotator.id}, ${left}, ${now},
             ${now}::timestamptz + make_interval(secs => b.lease_seconds)
      from bumped b
      returning id, expires_at, left_response_id
    )
    select b.id, b.project_id, l.id as assignment_id, l.expires_at, l.left_response_id as left_id
    from bumped b, leased l`.execute(trx);
  const row = picked.rows[0];
  if (!row) return undefined;
  return toLease({ ...row, unit_id: row.id, left_response_id: row.left_id });
}

/** Leases the next pair (leaseNext for preference pairs). */
export function leaseNextPair(
  trx: Db,
  options: { annotator: Annotator; projectId: string | null; now: Date; leftIsA: boolean },
): Promise<Lease | undefined> {
  return leaseNext(trx, { ...options, kind: 'pair' });
}

/** Whether any unit of `kind` qualifies for the annotator, locked by someone else's request or not. */
export async function hasAvailable(
  db: Db,
  kind: UnitKind,
  annotator: Annotator,
  projectId: string | null,
): Promise<boolean> {
  const unit = UNITS[kind];
  const result = await sql<{ one: number }>`
    select 1 as one from ${unit.table} u
    join projects pr on pr.id = u.project_id
    ${unit.joins}
    where ${availableTo(kind, annotator, projectId)}
    limit 1`.execute(db);
  return result.rows.length > 0;
}

export const hasAvailablePair = (db: Db, annotator: Annotator, projectId: string | null) =>
  hasAvailable(db, 'pair', annotator, projectId);

/** Locks one of the annotator's assignments for a state change. */
export async function lockAssignment(trx: Transaction<Database>, assignmentId: string, annotatorId: string) {
  return trx
    .selectFrom('assignments')
    .select([
      'id',
      'pair_id',
      'item_id',
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

/** Ends a lease without an answer (skip or release) and gives the unit's slot back. */
export async function endLease(
  trx: Transaction<Database>,
  assignment: { id: string; pair_id?: string | null; item_id?: string | null },
  status: 'skipped' | 'released',
  reason: string | null,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('assignments')
    .set({ status, skip_reason: reason, completed_at: now })
    .where('id', '=', assignment.id)
    .execute();
  if (assignment.pair_id)
    await trx
      .updateTable('pairs')
      .set((eb) => ({ lease_count: eb('lease_count', '-', 1), updated_at: now }))
      .where('id', '=', assignment.pair_id)
      .execute();
  if (assignment.item_id)
    await trx
      .updateTable('sentiment_items')
      .set((eb) => ({ lease_count: eb('lease_count', '-', 1), updated_at: now }))
      .where('id', '=', assignment.item_id)
      .execute();
}

/** Sets queue priorities for a project's pairs (a selection policy's output), in batches. */
export async function setPairPriorities(
  db: Db,
  priorities: { id: string; priority: number }[],
): Promise<void> {
  await setPriorities(db, 'pair', priorities);
}

/** Sets queue priorities of pairs or items, in batches of 1,000. */
export async function setPriorities(
  db: Db,
  kind: UnitKind,
  priorities: { id: string; priority: number }[],
): Promise<void> {
  const table = UNITS[kind].table;
  for (let i = 0; i < priorities.length; i += 1000) {
    const chunk = priorities.slice(i, i + 1000);
    await sql`
      update ${table} as t set priority = v.priority
      from (select unnest(${chunk.map((p) => p.id)}::uuid[]) as id,
                   unnest(${chunk.map((p) => p.priority)}::float8[]) as priority) v
      where t.id = v.id`.execute(db);
  }
}
