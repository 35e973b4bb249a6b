/**
 * Everything known about one pair, for the people who oversee the data (never annotators): both
 * responses with their models, the source file's reference, every judgment with its edits, the
 * flags, the safety reviews of either response, and the consensus under the project's rule.
 */
import type { Kysely } from 'kysely';
import type { ChatMessage, Database } from '../db/schema';
import {
  axisConsensus,
  pairPreference,
  ruleFromSettings,
  type AxisConsensus,
  type PairPreference,
} from './consensus';

export interface PairHistory {
  pair: { id: string; status: string; judgmentCount: number; leaseCount: number; reference: unknown };
  project: { slug: string; name: string; redundancy: number };
  messages: ChatMessage[];
  a: { id: string; model: string; text: string };
  b: { id: string; model: string; text: string };
  judgments: {
    id: string;
    annotator: string;
    helpfulness: number;
    safety: number;
    shownLeft: 'a' | 'b';
    bothUnacceptable: boolean;
    rationale: string;
    timeOnTaskMs: number | null;
    revision: number;
    createdAt: Date;
    updatedAt: Date;
    isRepeat: boolean;
  }[];
  flags: { response: 'a' | 'b'; category: string; severity: string; annotator: string }[];
  reviews: {
    response: 'a' | 'b';
    decision: string;
    category: string | null;
    severity: string | null;
    note: string;
    reviewer: string;
    at: Date;
  }[];
  consensus: { helpfulness: AxisConsensus; safety: AxisConsensus; preference: PairPreference } | null;
}

export async function loadPairHistory(db: Kysely<Database>, pairId: string): Promise<PairHistory | null> {
  const row = await db
    .selectFrom('pairs as p')
    .innerJoin('projects as pr', 'pr.id', 'p.project_id')
    .innerJoin('prompts as q', 'q.id', 'p.prompt_id')
    .innerJoin('responses as ra', 'ra.id', 'p.response_a_id')
    .innerJoin('responses as rb', 'rb.id', 'p.response_b_id')
    .select([
      'p.id',
      'p.status',
      'p.judgment_count',
      'p.lease_count',
      'p.reference',
      'pr.slug',
      'pr.name',
      'pr.redundancy',
      'pr.settings',
      'q.messages',
      'ra.id as a_id',
      'ra.model as a_model',
      'ra.text as a_text',
      'rb.id as b_id',
      'rb.model as b_model',
      'rb.text as b_text',
    ])
    .where('p.id', '=', pairId)
    .executeTakeFirst();
  if (!row) return null;
  const side = (responseId: string): 'a' | 'b' => (responseId === row.a_id ? 'a' : 'b');
  const judgments = await db
    .selectFrom('judgments as j')
    .innerJoin('users as u', 'u.id', 'j.annotator_id')
    .select([
      'j.id',
      'u.display_name',
      'j.helpfulness',
      'j.safety',
      'j.shown_left_response_id',
      'j.both_unacceptable',
      'j.rationale',
      'j.time_on_task_ms',
      'j.revision',
      'j.created_at',
      'j.updated_at',
      'j.is_repeat',
    ])
    .where('j.pair_id', '=', pairId)
    .orderBy('j.created_at')
    .execute();
  const flags = judgments.length
    ? await db
        .selectFrom('response_flags as f')
        .innerJoin('judgments as j', 'j.id', 'f.judgment_id')
        .innerJoin('users as u', 'u.id', 'j.annotator_id')
        .select(['f.response_id', 'f.category', 'f.severity', 'u.display_name'])
        .where(
          'f.judgment_id',
          'in',
          judgments.map((j) => j.id),
        )
        .execute()
    : [];
  const reviews = await db
    .selectFrom('safety_reviews as sr')
    .innerJoin('users as u', 'u.id', 'sr.reviewer_id')
    .select([
      'sr.response_id',
      'sr.decision',
      'sr.category',
      'sr.severity',
      'sr.note',
      'u.display_name',
      'sr.created_at',
    ])
    .where('sr.response_id', 'in', [row.a_id, row.b_id])
    .orderBy('sr.created_at')
    .execute();
  const counted = judgments.filter((j) => !j.is_repeat);
  let consensus: PairHistory['consensus'] = null;
  if (counted.length) {
    const helpfulness = axisConsensus(counted.map((j) => j.helpfulness));
    const safety = axisConsensus(counted.map((j) => j.safety));
    consensus = {
      helpfulness,
      safety,
      preference: pairPreference(helpfulness, safety, ruleFromSettings(row.settings)),
    };
  }
  return {
    pair: {
      id: row.id,
      status: row.status,
      judgmentCount: row.judgment_count,
      leaseCount: row.lease_count,
      reference: row.reference,
    },
    project: { slug: row.slug, name: row.name, redundancy: row.redundancy },
    messages: row.messages,
    a: { id: row.a_id, model: row.a_model, text: row.a_text },
    b: { id: row.b_id, model: row.b_model, text: row.b_text },
    judgments: judgments.map((j) => ({
      id: j.id,
      annotator: j.display_name,
      helpfulness: j.helpfulness,
      safety: j.safety,
      shownLeft: side(j.shown_left_response_id),
      bothUnacceptable: j.both_unacceptable,
      rationale: j.rationale,
      timeOnTaskMs: j.time_on_task_ms,
      revision: j.revision,
      createdAt: j.created_at,
      updatedAt: j.updated_at,
      isRepeat: j.is_repeat,
    })),
    flags: flags.map((f) => ({
      response: side(f.response_id),
      category: f.category,
      severity: f.severity,
      annotator: f.display_name,
    })),
    reviews: reviews.map((r) => ({
      response: side(r.response_id),
      decision: r.decision,
      category: r.category,
      severity: r.severity,
      note: r.note,
      reviewer: r.display_name,
      at: r.created_at,
    })),
    consensus,
  };
}

/** The pairs a response appears in (for links from the review screen). */
export async function pairsOfResponse(db: Kysely<Database>, responseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('pairs')
    .select('id')
    .where((eb) => eb.or([eb('response_a_id', '=', responseId), eb('response_b_id', '=', responseId)]))
    .execute();
  return rows.map((r) => r.id);
}
