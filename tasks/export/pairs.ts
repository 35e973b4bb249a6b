/**
 * The pairs an export writes, read in pages of pair ids (keyset pagination), so memory stays flat
 * however large the project is and the same code runs on PGlite and PostgreSQL. Each pair comes
 * with its conversation, both responses, and its consensus on both axes computed by
 * tasks/consensus.ts from the judgments the filters keep (an adjudication, when there is one, is
 * the answer). Pairs the filters leave out are counted by reason, for the dataset card.
 */
import { sql, type Kysely } from 'kysely';
import type { ChatMessage, Database } from '../../db/schema';
import { findLatestQualityReport } from '../../db/queries/quality';
import {
  adjudicatedAxis,
  axisConsensus,
  pairPreference,
  ruleFromSettings,
  type AxisConsensus,
  type Direction,
} from '../consensus';
import { qualitySettings } from '../quality/settings';
import { weightsFromReliability } from '../quality/weights';
import type { ExportFilters } from './filters';

const PAGE = 2000;

export interface ExportedPair {
  pairId: string;
  messages: ChatMessage[];
  a: { id: string; text: string; model: string };
  b: { id: string; text: string; model: string };
  helpfulness: AxisConsensus;
  safety: AxisConsensus;
  /** the exported direction: the filters' axis, or safety when the override rule applies */
  preferred: Direction;
  basis: 'helpfulness' | 'safety';
  /** the deciding axis's consensus mean, −3..3 (negative favours A); its absolute value is the margin */
  score: number;
  /** share of the kept judgments behind `preferred` on the deciding axis */
  agreement: number;
  judgments: number;
  adjudicated: boolean;
  isGold: boolean;
  /** each axis's mean with votes weighted by reliability (latest quality report); null without a report */
  weightedScore: { helpfulness: number; safety: number } | null;
}

export interface PairCounts {
  read: number;
  exported: number;
  skipped: Record<'no-judgments' | 'tie' | 'agreement' | 'judgments' | 'gold', number>;
}

/** What the filters resolve to for this project: weights, excluded annotators, the rule. */
export interface ExportContext {
  weights: Map<string, number>;
  /** weights from the latest quality report whether or not they decide the export (for weighted_score) */
  reportWeights: Map<string, number> | null;
  excluded: Set<string>;
  rule: { safetyOverrides: boolean; safetyMargin: number };
  /** the quality report the weights or exclusions came from */
  reportId: string | null;
}

/** Resolves the filters that depend on the project (its rule, its latest quality report). */
export async function exportContext(
  db: Kysely<Database>,
  projectId: string,
  filters: ExportFilters,
): Promise<ExportContext> {
  const project = await db
    .selectFrom('projects')
    .select(['settings'])
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  const projectRule = ruleFromSettings(project.settings);
  const rule = {
    ...projectRule,
    safetyOverrides:
      filters.safetyOverrides === 'project' ? projectRule.safetyOverrides : filters.safetyOverrides === 'yes',
  };
  const weighted =
    filters.reliabilityWeighted === 'project'
      ? qualitySettings(project.settings).reliabilityWeights
      : filters.reliabilityWeighted === 'yes';
  // read even when nothing is filtered or weighted by it: consensus rows carry a weighted score
  const row = await findLatestQualityReport(db, projectId);
  const annotators = ((row?.report as { annotators?: unknown } | undefined)?.annotators ?? []) as {
    annotator: string;
    reliability: number | null;
    gold?: { accuracy: number | null };
  }[];
  const excluded = new Set(
    annotators
      .filter(
        (a) =>
          (filters.minReliability !== undefined &&
            a.reliability !== null &&
            a.reliability < filters.minReliability) ||
          (filters.minGoldAccuracy !== undefined &&
            a.gold?.accuracy !== null &&
            a.gold?.accuracy !== undefined &&
            a.gold.accuracy < filters.minGoldAccuracy),
      )
      .map((a) => a.annotator),
  );
  const fromReport = row ? weightsFromReliability(annotators, 3) : null;
  return {
    weights: weighted && fromReport ? fromReport : new Map(),
    reportWeights: fromReport,
    excluded,
    rule,
    reportId: row?.id ?? null,
  };
}

interface JudgmentRow {
  pair_id: string;
  annotator_id: string;
  helpfulness: number;
  safety: number;
}

/**
 * Streams the project's exportable pairs in pair-id order. `counts` is filled in as it goes.
 * Reads PAGE pairs at a time (three queries a page), whatever the project's size.
 */
