/**
 * Export snapshots: each export's file is kept as gzip-compressed chunks of at most 1 MiB in
 * export_chunks, written as the export streams (constant memory) and read back in order for a
 * byte-identical download. The old single `content` column could not stream, so it goes.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'ALTER TABLE exports DROP COLUMN content',
    'ALTER TABLE exports ADD COLUMN job_id uuid REFERENCES jobs(id) ON DELETE SET NULL',
    `ALTER TABLE exports ADD COLUMN encoding text NOT NULL DEFAULT 'jsonl' CHECK (encoding IN ('jsonl', 'csv', 'parquet'))`,
    "ALTER TABLE exports ADD COLUMN options jsonb NOT NULL DEFAULT '{}'",
    "ALTER TABLE exports ADD COLUMN counts jsonb NOT NULL DEFAULT '{}'",
    'ALTER TABLE exports ADD COLUMN stored_bytes bigint',
    `CREATE TABLE export_chunks (
       export_id uuid NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
       seq integer NOT NULL CHECK (seq >= 0),
       data bytea NOT NULL,
       PRIMARY KEY (export_id, seq)
     )`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP TABLE IF EXISTS export_chunks',
    'ALTER TABLE exports DROP COLUMN stored_bytes',
    'ALTER TABLE exports DROP COLUMN counts',
    'ALTER TABLE exports DROP COLUMN options',
    'ALTER TABLE exports DROP COLUMN encoding',
    'ALTER TABLE exports DROP COLUMN job_id',
    'ALTER TABLE exports ADD COLUMN content bytea',
  ])
    await sql.raw(statement).execute(db);
}
