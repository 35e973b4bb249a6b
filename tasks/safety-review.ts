/**
 * The safety review queue: responses flagged high or critical by anyone, or flagged by two or more
 * annotators, and responses the project's safety model scores at or above its risk threshold even
 * when nobody flagged them (tasks/safety/). Reviewers decide per category: confirm (with corrected
 * category and severity), dismiss, or escalate to a lead. The queue is ordered by risk: escalations,
 * then critical flags, then the model's P(unsafe), then severity, agreement and age.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { ChatMessage, Database, FlagCategory, Severity } from '../db/schema';
import { FLAG_CATEGORIES, SEVERITIES } from '../db/schema';
import { UserInputError } from './errors';
import { promptExcerpt } from './content';
import { safetySettings } from './safety/settings';

const SEVERITY_RANK = `case f.severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end`;

export interface ReviewQueueItem {
  responseId: string;
  projectName: string;
  prompt: string;
  flags: number;
  annotators: number;
  /** the worst flagged severity; null when only the model sent it */
  worst: Severity | null;
  /** the active safety model's P(unsafe), when it scored the response */
  risk: number | null;
  /** above the risk threshold and flagged by nobody */
  sentByModel: boolean;
  /** when it was first flagged, or scored for a model-sent response */
  firstFlaggedAt: Date;
  /** a reviewer escalated it; it waits for a confirm or dismiss */
  escalated: boolean;
}

/**
 * Each project's active safety model with the risk threshold in force: the project's own setting,
 * else the threshold the model chose for its target recall, else 0.5 (the rule of
 * effectiveRiskThreshold in tasks/safety/settings.ts). One row per project at most, so joining
 * response_risks to it by (model_id, risk) or (response_id, model_id) stays on an index.
 */
const ACTIVE_MODELS = sql`
  select m.id as model_id, m.project_id, m.version,
         coalesce((pr.settings->'safety'->>'riskThreshold')::real, (m.metrics->>'threshold')::real, 0.5) as threshold
  from models m
  join projects pr on pr.id = m.project_id
  where m.is_active and m.kind = 'safety'`;

/** The responses awaiting review: the one definition the queue and the home page's count share. */
function awaitingReview() {
  return sql`
    with flagged as (
      select f.response_id,
             count(*)::int as flags, count(distinct j.annotator_id)::int as annotators,
             max(${sql.raw(SEVERITY_RANK)})::int as worst, min(f.created_at) as first_at
      from response_flags f
      join judgments j on j.id = f.judgment_id
      group by f.response_id),
    active as (${ACTIVE_MODELS}),
    candidates as (
      select response_id from flagged where worst >= 3 or annotators >= 2
      union
      -- the model's picks, unless the response came with an imported label (it is decided already)
      select k.response_id
      from active t
      join response_risks k on k.model_id = t.model_id and k.risk >= t.threshold
      where not exists (select 1 from response_safety_labels l where l.response_id = k.response_id))
    select c.response_id, q.project_id, q.messages,
           coalesce(fl.flags, 0) as flags, coalesce(fl.annotators, 0) as annotators, fl.worst,
           k.risk, fl.response_id is null as sent_by_model,
           coalesce(fl.first_at, k.scored_at) as first_at,
           exists (select 1 from safety_reviews sr where sr.response_id = c.response_id) as escalated
    from candidates c
    join responses r on r.id = c.response_id
    join prompts q on q.id = r.prompt_id
    left join flagged fl on fl.response_id = c.response_id
    left join active t on t.project_id = q.project_id
    left join response_risks k on k.response_id = c.response_id and k.model_id = t.model_id
    -- settled once a reviewer confirms or dismisses; an escalation stays in the queue, marked
    where not exists (
      select 1 from safety_reviews sr where sr.response_id = c.response_id and sr.decision <> 'escalated')`;
}

