/** Reading judgments in bulk (training, export). Recording them lives in tasks/judgments.ts. */
import type { Kysely, Transaction } from 'kysely';
import type { Database, RewardAxis } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface JudgmentScore {
  id: string;
  pair_id: string;
  annotator_id: string;
  /** the axis's graded score in canonical order: negative favours response A, 0 is a tie */
  score: number;
  created_at: Date;
}

export interface JudgmentSelection {
  projectId: string;
  axis: RewardAxis;
  /** prompt languages to keep (none given: all) */
  languages?: readonly string[];
  /** prompt domains to keep (none given: all) */
  domains?: readonly string[];
  /** only judgments made at or after this moment */
  since?: Date;
}

/**
 * A project's judgments on one axis, oldest first (ties broken by id, so the order is stable).
 * Repeat judgments (an annotator's consistency checks) are left out, as consensus leaves them out.
 * An adjudicated pair contributes its decision alone (as one judgment by the adjudicator, id = the
 * adjudication's), so training learns the settled answer rather than the dispute.
 */
export async function listJudgmentScores(db: Db, selection: JudgmentSelection): Promise<JudgmentScore[]> {
  let query = db
    .selectFrom('judgments as j')
    .innerJoin('pairs as p', 'p.id', 'j.pair_id')
    .innerJoin('prompts as pr', 'pr.id', 'p.prompt_id')
    .select(['j.id', 'j.pair_id', 'j.annotator_id', `j.${selection.axis} as score`, 'j.created_at'])
    .where('j.project_id', '=', selection.projectId)
    .where('j.is_repeat', '=', false)
    .orderBy('j.created_at')
    .orderBy('j.id');
  if (selection.languages?.length) query = query.where('pr.language', 'in', [...selection.languages]);
  if (selection.domains?.length) query = query.where('pr.domain', 'in', [...selection.domains]);
  if (selection.since) query = query.where('j.created_at', '>=', selection.since);
  query = query.where((eb) =>
    eb.not(
      eb.exists(
        eb.selectFrom('adjudications as ad').select('ad.id').whereRef('ad.pair_id', '=', 'j.pair_id'),
      ),
    ),
  );
  let decisions = db
    .selectFrom('adjudications as ad')
    .innerJoin('pairs as p', 'p.id', 'ad.pair_id')
    .innerJoin('prompts as pr', 'pr.id', 'p.prompt_id')
    .select(['ad.id', 'ad.pair_id', 'ad.decided_by', `ad.${selection.axis} as score`, 'ad.updated_at'])
    .where('ad.project_id', '=', selection.projectId);
  if (selection.languages?.length) decisions = decisions.where('pr.language', 'in', [...selection.languages]);
  if (selection.domains?.length) decisions = decisions.where('pr.domain', 'in', [...selection.domains]);
  if (selection.since) decisions = decisions.where('ad.updated_at', '>=', selection.since);
  const [judged, decided] = await Promise.all([query.execute(), decisions.execute()]);
  if (decided.length === 0) return judged;
  const merged: JudgmentScore[] = [
    ...judged,
    ...decided.map((d) => ({
      id: d.id,
      pair_id: d.pair_id!,
      annotator_id: d.decided_by ?? '',
      score: d.score!,
      created_at: d.updated_at,
    })),
  ];
  return merged.sort(
    (x, y) => x.created_at.getTime() - y.created_at.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );
}

/** The languages and domains of a project's judged prompts, for filter choices. */
export async function listJudgedPromptFacets(
  db: Db,
  projectId: string,
): Promise<{ languages: string[]; domains: string[] }> {
  const rows = await db
    .selectFrom('prompts as pr')
    .select(['pr.language', 'pr.domain'])
    .where('pr.project_id', '=', projectId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('judgments as j')
          .innerJoin('pairs as p', 'p.id', 'j.pair_id')
          .select('j.id')
          .whereRef('p.prompt_id', '=', 'pr.id'),
      ),
    )
    .distinct()
    .execute();
  const languages = [...new Set(rows.map((r) => r.language).filter((v): v is string => !!v))].sort();
  const domains = [...new Set(rows.map((r) => r.domain).filter((v): v is string => !!v))].sort();
  return { languages, domains };
}

/** Judgments per axis that decide a winner (score ≠ 0), repeats excluded. */
export async function countDecidedJudgments(
  db: Db,
  projectId: string,
): Promise<{ total: number; helpfulness: number; safety: number }> {
  const row = await db
    .selectFrom('judgments')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.count<number>('id').filterWhere('helpfulness', '!=', 0).as('helpfulness'),
      eb.fn.count<number>('id').filterWhere('safety', '!=', 0).as('safety'),
    ])
    .where('project_id', '=', projectId)
    .where('is_repeat', '=', false)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), helpfulness: Number(row.helpfulness), safety: Number(row.safety) };
}
