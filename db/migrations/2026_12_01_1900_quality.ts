/**
 * Quality control: gold items (pairs and sentiment items) are served outside the breadth-first
 * queue at the project's gold rate; consistency repeats come back at `repeat_rate` with the sides
 * swapped; a lead's or safety reviewer's adjudication settles a disputed unit; the leads'
 * dashboard reads precomputed quality reports, refreshed by at most one job per project.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'ALTER TABLE sentiment_items ADD COLUMN is_gold boolean NOT NULL DEFAULT false',
    'ALTER TABLE sentiment_labels ADD COLUMN is_gold boolean NOT NULL DEFAULT false',
    `ALTER TABLE projects ADD COLUMN repeat_rate real NOT NULL DEFAULT 0.05
       CHECK (repeat_rate >= 0 AND repeat_rate <= 0.5)`,
    `CREATE INDEX pairs_gold_idx ON pairs (project_id) WHERE is_gold AND status = 'open'`,
    `CREATE INDEX sentiment_items_gold_idx ON sentiment_items (project_id) WHERE is_gold AND status = 'open'`,
    `CREATE INDEX judgments_repeat_source_idx ON judgments (annotator_id, project_id, created_at)
       WHERE NOT is_repeat AND NOT is_gold`,
    `CREATE TABLE adjudications (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
       pair_id uuid UNIQUE REFERENCES pairs(id) ON DELETE CASCADE,
       item_id uuid UNIQUE REFERENCES sentiment_items(id) ON DELETE CASCADE,
       decided_by uuid REFERENCES users(id) ON DELETE SET NULL,
       helpfulness smallint CHECK (helpfulness BETWEEN -3 AND 3),
       safety smallint CHECK (safety BETWEEN -3 AND 3),
       label text,
       note text NOT NULL DEFAULT '',
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       CHECK (num_nonnulls(pair_id, item_id) = 1),
       CHECK (pair_id IS NULL OR (helpfulness IS NOT NULL AND safety IS NOT NULL)),
       CHECK (item_id IS NULL OR label IS NOT NULL)
     )`,
    'CREATE INDEX adjudications_project_idx ON adjudications (project_id, created_at DESC)',
    `CREATE TABLE quality_reports (
       id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
       project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
       job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
       judgments integer NOT NULL,
       annotators integer NOT NULL,
       seconds double precision NOT NULL,
       report jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    'CREATE INDEX quality_reports_project_idx ON quality_reports (project_id, created_at DESC)',
    `CREATE UNIQUE INDEX jobs_one_quality_refresh_idx ON jobs (project_id)
       WHERE kind = 'quality-refresh' AND status IN ('queued', 'running')`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP INDEX IF EXISTS jobs_one_quality_refresh_idx',
    'DROP TABLE IF EXISTS quality_reports',
    'DROP TABLE IF EXISTS adjudications',
    'DROP INDEX IF EXISTS judgments_repeat_source_idx',
    'DROP INDEX IF EXISTS sentiment_items_gold_idx',
    'DROP INDEX IF EXISTS pairs_gold_idx',
    'ALTER TABLE projects DROP COLUMN repeat_rate',
    'ALTER TABLE sentiment_labels DROP COLUMN is_gold',
    'ALTER TABLE sentiment_items DROP COLUMN is_gold',
  ])
    await sql.raw(statement).execute(db);
}
