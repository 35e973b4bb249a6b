/**
 * Table types for Kysely, written by hand. `db/schema.test.ts` migrates a fresh database and compares
 * what PostgreSQL reports with these interfaces, so the two cannot drift apart silently.
 *
 * Conventions: snake_case columns as in SQL; `Generated<T>` for columns with a database default;
 * timestamps are `timestamptz` and come back as `Date` from both PGlite and pg.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: written as a JSON string or value, read back parsed. */
export type Json<T = unknown> = ColumnType<T, T | string, T | string>;
export type JsonDefault<T = unknown> = ColumnType<T, T | string | undefined, T | string>;
export type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export const ROLES = ['annotator', 'safety_reviewer', 'researcher', 'lead', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const PROJECT_TYPES = ['preference', 'sentiment'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];
export const FLAG_CATEGORIES = [
  'violence',
  'self_harm',
  'sexual',
  'hate_harassment',
  'illegal_weapons',
  'privacy',
  'dangerous_advice',
  'other',
] as const;
export type FlagCategory = (typeof FLAG_CATEGORIES)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** The judged axes a reward model is trained on, one model per axis. */
export const REWARD_AXES = ['helpfulness', 'safety'] as const;
export type RewardAxis = (typeof REWARD_AXES)[number];

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  /** null while an invited user has not set a password yet */
  password_hash: string | null;
  roles: TextArray;
  languages: TextArray;
  domains: TextArray;
  is_active: Generated<boolean>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  last_login_at: Timestamp | null;
  password_changed_at: Timestamp | null;
}

export interface SessionsTable {
  /** sha256 of the random session id carried (signed) in the cookie; the raw id is never stored */
  id: string;
  user_id: string | null;
  data: JsonDefault<Record<string, unknown>>;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  last_seen_at: GeneratedTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface UserInvitesTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  purpose: 'invite' | 'reset';
  created_by: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  /** the first characters of the token, shown in lists so people can tell tokens apart */
  token_prefix: string;
  scopes: TextArray;
  project_id: string | null;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  email: string;
  ip: string;
  succeeded: boolean;
  at: GeneratedTimestamp;
}

export interface AppSettingsTable {
  key: string;
  value: Json;
  updated_at: GeneratedTimestamp;
}

export interface ProjectsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  type: ProjectType;
  description: Generated<string>;
  guidelines: Generated<string>;
  redundancy: Generated<number>;
  lease_seconds: Generated<number>;
  gold_rate: Generated<number>;
  /** share of an annotator's next pairs that are earlier pairs of theirs again, sides swapped */
  repeat_rate: Generated<number>;
  members_only: Generated<boolean>;
  required_domain: string | null;
  label_set: TextArray;
  settings: JsonDefault<Record<string, unknown>>;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
  archived_at: Timestamp | null;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  added_by: string | null;
  added_at: GeneratedTimestamp;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptsTable {
  id: Generated<string>;
  project_id: string;
  messages: Json<ChatMessage[]>;
  language: string | null;
  domain: string | null;
  content_hash: string;
  meta: JsonDefault<Record<string, unknown>>;
  created_at: GeneratedTimestamp;
}

export interface ResponsesTable {
  id: Generated<string>;
  prompt_id: string;
  model: Generated<string>;
  text: string;
  content_hash: string;
  meta: JsonDefault<Record<string, unknown>>;
  created_at: GeneratedTimestamp;
}

