/**
 * What an annotator gets next, and what happens when they skip. Every step is one transaction (or
 * one statement, which is atomic by itself), so a lease and the pair's counters change together or
 * not at all.
 */
import { activeRisks, suggestionsFromRisks, type PairSuggestions } from './safety/suggestions';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { ChatMessage, Database } from '../db/schema';
import {
  endLease,
  expireLeasesSoon,
  findOpenLease,
  findProjectWithOpenLease,
  hasAvailablePair,
  leaseNextPair,
  lockAssignment,
  type Annotator,
  type Lease,
} from '../db/queries/queue';
import { leaseGold, leaseRepeat } from '../db/queries/quality-queue';
import { UserInputError } from './errors';
import { SKIP_REASONS } from './judgments.schema';
import type { Rng } from './rng';

/** Tries before answering "nothing available" while other requests hold the remaining pairs. */
const LEASE_ATTEMPTS = 8;

export type { Lease };

/**
 * The annotator's current pair: their open lease if they have one (a reload shows the same pair),
 * otherwise a new lease chosen by the queue. null when nothing is available to them.
 * Left/right placement is random per assignment and stored with it.
 */
export async function nextPair(
  db: Kysely<Database>,
  options: { annotator: Annotator; projectSlug?: string | null; now?: Date; rng: Rng },
): Promise<Lease | null> {
  const now = options.now ?? new Date();
  let projectId: string | null = null;
  // the project's serving rates, when the request names it: a draw outside them skips two queries
  let bands: { repeat: number; gold: number } | null = null;
  let open: Lease | undefined;
  await expireLeasesSoon(db, now);
  if (options.projectSlug) {
    const found = await findProjectWithOpenLease(db, options.projectSlug, options.annotator.id, now);
    if (!found || found.project.type !== 'preference') {
      throw new UserInputError(`No preference project "${options.projectSlug}".`, 'project', 'not-found');
    }
    projectId = found.project.id;
    bands = { repeat: found.project.repeat_rate, gold: found.project.gold_rate };
    open = found.open;
  } else {
    open = await findOpenLease(db, options.annotator.id, projectId, now);
  }
  if (open) return open;
  const leftIsA = options.rng() < 0.5;
  // one draw decides between a consistency repeat, a gold pair and the queue (db/queries/quality-queue.ts)
  const draw = options.rng();
  const special =
    bands && draw >= bands.repeat + bands.gold
      ? undefined
      : await db.transaction().execute(
          async (trx) =>
            (await leaseRepeat(trx, { annotator: options.annotator, projectId, now, draw })) ??
            (await leaseGold(trx, {
              kind: 'pair',
              annotator: options.annotator,
              projectId,
              now,
              leftIsA,
              draw,
            })),
        );
  if (special) return special;
  // SKIP LOCKED passes over pairs other requests are leasing right now; when that leaves nothing,
  // check (without locking) whether anything qualifies at all, and if so try again shortly.
  for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
    const lease = await leaseNextPair(db, { annotator: options.annotator, projectId, now, leftIsA });
    if (lease) return lease;
    if (!(await hasAvailablePair(db, options.annotator, projectId))) return null;
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * (attempt + 1)));
  }
  return null;
}

export { SKIP_REASONS };

export const SkipSchema = z.object({
  assignmentId: z.uuid({ error: 'Unknown assignment.' }),
  reason: z.enum(Object.keys(SKIP_REASONS) as [keyof typeof SKIP_REASONS], {
    error: 'Choose why you are skipping.',
  }),
  note: z.string().trim().max(500, 'Keep the note under 500 characters.').default(''),
});

/**
 * Skips one of the annotator's leased assignments, a pair or a sentiment item, with a reason; its
 * place returns to the pool for other annotators, and the annotator is never offered it again.
 */
export async function skipAssignment(
  db: Kysely<Database>,
  annotatorId: string,
  input: z.input<typeof SkipSchema>,
  now = new Date(),
): Promise<void> {
  const parsed = SkipSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserInputError(issue.message, String(issue.path[0] ?? ''));
  }
  const { assignmentId, reason, note } = parsed.data;
  await db.transaction().execute(async (trx) => {
    const assignment = await lockAssignment(trx, assignmentId, annotatorId);
    if (!assignment) throw new UserInputError('Unknown assignment.', 'assignmentId', 'not-found');
    const unit = assignment.pair_id ? 'pair' : 'item';
    if (assignment.status !== 'leased') {
      throw new UserInputError(
        `This ${unit} is already ${assignment.status}; there is nothing to skip.`,
        'assignmentId',
        'conflict',
      );
    }
    await endLease(trx, assignment, 'skipped', note ? `${reason}: ${note}` : reason, now);
  });
}

/** Skips a leased pair (skipAssignment, under the name the compare screen uses). */
export const skipPair = skipAssignment;

export interface PairView {
  assignmentId: string;
  pairId: string;
  project: {
    id: string;
    slug: string;
    name: string;
    guidelines: string;
    redundancy: number;
    rationaleRequired: boolean;
  };
  messages: ChatMessage[];
  language: string | null;
  domain: string | null;
  left: { id: string; text: string };
  right: { id: string; text: string };
  expiresAt: Date;
  /** the safety model's suggested flags per side (tasks/safety/suggestions.ts); null when none are shown */
  suggestions: PairSuggestions | null;
}

/**
 * What the compare screen shows for one of the annotator's assignments. Model names and the
 * source file's reference label are deliberately absent: they would anchor the judgment.
 */
export async function loadPairView(
  db: Kysely<Database>,
  assignmentId: string,
  annotatorId: string,
): Promise<PairView | null> {
  const row = await db
    .selectFrom('assignments as a')
    .innerJoin('pairs as p', 'p.id', 'a.pair_id')
    .innerJoin('projects as pr', 'pr.id', 'p.project_id')
    .innerJoin('prompts as q', 'q.id', 'p.prompt_id')
    .innerJoin('responses as ra', 'ra.id', 'p.response_a_id')
    .innerJoin('responses as rb', 'rb.id', 'p.response_b_id')
    .select(activeRisks(sql.ref('ra.id'), sql.ref('rb.id')).as('risks'))
    .select([
      'a.id as assignment_id',
      'a.left_response_id',
      'a.expires_at',
      'p.id as pair_id',
      'pr.id as project_id',
      'pr.slug',
      'pr.name',
      'pr.guidelines',
      'pr.redundancy',
      'pr.settings',
      'q.messages',
      'q.language',
      'q.domain',
      'ra.id as a_id',
      'ra.text as a_text',
      'rb.id as b_id',
      'rb.text as b_text',
    ])
    .where('a.id', '=', assignmentId)
    .where('a.annotator_id', '=', annotatorId)
    .executeTakeFirst();
  if (!row) return null;
  const a = { id: row.a_id, text: row.a_text };
  const b = { id: row.b_id, text: row.b_text };
  const leftIsA = row.left_response_id === row.a_id;
  return {
    assignmentId: row.assignment_id,
    pairId: row.pair_id,
    project: {
      id: row.project_id,
      slug: row.slug,
      name: row.name,
      guidelines: row.guidelines,
      redundancy: row.redundancy,
      rationaleRequired: row.settings.rationaleRequired === true,
    },
    messages: row.messages,
    language: row.language,
    domain: row.domain,
    left: leftIsA ? a : b,
    right: leftIsA ? b : a,
    expiresAt: row.expires_at,
    suggestions: suggestionsFromRisks(row.settings, row.risks, row.left_response_id!, leftIsA ? b.id : a.id),
  };
}
