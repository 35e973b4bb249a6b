/**
 * Sentiment items, their pre-labels, labels and audits: the SQL of the sentiment loop in one place.
 * Multi-row writes take a transaction from the caller, so an import or a routing pass lands whole.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, PrelabelSource, SentimentRoute } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewSentimentItem {
  text: string;
  content_hash: string;
  reference_label: string | null;
  language: string | null;
  meta: Record<string, unknown>;
}

/**
 * Inserts items that are new (by content hash, within the project) and returns the id of every
 * given hash, new or existing, plus which ones were created.
 */
export async function insertSentimentItemsBatch(
  trx: Transaction<Database>,
  projectId: string,
  items: NewSentimentItem[],
): Promise<{ ids: Map<string, string>; created: Set<string> }> {
  const ids = new Map<string, string>();
  const created = new Set<string>();
  if (items.length === 0) return { ids, created };
  const inserted = await trx
    .insertInto('sentiment_items')
    .values(items.map((item) => ({ ...item, project_id: projectId, meta: JSON.stringify(item.meta) })))
    .onConflict((oc) => oc.columns(['project_id', 'content_hash']).doNothing())
    .returning(['id', 'content_hash'])
    .execute();
  for (const row of inserted) {
    ids.set(row.content_hash, row.id);
    created.add(row.id);
  }
  const missing = items.map((i) => i.content_hash).filter((h) => !ids.has(h));
  if (missing.length) {
    const existing = await trx
      .selectFrom('sentiment_items')
      .select(['id', 'content_hash'])
      .where('project_id', '=', projectId)
      .where('content_hash', 'in', missing)
      .execute();
    for (const row of existing) ids.set(row.content_hash, row.id);
  }
  return { ids, created };
}

