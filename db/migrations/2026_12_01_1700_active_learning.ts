/**
 * Active learning on the pair queue: a selection policy may give a pair its own number of answers
 * (`target_judgments`: fewer on a clear consensus, more when answers split) and let a split pair
 * jump the breadth-first order (`queue_boost` is subtracted from its answer count there). Each
 * refresh of the queue is recorded, and at most one refresh job per project waits or runs.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'ALTER TABLE pairs ADD COLUMN target_judgments integer CHECK (target_judgments >= 0)',
    'ALTER TABLE pairs ADD COLUMN queue_boost integer NOT NULL DEFAULT 0 CHECK (queue_boost >= 0)',
    'DROP INDEX pairs_queue_idx',
    `CREATE INDEX pairs_queue_idx ON pairs (project_id, ((judgment_count + lease_count - queue_boost)), priority DESC)
       WHERE status = 'open'`,
    `CREATE TABLE queue_refreshes (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
       job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
       model_id uuid REFERENCES models(id) ON DELETE SET NULL,
       policy text NOT NULL,
       settings jsonb NOT NULL DEFAULT '{}',
       judgments integer NOT NULL,
       candidates integer NOT NULL,
       ranked integer NOT NULL,
       stopped integer NOT NULL,
       reasked integer NOT NULL,
       skipped_leased integer NOT NULL,
       seconds double precision NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    'CREATE INDEX queue_refreshes_project_idx ON queue_refreshes (project_id, created_at DESC)',
    `CREATE UNIQUE INDEX jobs_one_queue_refresh_idx ON jobs (project_id)
       WHERE kind = 'queue-refresh' AND status IN ('queued', 'running')`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP INDEX IF EXISTS jobs_one_queue_refresh_idx',
    'DROP TABLE IF EXISTS queue_refreshes',
    'DROP INDEX IF EXISTS pairs_queue_idx',
    `CREATE INDEX pairs_queue_idx ON pairs (project_id, ((judgment_count + lease_count)), priority DESC) WHERE status = 'open'`,
    'ALTER TABLE pairs DROP COLUMN queue_boost',
    'ALTER TABLE pairs DROP COLUMN target_judgments',
  ])
    await sql.raw(statement).execute(db);
}
