/**
 * Pre-labels may come from a pretrained text-classification model (a sentiment project's configured
 * cold start), besides the word list and the project's own trained classifiers; so may the
 * "before" figure of a retraining cycle.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'ALTER TABLE prelabels DROP CONSTRAINT prelabels_source_check',
    `ALTER TABLE prelabels ADD CONSTRAINT prelabels_source_check CHECK (source IN ('lexicon','pretrained','model'))`,
    'ALTER TABLE sentiment_cycles DROP CONSTRAINT sentiment_cycles_before_source_check',
    `ALTER TABLE sentiment_cycles ADD CONSTRAINT sentiment_cycles_before_source_check
       CHECK (before_source IN ('lexicon','pretrained','model'))`,
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `UPDATE prelabels SET source = 'lexicon' WHERE source = 'pretrained'`,
    `UPDATE sentiment_cycles SET before_source = 'lexicon' WHERE before_source = 'pretrained'`,
    'ALTER TABLE prelabels DROP CONSTRAINT prelabels_source_check',
    `ALTER TABLE prelabels ADD CONSTRAINT prelabels_source_check CHECK (source IN ('lexicon','model'))`,
    'ALTER TABLE sentiment_cycles DROP CONSTRAINT sentiment_cycles_before_source_check',
    `ALTER TABLE sentiment_cycles ADD CONSTRAINT sentiment_cycles_before_source_check
       CHECK (before_source IN ('lexicon','model'))`,
  ])
    await sql.raw(statement).execute(db);
}
