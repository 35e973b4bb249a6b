/**
 * The whole data model of ARCHITECTURE.md §3. Plain SQL, because check constraints and partial
 * indexes read better here than in the schema builder. One statement per call: PGlite's extended
 * protocol runs a single statement per query.
 */
import { sql, type Kysely } from 'kysely';

const ROLE_LIST = `'annotator','safety_reviewer','researcher','lead','admin'`;
const CATEGORY_LIST = `'violence','self_harm','sexual','hate_harassment','illegal_weapons','privacy','dangerous_advice','other'`;
const SEVERITY_LIST = `'low','medium','high','critical'`;

const statements = [
  `CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    display_name text NOT NULL,
    password_hash text,
    roles text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY[${ROLE_LIST}]::text[]),
    languages text[] NOT NULL DEFAULT '{}',
    domains text[] NOT NULL DEFAULT '{}',
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    password_changed_at timestamptz
  )`,
  `CREATE TABLE sessions (
    id text PRIMARY KEY,
    user_id uuid REFERENCES users(id) ON DELETE CASCADE,
    data jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ip text,
    user_agent text
  )`,
  `CREATE INDEX sessions_user_idx ON sessions (user_id)`,
  `CREATE INDEX sessions_expires_idx ON sessions (expires_at)`,
  `CREATE TABLE user_invites (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    purpose text NOT NULL CHECK (purpose IN ('invite','reset')),
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
  )`,
  `CREATE TABLE login_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip text NOT NULL,
    succeeded boolean NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX login_attempts_email_idx ON login_attempts (email, at)`,
  `CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at)`,
  `CREATE TABLE app_settings (
    key text PRIMARY KEY,
    value jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name text NOT NULL,
    type text NOT NULL CHECK (type IN ('preference','sentiment')),
    description text NOT NULL DEFAULT '',
    guidelines text NOT NULL DEFAULT '',
    redundancy integer NOT NULL DEFAULT 3 CHECK (redundancy BETWEEN 1 AND 50),
    lease_seconds integer NOT NULL DEFAULT 600 CHECK (lease_seconds BETWEEN 30 AND 86400),
    gold_rate real NOT NULL DEFAULT 0.05 CHECK (gold_rate >= 0 AND gold_rate <= 1),
    members_only boolean NOT NULL DEFAULT false,
    required_domain text,
    label_set text[] NOT NULL DEFAULT '{}',
    settings jsonb NOT NULL DEFAULT '{}',
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz
  )`,
  `CREATE TABLE project_members (
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_by uuid REFERENCES users(id) ON DELETE SET NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
  )`,
  `CREATE INDEX project_members_user_idx ON project_members (user_id)`,
  `CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    token_prefix text NOT NULL,
    scopes text[] NOT NULL DEFAULT '{read}',
    project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`,
  `CREATE TABLE prompts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    messages jsonb NOT NULL CHECK (jsonb_typeof(messages) = 'array'),
    language text,
    domain text,
    content_hash text NOT NULL,
    meta jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, content_hash)
  )`,
  `CREATE TABLE responses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
    model text NOT NULL DEFAULT '',
    text text NOT NULL,
    content_hash text NOT NULL,
    meta jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (prompt_id, content_hash)
  )`,
  `CREATE TABLE pairs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
    response_a_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    response_b_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    judgment_count integer NOT NULL DEFAULT 0 CHECK (judgment_count >= 0),
    priority double precision NOT NULL DEFAULT 0,
    is_gold boolean NOT NULL DEFAULT false,
    reference jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (response_a_id, response_b_id),
    CHECK (response_a_id <> response_b_id)
  )`,
  `CREATE INDEX pairs_queue_idx ON pairs (project_id, status, judgment_count, priority DESC)`,
  `CREATE INDEX pairs_prompt_idx ON pairs (prompt_id)`,
  `CREATE TABLE sentiment_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    text text NOT NULL,
    content_hash text NOT NULL,
    meta jsonb NOT NULL DEFAULT '{}',
    reference_label text,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    label_count integer NOT NULL DEFAULT 0 CHECK (label_count >= 0),
    priority double precision NOT NULL DEFAULT 0,
    final_label text,
    final_source text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, content_hash)
  )`,
  `CREATE INDEX sentiment_items_queue_idx ON sentiment_items (project_id, status, label_count, priority DESC)`,
  `CREATE TABLE assignments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    pair_id uuid REFERENCES pairs(id) ON DELETE CASCADE,
    item_id uuid REFERENCES sentiment_items(id) ON DELETE CASCADE,
    annotator_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'leased' CHECK (status IN ('leased','submitted','skipped','expired','released')),
    left_response_id uuid REFERENCES responses(id) ON DELETE SET NULL,
    leased_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    completed_at timestamptz,
    skip_reason text,
    is_gold boolean NOT NULL DEFAULT false,
    is_repeat boolean NOT NULL DEFAULT false,
    CHECK (num_nonnulls(pair_id, item_id) = 1)
  )`,
  `CREATE INDEX assignments_annotator_idx ON assignments (annotator_id, status)`,
  `CREATE INDEX assignments_pair_idx ON assignments (pair_id)`,
  `CREATE INDEX assignments_item_idx ON assignments (item_id)`,
  `CREATE INDEX assignments_lease_idx ON assignments (expires_at) WHERE status = 'leased'`,
  `CREATE TABLE judgments (
    id uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    pair_id uuid NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
    assignment_id uuid REFERENCES assignments(id) ON DELETE SET NULL,
    annotator_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    helpfulness smallint NOT NULL CHECK (helpfulness BETWEEN -3 AND 3),
    safety smallint NOT NULL CHECK (safety BETWEEN -3 AND 3),
    both_unacceptable boolean NOT NULL DEFAULT false,
    rationale text NOT NULL DEFAULT '',
    shown_left_response_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    time_on_task_ms integer CHECK (time_on_task_ms >= 0),
    is_gold boolean NOT NULL DEFAULT false,
    is_repeat boolean NOT NULL DEFAULT false,
    revision integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE UNIQUE INDEX judgments_once_per_annotator_idx ON judgments (pair_id, annotator_id) WHERE NOT is_repeat`,
  `CREATE INDEX judgments_project_idx ON judgments (project_id, created_at)`,
  `CREATE INDEX judgments_annotator_idx ON judgments (annotator_id, created_at)`,
  `CREATE TABLE judgment_revisions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    judgment_id uuid NOT NULL REFERENCES judgments(id) ON DELETE CASCADE,
    revision integer NOT NULL,
    data jsonb NOT NULL,
    edited_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (judgment_id, revision)
  )`,
  `CREATE TABLE response_flags (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    judgment_id uuid NOT NULL REFERENCES judgments(id) ON DELETE CASCADE,
    response_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    category text NOT NULL CHECK (category IN (${CATEGORY_LIST})),
    severity text NOT NULL CHECK (severity IN (${SEVERITY_LIST})),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (judgment_id, response_id, category)
  )`,
  `CREATE INDEX response_flags_response_idx ON response_flags (response_id)`,
  `CREATE TABLE safety_reviews (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    response_id uuid NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    flag_id uuid REFERENCES response_flags(id) ON DELETE SET NULL,
    reviewer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    decision text NOT NULL CHECK (decision IN ('confirmed','dismissed','escalated')),
    category text CHECK (category IN (${CATEGORY_LIST})),
    severity text CHECK (severity IN (${SEVERITY_LIST})),
    note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX safety_reviews_response_idx ON safety_reviews (response_id)`,
  `CREATE TABLE gold_answers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    pair_id uuid UNIQUE REFERENCES pairs(id) ON DELETE CASCADE,
    item_id uuid UNIQUE REFERENCES sentiment_items(id) ON DELETE CASCADE,
    expected jsonb NOT NULL,
    tolerance integer NOT NULL DEFAULT 0 CHECK (tolerance >= 0),
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(pair_id, item_id) = 1)
  )`,
  `CREATE TABLE models (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('reward','sentiment','safety')),
    axis text,
    version integer NOT NULL CHECK (version >= 1),
    status text NOT NULL DEFAULT 'training' CHECK (status IN ('training','ready','failed')),
    is_active boolean NOT NULL DEFAULT false,
    format_version integer NOT NULL,
    featurizer jsonb NOT NULL DEFAULT '{}',
    metrics jsonb NOT NULL DEFAULT '{}',
    snapshot jsonb NOT NULL DEFAULT '{}',
    artefact bytea,
    job_id uuid,
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT is_active OR status = 'ready')
  )`,
  `CREATE UNIQUE INDEX models_version_idx ON models (project_id, kind, (coalesce(axis, '')), version)`,
  `CREATE UNIQUE INDEX models_one_active_idx ON models (project_id, kind, (coalesce(axis, ''))) WHERE is_active`,
  `CREATE TABLE prelabels (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES sentiment_items(id) ON DELETE CASCADE,
    model_id uuid REFERENCES models(id) ON DELETE SET NULL,
    label text NOT NULL,
    confidence real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    probabilities jsonb NOT NULL,
    route text NOT NULL CHECK (route IN ('human','auto','audit')),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX prelabels_item_idx ON prelabels (item_id)`,
  `CREATE TABLE sentiment_labels (
    id uuid PRIMARY KEY,
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    item_id uuid NOT NULL REFERENCES sentiment_items(id) ON DELETE CASCADE,
    annotator_id uuid REFERENCES users(id) ON DELETE CASCADE,
    assignment_id uuid REFERENCES assignments(id) ON DELETE SET NULL,
    label text NOT NULL,
    source text NOT NULL CHECK (source IN ('human','auto','audit','adjudicated')),
    time_on_task_ms integer CHECK (time_on_task_ms >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX sentiment_labels_item_idx ON sentiment_labels (item_id)`,
  `CREATE TABLE audits (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES sentiment_items(id) ON DELETE CASCADE,
    prelabel_id uuid REFERENCES prelabels(id) ON DELETE SET NULL,
    auditor_id uuid REFERENCES users(id) ON DELETE SET NULL,
    label text,
    agrees boolean,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','done')),
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
  )`,
  `CREATE INDEX audits_pending_idx ON audits (status, created_at)`,
  `CREATE TABLE jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
    priority integer NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    run_after timestamptz NOT NULL DEFAULT now(),
    locked_by text,
    locked_until timestamptz,
    progress jsonb,
    result jsonb,
    error text,
    project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
  )`,
  `CREATE INDEX jobs_claim_idx ON jobs (status, run_after, priority DESC)`,
  `CREATE TABLE exports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    created_by uuid REFERENCES users(id) ON DELETE SET NULL,
    token_id uuid REFERENCES api_tokens(id) ON DELETE SET NULL,
    format text NOT NULL,
    filters jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','running','ready','failed')),
    row_count integer,
    byte_size bigint,
    sha256 text,
    model_versions jsonb NOT NULL DEFAULT '{}',
    content bytea,
    dataset_card text,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
  )`,
  `CREATE INDEX exports_project_idx ON exports (project_id, created_at)`,
  `CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid,
    actor_email text,
    actor_token_id uuid,
    event text NOT NULL,
    ip text,
    target_type text,
    target_id text,
    details jsonb NOT NULL DEFAULT '{}'
  )`,
  `CREATE INDEX audit_log_at_idx ON audit_log (at DESC)`,
  `CREATE INDEX audit_log_event_idx ON audit_log (event, at DESC)`,
  `CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, at DESC)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const tables = [
    'audit_log', 'exports', 'jobs', 'audits', 'sentiment_labels', 'prelabels', 'models', 'gold_answers',
    'safety_reviews', 'response_flags', 'judgment_revisions', 'judgments', 'assignments', 'sentiment_items',
    'pairs', 'responses', 'prompts', 'api_tokens', 'project_members', 'projects', 'app_settings',
    'login_attempts', 'user_invites', 'sessions', 'users',
  ];
  for (const table of tables) await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
}