export async function countReviewQueue(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from (${awaitingReview()}) a`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Responses awaiting review, riskiest first (see the module comment for the order). */
export async function listReviewQueue(db: Kysely<Database>, limit = 50): Promise<ReviewQueueItem[]> {
  const rows = await sql<{
    response_id: string;
    project_name: string;
    messages: ChatMessage[];
    flags: number;
    annotators: number;
    worst: number | null;
    risk: number | null;
    sent_by_model: boolean;
    first_at: Date;
    escalated: boolean;
  }>`
    select a.*, pr.name as project_name
    from (${awaitingReview()}) a
    join projects pr on pr.id = a.project_id
    order by a.escalated desc, coalesce(a.worst, 0) = 4 desc, a.risk desc nulls last,
             coalesce(a.worst, 0) desc, a.annotators desc, a.first_at, a.response_id
    limit ${limit}`.execute(db);
  return rows.rows.map((r) => ({
    responseId: r.response_id,
    projectName: r.project_name,
    prompt: promptExcerpt(r.messages, 200),
    flags: r.flags,
    annotators: r.annotators,
    worst: r.worst ? SEVERITIES[r.worst - 1]! : null,
    risk: r.risk === null ? null : Number(r.risk),
    sentByModel: r.sent_by_model,
    firstFlaggedAt: new Date(r.first_at),
    escalated: r.escalated,
  }));
}

export interface ReviewItem {
  responseId: string;
  projectName: string;
  messages: ChatMessage[];
  text: string;
  /** the active safety model's P(unsafe) and the threshold in force, when it scored the response */
  risk: { value: number; threshold: number; version: number } | null;
  /**
   * one entry per category to decide on: each flagged category with what annotators said, or, for
   * a response only the model sent, the categories it suggests (flagId null, count 0)
   */
  categories: {
    category: FlagCategory;
    flagId: string | null;
    count: number;
    worst: Severity;
    rationales: string[];
    /** the model's P(category), when it has a head for it */
    probability: number | null;
  }[];
  reviews: {
    decision: string;
    category: string | null;
    severity: string | null;
    note: string;
    reviewer: string;
    at: Date;
  }[];
}

/** The categories a model-sent response is reviewed under: its suggestions, else its likeliest, else "other". */
function modelCategories(scores: Record<string, number>, suggestFrom: number): FlagCategory[] {
  const known = Object.entries(scores)
    .filter(([c]) => (FLAG_CATEGORIES as readonly string[]).includes(c))
    .sort((a, b) => b[1] - a[1]);
  const suggested = known.filter(([, p]) => p >= suggestFrom).map(([c]) => c as FlagCategory);
  if (suggested.length) return suggested;
  return known.length ? [known[0]![0] as FlagCategory] : ['other'];
}

export async function loadReviewItem(db: Kysely<Database>, responseId: string): Promise<ReviewItem | null> {
  const response = await db
    .selectFrom('responses as r')
    .innerJoin('prompts as q', 'q.id', 'r.prompt_id')
    .innerJoin('projects as pr', 'pr.id', 'q.project_id')
    .select(['r.id', 'r.text', 'q.messages', 'pr.name', 'pr.settings'])
    .where('r.id', '=', responseId)
    .executeTakeFirst();
  if (!response) return null;
  const riskRow = (
    await sql<{ risk: number; categories: Record<string, number>; threshold: number; version: number }>`
      select k.risk, k.categories, t.threshold, t.version
      from (${ACTIVE_MODELS}) t
      join response_risks k on k.model_id = t.model_id
      where k.response_id = ${responseId}`.execute(db)
  ).rows[0];
  const scores = riskRow?.categories ?? {};
  const flags = await db
    .selectFrom('response_flags as f')
    .innerJoin('judgments as j', 'j.id', 'f.judgment_id')
    .select(['f.id', 'f.category', 'f.severity', 'j.rationale', 'f.created_at'])
    .where('f.response_id', '=', responseId)
    .orderBy('f.created_at')
    .execute();
  const byCategory = new Map<FlagCategory, ReviewItem['categories'][number]>();
  for (const flag of flags) {
    const entry = byCategory.get(flag.category) ?? {
      category: flag.category,
      flagId: flag.id,
      count: 0,
      worst: 'low' as Severity,
      rationales: [],
      probability: scores[flag.category] ?? null,
    };
    entry.count++;
    if (SEVERITIES.indexOf(flag.severity) > SEVERITIES.indexOf(entry.worst)) entry.worst = flag.severity;
    if (flag.rationale) entry.rationales.push(flag.rationale);
    byCategory.set(flag.category, entry);
  }
  if (flags.length === 0 && riskRow) {
    const { suggestThreshold } = safetySettings(response.settings);
    for (const category of modelCategories(scores, suggestThreshold))
      byCategory.set(category, {
        category,
        flagId: null,
        count: 0,
        worst: 'medium',
        rationales: [],
        probability: scores[category] ?? null,
      });
  }
  const reviews = await db
    .selectFrom('safety_reviews as sr')
    .innerJoin('users as u', 'u.id', 'sr.reviewer_id')
    .select(['sr.decision', 'sr.category', 'sr.severity', 'sr.note', 'u.display_name', 'sr.created_at'])
    .where('sr.response_id', '=', responseId)
    .orderBy('sr.created_at', 'desc')
    .execute();
  return {
    responseId: response.id,
    projectName: response.name,
    messages: response.messages,
    text: response.text,
    risk: riskRow
      ? { value: Number(riskRow.risk), threshold: Number(riskRow.threshold), version: riskRow.version }
      : null,
    // worst first, then in taxonomy order, so the form reads the same way every time
    categories: [...byCategory.values()].sort(
      (a, b) =>
        SEVERITIES.indexOf(b.worst) - SEVERITIES.indexOf(a.worst) ||
        (b.probability ?? 0) - (a.probability ?? 0) ||
        FLAG_CATEGORIES.indexOf(a.category) - FLAG_CATEGORIES.indexOf(b.category),
    ),
    reviews: reviews.map((r) => ({
      decision: r.decision,
      category: r.category,
      severity: r.severity,
      note: r.note,
      reviewer: r.display_name,
      at: r.created_at,
    })),
  };
}

export const ReviewDecisionSchema = z.object({
  responseId: z.uuid({ error: 'Unknown response.' }),
  decisions: z
    .array(
      z.object({
        /** the annotators' flag decided on; null for a category the model suggested */
        flagId: z.preprocess((v) => (v === '' ? null : v), z.uuid().nullable()).default(null),
        decision: z.enum(['confirmed', 'dismissed', 'escalated'], {
          error: 'Confirm, dismiss or escalate each flag.',
        }),
        category: z.enum(FLAG_CATEGORIES, { error: 'Unknown category.' }),
        severity: z.enum(SEVERITIES, { error: 'Unknown severity.' }),
      }),
    )
    .min(1, 'There is no category to decide on.'),
  note: z.string().trim().max(2000, 'Keep the note under 2,000 characters.').default(''),
});

/** Records a reviewer's decisions on one response, all in one transaction. */
export async function decideReview(
  db: Kysely<Database>,
  reviewerId: string,
  input: z.input<typeof ReviewDecisionSchema>,
): Promise<void> {
  const parsed = ReviewDecisionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserInputError(
      issue.message,
      issue.path.filter((p) => typeof p !== 'number').join('.') || undefined,
    );
  }
  const { responseId, decisions, note } = parsed.data;
  await db.transaction().execute(async (trx) => {
    const flagIds = await trx
      .selectFrom('response_flags')
      .select('id')
      .where('response_id', '=', responseId)
      .execute();
    const known = new Set(flagIds.map((f) => f.id));
    if (decisions.some((d) => d.flagId !== null && !known.has(d.flagId)))
      throw new UserInputError('A decision names a flag this response does not have.', 'decisions');
    const exists = await trx
      .selectFrom('responses')
      .select('id')
      .where('id', '=', responseId)
      .executeTakeFirst();
    if (!exists) throw new UserInputError('Unknown response.', 'responseId', 'not-found');
    await trx
      .insertInto('safety_reviews')
      .values(
        decisions.map((d) => ({
          response_id: responseId,
          flag_id: d.flagId,
          reviewer_id: reviewerId,
          decision: d.decision,
          category: d.category,
          severity: d.severity,
          note,
        })),
      )
      .execute();
  });
}

/** The latest decisions, for the review page's "recently decided" list. */
export async function listRecentDecisions(db: Kysely<Database>, limit = 10) {
  return db
    .selectFrom('safety_reviews as sr')
    .innerJoin('users as u', 'u.id', 'sr.reviewer_id')
    .select([
      'sr.id',
      'sr.response_id',
      'sr.decision',
      'sr.category',
      'sr.severity',
      'sr.created_at',
      'u.display_name as reviewer',
    ])
    .orderBy('sr.created_at', 'desc')
    .limit(limit)
    .execute();
}
