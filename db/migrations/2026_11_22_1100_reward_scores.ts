/**
 * Reward model scores: the active model's prediction for every candidate pair, per axis, so the
 * selection policy and the screens read them without loading a model. One row per (pair, axis):
 * activating another version replaces the rows. Finding a training job's model is a lookup by
 * job_id, and at most one model belongs to a job.
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `CREATE TABLE pair_scores (
    pair_id uuid NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
    axis text NOT NULL CHECK (axis IN ('helpfulness','safety')),
    model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    reward_a double precision NOT NULL,
    reward_b double precision NOT NULL,
    probability_a double precision NOT NULL CHECK (probability_a BETWEEN 0 AND 1),
    uncertainty double precision NOT NULL CHECK (uncertainty >= 0),
    spread double precision NOT NULL CHECK (spread >= 0),
    scored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pair_id, axis)
  )`,
  `CREATE INDEX pair_scores_model_idx ON pair_scores (model_id)`,
  `CREATE UNIQUE INDEX models_job_idx ON models (job_id) WHERE job_id IS NOT NULL`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS models_job_idx').execute(db);
  await sql.raw('DROP TABLE IF EXISTS pair_scores').execute(db);
}
