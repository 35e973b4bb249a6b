/**
 * The assignment queue: open leases counted on the pair (so availability is one comparison), an
 * index in the order the queue reads, and "never the same pair twice" as a database guarantee.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `ALTER TABLE pairs ADD COLUMN lease_count integer NOT NULL DEFAULT 0 CHECK (lease_count >= 0)`,
  `DROP INDEX pairs_queue_idx`,
  `CREATE INDEX pairs_queue_idx ON pairs (project_id, ((judgment_count + lease_count)), priority DESC) WHERE status = 'open'`,
  `CREATE UNIQUE INDEX assignments_once_idx ON assignments (pair_id, annotator_id)
     WHERE pair_id IS NOT NULL AND status IN ('leased', 'submitted', 'skipped') AND NOT is_repeat`,
  `CREATE INDEX assignments_open_by_annotator_idx ON assignments (annotator_id, project_id) WHERE status = 'leased'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS assignments_open_by_annotator_idx').execute(db);
  await sql.raw('DROP INDEX IF EXISTS assignments_once_idx').execute(db);
  await sql.raw('DROP INDEX IF EXISTS pairs_queue_idx').execute(db);
  await sql.raw('ALTER TABLE pairs DROP COLUMN lease_count').execute(db);
  await sql
    .raw('CREATE INDEX pairs_queue_idx ON pairs (project_id, status, judgment_count, priority DESC)')
    .execute(db);
}