export interface PairsTable {
  id: Generated<string>;
  project_id: string;
  prompt_id: string;
  response_a_id: string;
  response_b_id: string;
  status: Generated<'open' | 'closed'>;
  judgment_count: Generated<number>;
  /**
   * open leases on this pair; it is offered while judgment_count + lease_count is under its target
   * (target_judgments, or the project's redundancy when null)
   */
  lease_count: Generated<number>;
  priority: Generated<number>;
  /** answers this pair should get, set by an active-learning policy; null = the project's redundancy */
  target_judgments: number | null;
  /** subtracted from the answer count in the breadth-first order: a split pair asked again jumps ahead */
  queue_boost: Generated<number>;
  is_gold: Generated<boolean>;
  /** the original label of an imported labelled file; never shown to annotators */
  reference: Json | null;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export type AssignmentStatus = 'leased' | 'submitted' | 'skipped' | 'expired' | 'released';

export interface AssignmentsTable {
  id: Generated<string>;
  project_id: string;
  pair_id: string | null;
  item_id: string | null;
  annotator_id: string;
  status: Generated<AssignmentStatus>;
  left_response_id: string | null;
  leased_at: GeneratedTimestamp;
  expires_at: Timestamp;
  completed_at: Timestamp | null;
  skip_reason: string | null;
  is_gold: Generated<boolean>;
  is_repeat: Generated<boolean>;
}

export interface JudgmentsTable {
  /** generated by the client, so a retried submission cannot create a second judgment */
  id: string;
  project_id: string;
  pair_id: string;
  assignment_id: string | null;
  annotator_id: string;
  /** -3 (response A much better) .. 0 (tie) .. +3 (response B much better), in canonical A/B order */
  helpfulness: number;
  safety: number;
  both_unacceptable: Generated<boolean>;
  rationale: Generated<string>;
  shown_left_response_id: string;
  time_on_task_ms: number | null;
  is_gold: Generated<boolean>;
  is_repeat: Generated<boolean>;
  revision: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface JudgmentRevisionsTable {
  id: Generated<number>;
  judgment_id: string;
  revision: number;
  /** the judgment as it was before this edit */
  data: Json<Record<string, unknown>>;
  edited_at: GeneratedTimestamp;
}

export interface ResponseFlagsTable {
  id: Generated<string>;
  judgment_id: string;
  response_id: string;
  category: FlagCategory;
  severity: Severity;
  created_at: GeneratedTimestamp;
}

export interface SafetyReviewsTable {
  id: Generated<string>;
  response_id: string;
  flag_id: string | null;
  reviewer_id: string;
  decision: 'confirmed' | 'dismissed' | 'escalated';
  category: FlagCategory | null;
  severity: Severity | null;
  note: Generated<string>;
  created_at: GeneratedTimestamp;
}

export interface GoldAnswersTable {
  id: Generated<string>;
  project_id: string;
  pair_id: string | null;
  item_id: string | null;
  expected: Json<Record<string, unknown>>;
  tolerance: Generated<number>;
  created_by: string | null;
  created_at: GeneratedTimestamp;
}

export interface SentimentItemsTable {
  id: Generated<string>;
  project_id: string;
  text: string;
  content_hash: string;
  meta: JsonDefault<Record<string, unknown>>;
  /** label carried by an imported labelled file; never shown to annotators */
  reference_label: string | null;
  /** open while the item still needs human labels (its route's count), closed once it has them */
  status: Generated<'open' | 'closed'>;
  /** human labels so far */
  label_count: Generated<number>;
  /** open leases on this item; it is offered while label_count + lease_count is below its route's need */
  lease_count: Generated<number>;
  priority: Generated<number>;
  final_label: string | null;
  /** 'human' (annotators' plurality), 'auto' (accepted pre-label), 'audit' (the auditor's label) */
  final_source: string | null;
  /** human: annotators label it; auto: its pre-label was accepted; audit: accepted and drawn for a check */
  route: SentimentRoute | null;
  /** in the fixed held-out set that measures each retraining cycle: always labelled by people */
  is_holdout: Generated<boolean>;
  language: string | null;
  /** the pre-label routing was last decided on */
  prelabel_id: string | null;
  /** a gold item: served at the project's gold rate outside the queue, its answer in gold_answers */
  is_gold: Generated<boolean>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export type SentimentRoute = 'human' | 'auto' | 'audit';

/** lexicon: the word list; pretrained: a configured Transformers.js model; model: the project's own classifier */
export type PrelabelSource = 'lexicon' | 'pretrained' | 'model';

export interface PrelabelsTable {
  id: Generated<string>;
  item_id: string;
  model_id: string | null;
  label: string;
  confidence: number;
  probabilities: Json<Record<string, number>>;
  route: SentimentRoute;
  /** lexicon and pretrained: cold start (never auto-accepted); model: a classifier trained here */
  source: Generated<PrelabelSource>;
  created_at: GeneratedTimestamp;
}

export interface SentimentLabelsTable {
  id: string;
  project_id: string;
  item_id: string;
  annotator_id: string | null;
  assignment_id: string | null;
  label: string;
  source: 'human' | 'auto' | 'audit' | 'adjudicated';
  time_on_task_ms: number | null;
  /** given to a gold item: scored against its answer, never part of the item's label */
  is_gold: Generated<boolean>;
  created_at: GeneratedTimestamp;
}

export interface AuditsTable {
  id: Generated<string>;
  project_id: string | null;
  item_id: string;
  prelabel_id: string | null;
  auditor_id: string | null;
  label: string | null;
  agrees: boolean | null;
  status: Generated<'pending' | 'done'>;
  created_at: GeneratedTimestamp;
  completed_at: Timestamp | null;
}

export interface ModelsTable {
  id: Generated<string>;
  project_id: string | null;
  kind: 'reward' | 'sentiment' | 'safety';
  axis: string | null;
  version: number;
  status: Generated<'training' | 'ready' | 'failed'>;
  is_active: Generated<boolean>;
  format_version: number;
  featurizer: JsonDefault<Record<string, unknown>>;
  metrics: JsonDefault<Record<string, unknown>>;
  snapshot: JsonDefault<Record<string, unknown>>;
  /** the ONNX model, gzip-compressed (tasks/model-artefacts.ts); null until training finishes */
  artefact: Uint8Array | null;
  job_id: string | null;
  created_by: string | null;
  created_at: GeneratedTimestamp;
}

/** One retraining cycle of a sentiment project: the model before and after, measured on the held-out set. */
export interface SentimentCyclesTable {
  id: Generated<string>;
  project_id: string;
  number: number;
  job_id: string | null;
  status: Generated<'running' | 'done' | 'failed'>;
  before_model_id: string | null;
  /** what pre-labeled before this cycle: the lexicon, a trained model, or nothing (null) */
  before_source: PrelabelSource | null;
  after_model_id: string | null;
  before_metrics: Json<Record<string, unknown>> | null;
  after_metrics: Json<Record<string, unknown>> | null;
  /** held-out items with a human label when the cycle ran */
  holdout: Generated<number>;
  human_labels: Generated<number>;
  audit_labels: Generated<number>;
  activated: Generated<boolean>;
  /** how the re-pre-labeled items were routed afterwards */
  routing: JsonDefault<Record<string, unknown>>;
  error: string | null;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  finished_at: Timestamp | null;
}

/** The active reward model's prediction for one candidate pair on one axis. */
export interface PairScoresTable {
  pair_id: string;
  axis: RewardAxis;
  model_id: string;
  /** mean member reward of the pair's response A and response B */
  reward_a: number;
  reward_b: number;
  /** P(response A ≻ response B), the ensemble's mean probability */
  probability_a: number;
  /** binary entropy of probability_a in bits: 0 = certain, 1 = a coin flip */
  uncertainty: number;
  /** standard deviation of the members' probabilities */
  spread: number;
  scored_at: GeneratedTimestamp;
}

/** A safety classifier version's risk for one response (tasks/safety/scoring.ts). */
export interface ResponseRisksTable {
  response_id: string;
  model_id: string;
  project_id: string;
  /** P(unsafe) */
  risk: number;
  /** per category with a head: P(category) */
  categories: JsonDefault<Record<string, number>>;
  scored_at: GeneratedTimestamp;
}

/** A label imported with a response (BeaverTails-style), in the source's own categories. */
export interface ResponseSafetyLabelsTable {
  response_id: string;
  project_id: string;
  is_safe: boolean;
  source_categories: JsonDefault<Record<string, boolean>>;
  source: Generated<string>;
  created_at: GeneratedTimestamp;
}

/** A flag the model suggested on the compare screen, and whether the annotator kept it. */
export interface FlagSuggestionsTable {
  judgment_id: string;
  response_id: string;
  category: FlagCategory;
  probability: number;
  model_id: string | null;
  accepted: boolean;
}

/** A lead's or safety reviewer's decision on a disputed pair or item: its final answer. */
export interface AdjudicationsTable {
  id: Generated<string>;
  project_id: string;
  pair_id: string | null;
  item_id: string | null;
  decided_by: string | null;
  /** pairs: the decided graded scores, canonical A/B order */
  helpfulness: number | null;
  safety: number | null;
  /** items: the decided label */
  label: string | null;
  note: Generated<string>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** A precomputed quality report (agreement, annotator profiles, consensus method) for the dashboard. */
export interface QualityReportsTable {
  id: Generated<string>;
  project_id: string;
  job_id: string | null;
  judgments: number;
  annotators: number;
  seconds: number;
  report: Json<Record<string, unknown>>;
  created_at: GeneratedTimestamp;
}

/** One refresh of a preference project's queue by its active-learning policy. */
export interface QueueRefreshesTable {
  id: Generated<string>;
  project_id: string;
  job_id: string | null;
  /** the reward model whose predictions ranked the queue (null before any model) */
  model_id: string | null;
  policy: string;
  settings: JsonDefault<Record<string, unknown>>;
  /** the project's judgments when the queue was refreshed */
  judgments: number;
  /** open pairs considered */
  candidates: number;
  /** pairs that still need answers, in the new order */
  ranked: number;
  /** pairs stopped before their redundancy on a clear consensus */
  stopped: number;
  /** pairs asked again because their answers split */
  reasked: number;
  /** leased pairs left as they were */
  skipped_leased: number;
  seconds: number;
  created_at: GeneratedTimestamp;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobsTable {
  id: Generated<string>;
  kind: string;
  payload: JsonDefault<Record<string, unknown>>;
  status: Generated<JobStatus>;
  priority: Generated<number>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_after: GeneratedTimestamp;
  locked_by: string | null;
  locked_until: Timestamp | null;
  progress: Json<Record<string, unknown>> | null;
  result: Json<Record<string, unknown>> | null;
  error: string | null;
  project_id: string | null;
  created_by: string | null;
  created_at: GeneratedTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface ExportsTable {
  id: Generated<string>;
  project_id: string;
  created_by: string | null;
  token_id: string | null;
  format: string;
  filters: JsonDefault<Record<string, unknown>>;
  status: Generated<'pending' | 'running' | 'ready' | 'failed'>;
  row_count: number | null;
  byte_size: number | null;
  sha256: string | null;
  model_versions: JsonDefault<Record<string, unknown>>;
  dataset_card: string | null;
  /** the job that writes it */
  job_id: string | null;
  encoding: Generated<'jsonl' | 'csv' | 'parquet'>;
  /** format options (margin) */
  options: JsonDefault<Record<string, unknown>>;
  /** what the pair stream read, wrote and left out */
  counts: JsonDefault<Record<string, unknown>>;
  /** compressed size in export_chunks */
  stored_bytes: number | null;
  error: string | null;
  created_at: GeneratedTimestamp;
  finished_at: Timestamp | null;
}

/** One piece (≤ 1 MiB, gzip-compressed) of an export's file, in order. */
export interface ExportChunksTable {
  export_id: string;
  seq: number;
  data: Uint8Array;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: GeneratedTimestamp;
  actor_user_id: string | null;
  /** kept as text so the log stays readable after a user is deleted */
  actor_email: string | null;
  actor_token_id: string | null;
  event: string;
  ip: string | null;
  target_type: string | null;
  target_id: string | null;
  details: JsonDefault<Record<string, unknown>>;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  user_invites: UserInvitesTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  app_settings: AppSettingsTable;
  projects: ProjectsTable;
  project_members: ProjectMembersTable;
  prompts: PromptsTable;
  responses: ResponsesTable;
  pairs: PairsTable;
  assignments: AssignmentsTable;
  judgments: JudgmentsTable;
  judgment_revisions: JudgmentRevisionsTable;
  response_flags: ResponseFlagsTable;
  safety_reviews: SafetyReviewsTable;
  gold_answers: GoldAnswersTable;
  sentiment_items: SentimentItemsTable;
  prelabels: PrelabelsTable;
  sentiment_labels: SentimentLabelsTable;
  audits: AuditsTable;
  sentiment_cycles: SentimentCyclesTable;
  models: ModelsTable;
  pair_scores: PairScoresTable;
  queue_refreshes: QueueRefreshesTable;
  adjudications: AdjudicationsTable;
  quality_reports: QualityReportsTable;
  jobs: JobsTable;
  exports: ExportsTable;
  export_chunks: ExportChunksTable;
  response_risks: ResponseRisksTable;
  response_safety_labels: ResponseSafetyLabelsTable;
  flag_suggestions: FlagSuggestionsTable;
  audit_log: AuditLogTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Project = Selectable<ProjectsTable>;
export type NewProject = Insertable<ProjectsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditLogEntry = Selectable<AuditLogTable>;
