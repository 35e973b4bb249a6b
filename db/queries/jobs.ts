/**
 * A job queue in PostgreSQL: workers claim with FOR UPDATE SKIP LOCKED, hold a lease they renew
 * while working, and a job whose worker died (lease expired) is claimed again, up to max_attempts.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, JobStatus } from '../schema';

export interface JobRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  progress: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  error: string | null;
  project_id: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = [
  'id',
  'kind',
  'payload',
  'status',
  'attempts',
  'max_attempts',
  'progress',
  'result',
  'error',
  'project_id',
  'created_by',
  'created_at',
  'started_at',
  'finished_at',
] as const;

export async function insertJob(
  db: Kysely<Database>,
  job: {
    kind: string;
    payload: Record<string, unknown>;
    projectId?: string | null;
    createdBy?: string | null;
    maxAttempts?: number;
  },
): Promise<string> {
  const row = await db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      project_id: job.projectId ?? null,
      created_by: job.createdBy ?? null,
      max_attempts: job.maxAttempts ?? 3,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findJob(db: Kysely<Database>, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').select(COLUMNS).where('id', '=', id).executeTakeFirst() as Promise<
    JobRow | undefined
  >;
}

/** The newest job of `kind` for a project, optionally only in the given statuses. */
export async function findLatestJob(
  db: Kysely<Database>,
  options: { kind: string; projectId: string; statuses?: JobStatus[] },
): Promise<JobRow | undefined> {
  let query = db
    .selectFrom('jobs')
    .select(COLUMNS)
    .where('kind', '=', options.kind)
    .where('project_id', '=', options.projectId)
    .orderBy('created_at', 'desc')
    .limit(1);
  if (options.statuses?.length) query = query.where('status', 'in', options.statuses);
  return query.executeTakeFirst() as Promise<JobRow | undefined>;
}

/**
 * Claims the next runnable job of the given kinds: queued and due, or running with an expired lease
 * (its worker died). A job that has used up its attempts is marked failed instead of being run again.
 */
export async function claimJob(
  db: Kysely<Database>,
  options: { worker: string; kinds: string[]; leaseMs: number; now: Date },
): Promise<JobRow | undefined> {
  const { worker, kinds, leaseMs, now } = options;
  await sql`
    update jobs set status = 'failed', finished_at = ${now},
      error = coalesce(error, 'The worker stopped before finishing, and no attempts are left.')
    where status = 'running' and locked_until < ${now} and attempts >= max_attempts`.execute(db);
  const claimed = await sql<JobRow>`
    update jobs set status = 'running', attempts = attempts + 1, locked_by = ${worker},
      locked_until = ${new Date(now.getTime() + leaseMs)}, started_at = coalesce(started_at, ${now}), error = null
    where id = (
      select id from jobs
      where kind = any(${kinds}::text[])
        and ((status = 'queued' and run_after <= ${now}) or (status = 'running' and locked_until < ${now}))
      order by priority desc, created_at
      limit 1
      for update skip locked
    )
    returning ${sql.join(COLUMNS.map((c) => sql.ref(c)))}`.execute(db);
  return claimed.rows[0];
}

/** Extends the lease of a job this worker runs; false when the job is no longer this worker's. */
export async function renewJobLease(
  db: Kysely<Database>,
  id: string,
  worker: string,
  leaseUntil: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ locked_until: leaseUntil })
    .where('id', '=', id)
    .where('locked_by', '=', worker)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records progress and renews the lease; false when the job is no longer this worker's. */
export async function setJobProgress(
  db: Kysely<Database>,
  id: string,
  worker: string,
  progress: Record<string, unknown>,
  leaseUntil: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ progress: JSON.stringify(progress), locked_until: leaseUntil })
    .where('id', '=', id)
    .where('locked_by', '=', worker)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function finishJob(
  db: Kysely<Database>,
  id: string,
  worker: string,
  outcome: {
    status: 'succeeded' | 'failed';
    result?: Record<string, unknown>;
    error?: string;
    retryAt?: Date;
  },
  now: Date,
): Promise<void> {
  const retry = outcome.status === 'failed' && outcome.retryAt;
  await db
    .updateTable('jobs')
    .set({
      status: retry ? 'queued' : outcome.status,
      result: outcome.result ? JSON.stringify(outcome.result) : null,
      error: outcome.error ?? null,
      locked_by: null,
      locked_until: null,
      run_after: retry ? outcome.retryAt! : now,
      finished_at: retry ? null : now,
    })
    .where('id', '=', id)
    .where('locked_by', '=', worker)
    .execute();
}