export async function countHoldoutItems(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('sentiment_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .where('is_holdout', '=', true)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function setHoldoutItems(trx: Transaction<Database>, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000)
    await trx
      .updateTable('sentiment_items')
      .set({ is_holdout: true })
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
}

export interface RoutableItem {
  id: string;
  text: string;
  content_hash: string;
  is_holdout: boolean;
}

/**
 * Items a routing pass may (re)decide, in id order after `after`: open, never labelled by a person,
 * not leased right now, and not already accepted or waiting for their audit. `ids` narrows it.
 */
export async function listRoutableItems(
  db: Db,
  projectId: string,
  options: { after?: string; limit: number; ids?: string[] },
): Promise<RoutableItem[]> {
  let query = db
    .selectFrom('sentiment_items')
    .select(['id', 'text', 'content_hash', 'is_holdout'])
    .where('project_id', '=', projectId)
    .where('status', '=', 'open')
    .where('label_count', '=', 0)
    .where('lease_count', '=', 0)
    .where((eb) => eb.or([eb('route', 'is', null), eb('route', '=', 'human')]))
    .orderBy('id')
    .limit(options.limit);
  if (options.after) query = query.where('id', '>', options.after);
  if (options.ids)
    query = query.where(
      'id',
      'in',
      options.ids.length ? options.ids : ['00000000-0000-0000-0000-000000000000'],
    );
  return query.execute();
}

export interface NewPrelabel {
  item_id: string;
  model_id: string | null;
  source: PrelabelSource;
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
  route: SentimentRoute;
}

/** Inserts pre-labels and returns their ids in the same order. */
export async function insertPrelabels(trx: Transaction<Database>, rows: NewPrelabel[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await trx
    .insertInto('prelabels')
    .values(rows.map((r) => ({ ...r, probabilities: JSON.stringify(r.probabilities) })))
    .returning(['id', 'item_id'])
    .execute();
  const byItem = new Map(inserted.map((r) => [r.item_id, r.id]));
  return rows.map((r) => byItem.get(r.item_id)!);
}

export interface ItemRouting {
  id: string;
  prelabel_id: string | null;
  route: SentimentRoute;
  priority: number;
  /** accepted items carry the pre-label as their final label */
  final_label: string | null;
}

/**
 * Applies routing decisions in one statement per 1,000 items: accepted items close with the
 * pre-label as their final label; items for people and for audit are open (an audit needs one
 * label), an audited item keeps the pre-label as its final label until the auditor answers, and an
 * item sent to people has none. Only items never labelled by a person and not leased right now are
 * touched (a lease taken meanwhile wins); `routableOnly` also leaves accepted items alone (a routing
 * pass over new predictions), without it accepted items may go back to people (new settings).
 */
export async function setItemRoutes(
  trx: Transaction<Database>,
  rows: ItemRouting[],
  now: Date,
  options: { routableOnly: boolean } = { routableOnly: true },
): Promise<number> {
  let changed = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const ids = chunk.map((r) => r.id);
    const result = await sql`
      update sentiment_items as s set
        prelabel_id = v.prelabel_id,
        route = v.route,
        priority = v.priority,
        status = case when v.route = 'auto' then 'closed' else 'open' end,
        final_label = case when v.route = 'human' then null else v.final_label end,
        final_source = case when v.route = 'human' then null else 'auto' end,
        updated_at = ${now}
      from (select unnest(${ids}::uuid[]) as id,
                   unnest(${chunk.map((r) => r.prelabel_id)}::uuid[]) as prelabel_id,
                   unnest(${chunk.map((r) => r.route)}::text[]) as route,
                   unnest(${chunk.map((r) => r.priority)}::float8[]) as priority,
                   unnest(${chunk.map((r) => r.final_label)}::text[]) as final_label) v
      -- the id list lets the planner use the primary key: inside an import transaction the
      -- table has no statistics yet, and a join on v alone was planned as a scan per row (11 s a batch)
      where s.id = any(${ids}::uuid[]) and s.id = v.id and s.label_count = 0 and s.lease_count = 0 and not s.is_gold
        ${options.routableOnly ? sql`and s.status = 'open' and (s.route is null or s.route = 'human')` : sql``}`.execute(
      trx,
    );
    changed += Number(result.numAffectedRows ?? 0);
  }
  return changed;
}

/** Opens one pending audit per item (an item is audited at most once). */
export async function insertAudits(
  trx: Transaction<Database>,
  rows: { project_id: string; item_id: string; prelabel_id: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('audits')
    .values(rows)
    .onConflict((oc) => oc.column('item_id').doNothing())
    .execute();
}

export interface RoutingSummary {
  items: number;
  /** waiting for people: not yet labelled as often as needed */
  human_open: number;
  /** labelled by people as often as needed */
  human_done: number;
  auto: number;
  audit_pending: number;
  audit_done: number;
  holdout: number;
  holdout_labelled: number;
  human_labels: number;
}

export async function routingSummary(db: Db, projectId: string): Promise<RoutingSummary> {
  const row = await sql<Record<keyof RoutingSummary, string | number>>`
    select
      count(*) as items,
      count(*) filter (where coalesce(route, 'human') = 'human' and status = 'open') as human_open,
      count(*) filter (where coalesce(route, 'human') = 'human' and status = 'closed') as human_done,
      count(*) filter (where route = 'auto') as auto,
      count(*) filter (where route = 'audit' and status = 'open') as audit_pending,
      count(*) filter (where route = 'audit' and status = 'closed') as audit_done,
      count(*) filter (where is_holdout) as holdout,
      count(*) filter (where is_holdout and label_count > 0) as holdout_labelled,
      (select count(*) from sentiment_labels l where l.project_id = ${projectId} and l.source = 'human') as human_labels
    from sentiment_items where project_id = ${projectId}`.execute(db);
  const r = row.rows[0]!;
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as unknown as RoutingSummary;
}

/** Finished audits with the confidence of the pre-label they checked. */
export async function listAuditOutcomes(
  db: Db,
  projectId: string,
): Promise<{ confidence: number; agrees: boolean }[]> {
  const rows = await db
    .selectFrom('audits as a')
    .innerJoin('prelabels as p', 'p.id', 'a.prelabel_id')
    .select(['p.confidence', 'a.agrees'])
    .where('a.project_id', '=', projectId)
    .where('a.status', '=', 'done')
    .execute();
  return rows.map((r) => ({ confidence: Number(r.confidence), agrees: r.agrees === true }));
}

/** Confidence of every auto-accepted item's pre-label (audited ones included). */
export async function listAcceptedConfidences(db: Db, projectId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('sentiment_items as s')
    .innerJoin('prelabels as p', 'p.id', 's.prelabel_id')
    .select('p.confidence')
    .where('s.project_id', '=', projectId)
    .where('s.route', 'in', ['auto', 'audit'])
    .execute();
  return rows.map((r) => Number(r.confidence));
}

export interface LabelledItem {
  item_id: string;
  text: string;
  is_holdout: boolean;
  /** every human, audit and adjudicated label of the item */
  labels: string[];
  /** who gave each of `labels`, in the same order (null when no person is recorded) */
  annotators: (string | null)[];
}

/**
 * Items with at least one label from a person (human, audit or adjudicated), with those labels, in
 * content-hash order. A settled answer replaces the votes: an adjudicated item carries its decision
 * alone (by its adjudicator), a gold item its gold label alone (no annotator), so training learns
 * the answer rather than the dispute.
 */
export async function listLabelledItems(db: Db, projectId: string): Promise<LabelledItem[]> {
  const rows = await db
    .selectFrom('sentiment_labels as l')
    .innerJoin('sentiment_items as s', 's.id', 'l.item_id')
    .leftJoin('adjudications as ad', 'ad.item_id', 's.id')
    .select([
      's.id as item_id',
      's.text',
      's.is_holdout',
      's.is_gold',
      's.final_label',
      'ad.label as decided',
      'ad.decided_by',
      'l.label',
      'l.annotator_id',
    ])
    .where('l.project_id', '=', projectId)
    .where('l.source', 'in', ['human', 'audit', 'adjudicated'])
    // by content, not by the random ids, so the same labels train the same model on any store
    .orderBy('s.content_hash')
    .orderBy('s.id')
    .orderBy('l.created_at')
    .orderBy('l.id')
    .execute();
  const out: LabelledItem[] = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    const settled = row.decided ?? (row.is_gold ? row.final_label : null);
    if (settled !== null) {
      if (last?.item_id !== row.item_id)
        out.push({
          item_id: row.item_id,
          text: row.text,
          is_holdout: row.is_holdout,
          labels: [settled],
          annotators: [row.decided ? row.decided_by : null],
        });
      continue;
    }
    if (last?.item_id === row.item_id) {
      last.labels.push(row.label);
      last.annotators.push(row.annotator_id);
    } else
      out.push({
        item_id: row.item_id,
        text: row.text,
        is_holdout: row.is_holdout,
        labels: [row.label],
        annotators: [row.annotator_id],
      });
  }
  return out;
}

export interface CycleRow {
  id: string;
  project_id: string;
  number: number;
  job_id: string | null;
  status: 'running' | 'done' | 'failed';
  before_model_id: string | null;
  before_source: PrelabelSource | null;
  after_model_id: string | null;
  before_metrics: Record<string, unknown> | null;
  after_metrics: Record<string, unknown> | null;
  holdout: number;
  human_labels: number;
  audit_labels: number;
  activated: boolean;
  routing: Record<string, unknown>;
  error: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const CYCLE_COLUMNS = [
  'id',
  'project_id',
  'number',
  'job_id',
  'status',
  'before_model_id',
  'before_source',
  'after_model_id',
  'before_metrics',
  'after_metrics',
  'holdout',
  'human_labels',
  'audit_labels',
  'activated',
  'routing',
  'error',
  'created_by',
  'created_at',
  'finished_at',
] as const;

/** The cycle a job is running (a retried job reuses its row), or a new one numbered max+1. */
export async function insertCycleForJob(
  trx: Transaction<Database>,
  cycle: { projectId: string; jobId: string; createdBy: string | null },
): Promise<CycleRow> {
  const existing = await trx
    .selectFrom('sentiment_cycles')
    .select(CYCLE_COLUMNS)
    .where('job_id', '=', cycle.jobId)
    .executeTakeFirst();
  if (existing) return existing as CycleRow;
  // the project's row lock makes two cycles starting at once take numbers one after the other
  await trx.selectFrom('projects').select('id').where('id', '=', cycle.projectId).forUpdate().execute();
  const latest = await trx
    .selectFrom('sentiment_cycles')
    .select((eb) => eb.fn.max('number').as('number'))
    .where('project_id', '=', cycle.projectId)
    .executeTakeFirst();
  return (await trx
    .insertInto('sentiment_cycles')
    .values({
      project_id: cycle.projectId,
      number: Number(latest?.number ?? 0) + 1,
      job_id: cycle.jobId,
      created_by: cycle.createdBy,
    })
    .returning(CYCLE_COLUMNS)
    .executeTakeFirstOrThrow()) as CycleRow;
}

export async function setCycle(
  db: Db,
  id: string,
  values: Partial<Omit<CycleRow, 'id' | 'project_id' | 'number' | 'job_id' | 'created_at' | 'created_by'>>,
): Promise<void> {
  const { before_metrics, after_metrics, routing, ...rest } = values;
  await db
    .updateTable('sentiment_cycles')
    .set({
      ...rest,
      ...(before_metrics !== undefined
        ? { before_metrics: before_metrics === null ? null : JSON.stringify(before_metrics) }
        : {}),
      ...(after_metrics !== undefined
        ? { after_metrics: after_metrics === null ? null : JSON.stringify(after_metrics) }
        : {}),
      ...(routing !== undefined ? { routing: JSON.stringify(routing) } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** A project's cycles, oldest first. */
export async function listCycles(db: Db, projectId: string): Promise<CycleRow[]> {
  return (await db
    .selectFrom('sentiment_cycles')
    .select(CYCLE_COLUMNS)
    .where('project_id', '=', projectId)
    .orderBy('number')
    .execute()) as CycleRow[];
}

export interface StoredRoute {
  id: string;
  content_hash: string;
  is_holdout: boolean;
  route: SentimentRoute | null;
  prelabel_id: string;
  label: string;
  probabilities: Record<string, number>;
  source: PrelabelSource;
}

/**
 * Items whose route a new threshold or audit rate may change without new predictions: never
 * labelled by a person, not leased, not waiting for an audit, with a pre-label.
 */
export async function listReroutableItems(
  trx: Transaction<Database>,
  projectId: string,
): Promise<StoredRoute[]> {
  return (await trx
    .selectFrom('sentiment_items as s')
    .innerJoin('prelabels as p', 'p.id', 's.prelabel_id')
    .select([
      's.id',
      's.content_hash',
      's.is_holdout',
      's.route',
      's.prelabel_id',
      'p.label',
      'p.probabilities',
      'p.source',
    ])
    .where('s.project_id', '=', projectId)
    .where('s.label_count', '=', 0)
    .where('s.lease_count', '=', 0)
    .where('s.route', 'in', ['auto', 'human'])
    .orderBy('s.id')
    .execute()) as StoredRoute[];
}
