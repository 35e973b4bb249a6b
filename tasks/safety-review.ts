/**
 * The safety review queue: responses flagged high or critical by anyone, or flagged by two or more
 * annotators, wait for a safety reviewer. Reviewers decide per flagged category: confirm (with
 * corrected category and severity), dismiss, or escalate to a lead.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { ChatMessage, Database, FlagCategory, Severity } from '../db/schema';
import { FLAG_CATEGORIES, SEVERITIES } from '../db/schema';
import { UserInputError } from './errors';
import { promptExcerpt } from './content';

const SEVERITY_RANK = `case f.severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end`;

export interface ReviewQueueItem {
  responseId: string;
  projectName: string;
  prompt: string;
  flags: number;
  annotators: number;
  worst: Severity;
  firstFlaggedAt: Date;
  /** a reviewer escalated it; it waits for a confirm or dismiss */
  escalated: boolean;
}

/** The responses awaiting review: the one definition the queue and the home page's count share. */
function awaitingReview() {
  return sql`
    select f.response_id, q.project_id, q.messages,
           count(*)::int as flags, count(distinct j.annotator_id)::int as annotators,
           max(${sql.raw(SEVERITY_RANK)})::int as worst, min(f.created_at) as first_at,
           exists (select 1 from safety_reviews sr where sr.response_id = f.response_id) as escalated
    from response_flags f
    join judgments j on j.id = f.judgment_id
    join responses r on r.id = f.response_id
    join prompts q on q.id = r.prompt_id
    -- settled once a reviewer confirms or dismisses; an escalation stays in the queue, marked
    where not exists (
      select 1 from safety_reviews sr where sr.response_id = f.response_id and sr.decision <> 'escalated')
    group by f.response_id, q.project_id, q.messages
    having max(${sql.raw(SEVERITY_RANK)}) >= 3 or count(distinct j.annotator_id) >= 2`;
}

export async function countReviewQueue(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from (${awaitingReview()}) a`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Responses awaiting review, worst first (severity, then how many annotators flagged, then age). */
export async function listReviewQueue(db: Kysely<Database>, limit = 50): Promise<ReviewQueueItem[]> {
  const rows = await sql<{
    response_id: string;
    project_name: string;
    messages: ChatMessage[];
    flags: number;
    annotators: number;
    worst: number;
    first_at: Date;
    escalated: boolean;
  }>`
    select a.*, pr.name as project_name
    from (${awaitingReview()}) a
    join projects pr on pr.id = a.project_id
    order by a.escalated desc, a.worst desc, a.annotators desc, a.first_at
    limit ${limit}`.execute(db);
  return rows.rows.map((r) => {
    return {
      responseId: r.response_id,
      projectName: r.project_name,
      prompt: promptExcerpt(r.messages, 200),
      flags: r.flags,
      annotators: r.annotators,
      worst: SEVERITIES[r.worst - 1]!,
      firstFlaggedAt: r.first_at,
      escalated: r.escalated,
    };
  });
}

export interface ReviewItem {
  responseId: string;
  projectName: string;
  messages: ChatMessage[];
  text: string;
  /** one entry per flagged category, with what annotators said */
  categories: {
    category: FlagCategory;
    flagId: string;
    count: number;
    worst: Severity;
    rationales: string[];
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

export async function loadReviewItem(db: Kysely<Database>, responseId: string): Promise<ReviewItem | null> {
  const response = await db
    .selectFrom('responses as r')
    .innerJoin('prompts as q', 'q.id', 'r.prompt_id')
    .innerJoin('projects as pr', 'pr.id', 'q.project_id')
    .select(['r.id', 'r.text', 'q.messages', 'pr.name'])
    .where('r.id', '=', responseId)
    .executeTakeFirst();
  if (!response) return null;
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
    };
    entry.count++;
    if (SEVERITIES.indexOf(flag.severity) > SEVERITIES.indexOf(entry.worst)) entry.worst = flag.severity;
    if (flag.rationale) entry.rationales.push(flag.rationale);
    byCategory.set(flag.category, entry);
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
    // worst first, then in taxonomy order, so the form reads the same way every time
    categories: [...byCategory.values()].sort(
      (a, b) =>
        SEVERITIES.indexOf(b.worst) - SEVERITIES.indexOf(a.worst) ||
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
        flagId: z.uuid(),
        decision: z.enum(['confirmed', 'dismissed', 'escalated'], {
          error: 'Confirm, dismiss or escalate each flag.',
        }),
        category: z.enum(FLAG_CATEGORIES, { error: 'Unknown category.' }),
        severity: z.enum(SEVERITIES, { error: 'Unknown severity.' }),
      }),
    )
    .min(1, 'There is no flag to decide on.'),
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
    if (decisions.some((d) => !known.has(d.flagId)))
      throw new UserInputError('A decision names a flag this response does not have.', 'decisions');
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
