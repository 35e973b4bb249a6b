/**
 * The queue reads units in the order (answers so far, priority, id), and the indexes had only the
 * first two: among equal counts and priorities — at the start, every unit of a project — PostgreSQL
 * sorted all of them by id on each request (an incremental sort over one group of a million rows
 * took seconds). With id in the index the next unit is the first unlocked entry of an index scan.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP INDEX pairs_queue_idx',
    `CREATE INDEX pairs_queue_idx ON pairs (project_id, ((judgment_count + lease_count - queue_boost)), priority DESC, id)
       WHERE status = 'open'`,
    'DROP INDEX sentiment_items_queue_idx',
    `CREATE INDEX sentiment_items_queue_idx ON sentiment_items (project_id, ((label_count + lease_count)), priority DESC, id)
       WHERE status = 'open'`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP INDEX IF EXISTS pairs_queue_idx',
    `CREATE INDEX pairs_queue_idx ON pairs (project_id, ((judgment_count + lease_count - queue_boost)), priority DESC)
       WHERE status = 'open'`,
    'DROP INDEX IF EXISTS sentiment_items_queue_idx',
    `CREATE INDEX sentiment_items_queue_idx ON sentiment_items (project_id, ((label_count + lease_count)), priority DESC)
       WHERE status = 'open'`,
  ])
    await sql.raw(statement).execute(db);
}