export async function* streamExportPairs(
  db: Kysely<Database>,
  projectId: string,
  filters: ExportFilters,
  context: ExportContext,
  counts: PairCounts,
): AsyncGenerator<ExportedPair> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const pairs = await sql<{
      id: string;
      is_gold: boolean;
      messages: ChatMessage[];
      a_id: string;
      a_text: string;
      a_model: string;
      b_id: string;
      b_text: string;
      b_model: string;
      decided_h: number | null;
      decided_s: number | null;
    }>`
      select p.id, p.is_gold, q.messages, ra.id as a_id, ra.text as a_text, ra.model as a_model,
        rb.id as b_id, rb.text as b_text, rb.model as b_model,
        ad.helpfulness as decided_h, ad.safety as decided_s
      from pairs p
      join prompts q on q.id = p.prompt_id
      join responses ra on ra.id = p.response_a_id
      join responses rb on rb.id = p.response_b_id
      left join adjudications ad on ad.pair_id = p.id
      where p.project_id = ${projectId} and p.id > ${after}::uuid
        and (p.judgment_count > 0 or ad.id is not null)
      order by p.id
      limit ${PAGE}`.execute(db);
    if (pairs.rows.length === 0) return;
    after = pairs.rows[pairs.rows.length - 1]!.id;
    const ids = pairs.rows.map((p) => p.id);
    const judged = await sql<JudgmentRow>`
      select pair_id, annotator_id, helpfulness, safety from judgments
      where pair_id = any(${ids}::uuid[]) and not is_repeat
        ${filters.since ? sql`and created_at >= ${filters.since}` : sql``}
        ${filters.until ? sql`and created_at < ${filters.until}` : sql``}
      order by pair_id, created_at, id`.execute(db);
    const byPair = new Map<string, JudgmentRow[]>();
    for (const j of judged.rows) {
      if (context.excluded.has(j.annotator_id)) continue;
      let list = byPair.get(j.pair_id);
      if (!list) byPair.set(j.pair_id, (list = []));
      list.push(j);
    }
    for (const p of pairs.rows) {
      counts.read++;
      if (filters.excludeGold && p.is_gold) {
        counts.skipped.gold++;
        continue;
      }
      const list = byPair.get(p.id) ?? [];
      const decided = p.decided_h !== null && p.decided_s !== null;
      if (list.length === 0 && !decided) {
        counts.skipped['no-judgments']++;
        continue;
      }
      if (!decided && list.length < filters.minJudgments) {
        counts.skipped.judgments++;
        continue;
      }
      const weights = context.weights.size
        ? list.map((j) => context.weights.get(j.annotator_id) ?? 1)
        : undefined;
      const axis = (name: 'helpfulness' | 'safety', decidedScore: number | null) => {
        const scores = list.map((j) => j[name]);
        if (decidedScore !== null) return adjudicatedAxis(scores, decidedScore);
        return axisConsensus(scores, weights);
      };
      const helpfulness = axis('helpfulness', p.decided_h);
      const safety = axis('safety', p.decided_s);
      const preference =
        filters.axis === 'safety'
          ? { preferred: safety.direction, basis: 'safety' as const }
          : pairPreference(helpfulness, safety, context.rule);
      const deciding = preference.basis === 'safety' ? safety : helpfulness;
      // a majority tie with a leaning mean still has a preference: the side the scores lean to
      const preferred: Direction =
        preference.preferred !== 'tie'
          ? preference.preferred
          : deciding.mean < 0
            ? 'a'
            : deciding.mean > 0
              ? 'b'
              : 'tie';
      if (preferred === 'tie' && filters.ties === 'drop') {
        counts.skipped.tie++;
        continue;
      }
      const agreement = list.length
        ? list.filter((j) => {
            const s = j[preference.basis];
            return preferred === 'a' ? s < 0 : preferred === 'b' ? s > 0 : s === 0;
          }).length / list.length
        : 1;
      if (agreement < filters.minAgreement) {
        counts.skipped.agreement++;
        continue;
      }
      counts.exported++;
      const weightedScore = (() => {
        if (!context.reportWeights) return null;
        if (decided) return { helpfulness: p.decided_h!, safety: p.decided_s! };
        const w = list.map((j) => context.reportWeights!.get(j.annotator_id) ?? 1);
        const total = w.reduce((a, b) => a + b, 0);
        const mean = (axis: 'helpfulness' | 'safety') =>
          total > 0 ? list.reduce((sum, j, i) => sum + j[axis] * w[i]!, 0) / total : helpfulness.mean;
        return { helpfulness: mean('helpfulness'), safety: mean('safety') };
      })();
      yield {
        pairId: p.id,
        messages: p.messages,
        a: { id: p.a_id, text: p.a_text, model: p.a_model },
        b: { id: p.b_id, text: p.b_text, model: p.b_model },
        helpfulness,
        safety,
        preferred,
        basis: preference.basis,
        score: deciding.mean,
        agreement,
        judgments: list.length,
        adjudicated: decided,
        isGold: p.is_gold,
        weightedScore,
      };
    }
  }
}

export const emptyCounts = (): PairCounts => ({
  read: 0,
  exported: 0,
  skipped: { 'no-judgments': 0, tie: 0, agreement: 0, judgments: 0, gold: 0 },
});
