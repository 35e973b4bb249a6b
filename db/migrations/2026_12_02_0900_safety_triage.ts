/**
 * Safety triage: the harm classifier's risk for each response (one row per model version, so each
 * version can be measured against the reviewer decisions made while it was live), labels imported
 * with a response (BeaverTails-style is_safe and source categories, mapped at training time so a
 * lead's edit of the mapping takes effect on the next retraining), and what annotators did with
 * each suggested flag. A review may now carry no flag: the model sent the response, nobody flagged it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE TABLE response_risks (
       response_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
       model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
       project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
       risk real NOT NULL CHECK (risk >= 0 AND risk <= 1),
       categories jsonb NOT NULL DEFAULT '{}',
       scored_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (response_id, model_id)
     )`,
    'CREATE INDEX response_risks_model_risk_idx ON response_risks (model_id, risk DESC)',
    `CREATE TABLE response_safety_labels (
       response_id uuid PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,
       project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
       is_safe boolean NOT NULL,
       source_categories jsonb NOT NULL DEFAULT '{}',
       source text NOT NULL DEFAULT '',
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    'CREATE INDEX response_safety_labels_project_idx ON response_safety_labels (project_id)',
    `CREATE TABLE flag_suggestions (
       judgment_id uuid NOT NULL REFERENCES judgments(id) ON DELETE CASCADE,
       response_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
       category text NOT NULL,
       probability real NOT NULL,
       model_id uuid REFERENCES models(id) ON DELETE SET NULL,
       accepted boolean NOT NULL,
       PRIMARY KEY (judgment_id, response_id, category)
     )`,
    'CREATE INDEX flag_suggestions_model_idx ON flag_suggestions (model_id)',
  ])
    await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'DROP TABLE IF EXISTS flag_suggestions',
    'DROP TABLE IF EXISTS response_safety_labels',
    'DROP TABLE IF EXISTS response_risks',
  ])
    await sql.raw(statement).execute(db);
}
