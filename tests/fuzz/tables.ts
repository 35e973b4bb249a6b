/** Which tables the fuzz properties watch for writes that a refused input must not make. */
import type { Database } from '../../db/schema';

/** Logs that a refused request may rightly write (a failed sign-in, a rejected token, a session touch). */
export const LOG_TABLES = ['audit_log', 'login_attempts', 'sessions'] as const;

const ALL: Record<keyof Database, true> = {
  users: true,
  sessions: true,
  user_invites: true,
  api_tokens: true,
  login_attempts: true,
  app_settings: true,
  projects: true,
  project_members: true,
  prompts: true,
  responses: true,
  pairs: true,
  assignments: true,
  judgments: true,
  judgment_revisions: true,
  response_flags: true,
  safety_reviews: true,
  gold_answers: true,
  sentiment_items: true,
  prelabels: true,
  sentiment_labels: true,
  audits: true,
  sentiment_cycles: true,
  models: true,
  pair_scores: true,
  queue_refreshes: true,
  adjudications: true,
  quality_reports: true,
  jobs: true,
  exports: true,
  export_chunks: true,
  response_risks: true,
  response_safety_labels: true,
  flag_suggestions: true,
  audit_log: true,
};

/** Every table but the logs: a refused request leaves all of their row counts as they were. */
export const DATA_TABLES = (Object.keys(ALL) as (keyof Database)[]).filter(
  (t) => !(LOG_TABLES as readonly string[]).includes(t),
);

/** What an import writes, its audit event included: a refused import leaves all of these alone. */
export const IMPORT_TABLES: (keyof Database)[] = [...DATA_TABLES, 'audit_log'];
