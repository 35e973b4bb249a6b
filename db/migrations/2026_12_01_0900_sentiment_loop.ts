/**
 * The sentiment loop: items carry their route (human queue, auto-accepted, or auto-accepted and
 * drawn for audit), their open leases (so availability is one comparison on the row, as for pairs),
 * their language, and whether they belong to the fixed held-out set that measures every retraining
 * cycle. Pre-labels say where they came from (lexicon or trained model), labels are unique per
 * annotator and item, audits are one per item, and each retraining cycle is recorded with its
 * before/after metrics.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `ALTER TABLE sentiment_items ADD COLUMN lease_count integer NOT NULL DEFAULT 0 CHECK (lease_count >= 0)`,
  `ALTER TABLE sentiment_items ADD COLUMN route text CHECK (route IN ('human','auto','audit'))`,
  `ALTER TABLE sentiment_items ADD COLUMN is_holdout boolean NOT NULL DEFAULT false`,
  `ALTER TABLE sentiment_items ADD COLUMN language text`,
  `ALTER TABLE sentiment_items ADD COLUMN prelabel_id uuid REFERENCES prelabels(id) ON DELETE SET NULL`,
  `ALTER TABLE sentiment_items ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`,
  `DROP INDEX sentiment_items_queue_idx`,
  `CREATE INDEX sentiment_items_queue_idx ON sentiment_items (project_id, ((label_count + lease_count)), priority DESC) WHERE status = 'open'`,
  `CREATE INDEX sentiment_items_route_idx ON sentiment_items (project_id, route, status)`,
  `ALTER TABLE prelabels ADD COLUMN source text NOT NULL DEFAULT 'model' CHECK (source IN ('lexicon','model'))`,
  `CREATE UNIQUE INDEX assignments_item_once_idx ON assignments (item_id, annotator_id)
     WHERE item_id IS NOT NULL AND status IN ('leased', 'submitted', 'skipped') AND NOT is_repeat`,
  `CREATE UNIQUE INDEX sentiment_labels_once_idx ON sentiment_labels (item_id, annotator_id) WHERE annotator_id IS NOT NULL`,
  `CREATE INDEX sentiment_labels_project_idx ON sentiment_labels (project_id, created_at)`,
  `CREATE INDEX sentiment_labels_annotator_idx ON sentiment_labels (annotator_id, created_at)`,
  `ALTER TABLE audits ADD COLUMN project_id uuid REFERENCES projects(id) ON DELETE CASCADE`,
  `ALTER TABLE audits ADD CONSTRAINT audits_item_once UNIQUE (item_id)`,
  `CREATE INDEX audits_project_idx ON audits (project_id, status)`,
  `CREATE TABLE sentiment_cycles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    number integer NOT NULL CHECK (number >= 1),
    job_id uuid UNIQUE,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running','done','failed')),
    before_model_id uuid REFERENCES models(id) ON DELETE SET NULL,
    before_source text CHECK (before_source IN ('lexicon','model')),
    after_model_id uuid REFERENCES models(id) ON DELETE SET NULL,
    before_metrics jsonb,
    after_metrics jsonb,
    holdout integer NOT NULL DEFAULT 0,
    human_labels integer NOT NULL DEFAULT 0,
    audit_labels integer NOT NULL DEFAULT 0,
    activated boolean NOT NULL DEFAULT false,
    routing jsonb NOT NULL DEFAULT '{}',
    error text,
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (project_id, number)
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP TABLE IF EXISTS sentiment_cycles',
    'DROP INDEX IF EXISTS audits_project_idx',
    'ALTER TABLE audits DROP CONSTRAINT IF EXISTS audits_item_once',
    'ALTER TABLE audits DROP COLUMN IF EXISTS project_id',
    'DROP INDEX IF EXISTS sentiment_labels_annotator_idx',
    'DROP INDEX IF EXISTS sentiment_labels_project_idx',
    'DROP INDEX IF EXISTS sentiment_labels_once_idx',
    'DROP INDEX IF EXISTS assignments_item_once_idx',
    'ALTER TABLE prelabels DROP COLUMN IF EXISTS source',
    'DROP INDEX IF EXISTS sentiment_items_route_idx',
    'DROP INDEX IF EXISTS sentiment_items_queue_idx',
    'ALTER TABLE sentiment_items DROP COLUMN IF EXISTS updated_at',
    'ALTER TABLE sentiment_items DROP COLUMN IF EXISTS prelabel_id',
    'ALTER TABLE sentiment_items DROP COLUMN IF EXISTS language',
    'ALTER TABLE sentiment_items DROP COLUMN IF EXISTS is_holdout',
    'ALTER TABLE sentiment_items DROP COLUMN IF EXISTS route',
    'ALTER TABLE sentiment_items DROP COLUMN IF EXISTS lease_count',
    `CREATE INDEX IF NOT EXISTS sentiment_items_queue_idx ON sentiment_items (project_id, status, label_count, priority DESC)`,
  ])
    await sql.raw(statement).execute(db);
}
