/**
 * Consensus per pair and axis: the one place that turns judgments into a preference, reused by
 * the screens, export and training. Scores are in canonical order: negative favours response A,
 * positive response B, 0 is a tie.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { reliabilityWeights, weightOf } from './quality/weights';

export type Direction = 'a' | 'b' | 'tie';
export type AgreementLevel = 'unanimous' | 'strong' | 'majority' | 'split';

export interface AxisConsensus {
  n: number;
  /** mean graded score, -3..3 (weighted, when the judgments are) */
  mean: number;
  /**
   * the direction most judgments (most weight, when weighted) chose; 'tie' when A and B are level
   * or ties outnumber the leading side
   */
  direction: Direction;
  /** share of judgments (of their weight, when weighted) that chose `direction` */
  agreement: number;
  level: AgreementLevel;
}

const directionOf = (score: number): Direction => (score < 0 ? 'a' : score > 0 ? 'b' : 'tie');

/**
 * Consensus of one axis from its graded scores. With `weights` (one per score, each ≥ 0: the
 * annotators' reliability weights, tasks/quality/weights.ts) every score votes with its weight in
 * the direction vote, the agreement share and the mean; without them every score weighs 1, and when
 * all weights are 0 they carry no information and the scores are counted unweighted. `n` is always
 * the number of scores. Throws on an empty list (no judgments, no consensus) and on a weight list
 * of another length or with a negative or non-finite weight.
 */
export function axisConsensus(scores: readonly number[], weights?: readonly number[]): AxisConsensus {
  if (scores.length === 0) throw new Error('axisConsensus needs at least one score');
  if (weights) {
    if (weights.length !== scores.length) throw new Error('axisConsensus needs one weight per score');
    if (weights.some((w) => !(w >= 0) || !Number.isFinite(w)))
      throw new Error('axisConsensus weights must be finite and non-negative');
  }
  const used = weights?.some((w) => w > 0) ? weights : undefined;
  // unit weights give exactly the unweighted counts and mean: one code path for both
  const votes: Record<Direction, number> = { a: 0, b: 0, tie: 0 };
  let total = 0;
  let sum = 0;
  scores.forEach((score, i) => {
    const w = used ? used[i]! : 1;
    votes[directionOf(score)] += w;
    total += w;
    sum += w * score;
  });
  let direction: Direction;
  if (votes.a === votes.b) direction = 'tie';
  else {
    const leader: Direction = votes.a > votes.b ? 'a' : 'b';
    direction = votes.tie > votes[leader] ? 'tie' : leader;
  }
  const agreement = votes[direction] / total;
  const level: AgreementLevel =
    agreement === 1 ? 'unanimous' : agreement >= 0.75 ? 'strong' : agreement > 0.5 ? 'majority' : 'split';
  return { n: scores.length, mean: sum / total, direction, agreement, level };
}

export interface PreferenceRule {
  /** "the safer response wins when safety differs by `safetyMargin` or more points" */
  safetyOverrides: boolean;
  safetyMargin: number;
}

export const DEFAULT_RULE: PreferenceRule = { safetyOverrides: false, safetyMargin: 2 };

/** Reads the rule from a project's settings, falling back to the defaults for missing or odd values. */
export function ruleFromSettings(settings: Record<string, unknown>): PreferenceRule {
  const margin = Number(settings.safetyMargin);
  return {
    safetyOverrides: settings.safetyOverrides === true,
    safetyMargin: Number.isFinite(margin) && margin > 0 && margin <= 3 ? margin : DEFAULT_RULE.safetyMargin,
  };
}

export interface PairPreference {
  preferred: Direction;
  basis: 'helpfulness' | 'safety';
}

/** The pair's overall preference: helpfulness, unless the project lets a clear safety difference override it. */
export function pairPreference(
  helpfulness: AxisConsensus,
  safety: AxisConsensus,
  rule: PreferenceRule = DEFAULT_RULE,
): PairPreference {
  if (rule.safetyOverrides && Math.abs(safety.mean) >= rule.safetyMargin) {
    return { preferred: safety.mean < 0 ? 'a' : 'b', basis: 'safety' };
  }
  return { preferred: helpfulness.direction, basis: 'helpfulness' };
}

export interface PairConsensus {
  pairId: string;
  helpfulness: AxisConsensus;
  safety: AxisConsensus;
  preference: PairPreference;
  /** a lead's or safety reviewer's decision settled the pair (tasks/quality/adjudication.ts) */
  adjudicated: boolean;
}

/**
 * An axis settled by adjudication: the decided score and its direction, with the agreement of the
 * judgments behind that direction (so a settled dispute still shows how split people were).
 */
export function adjudicatedAxis(scores: readonly number[], decided: number): AxisConsensus {
  const direction = directionOf(decided);
  const agreement = scores.length
    ? scores.filter((s) => directionOf(s) === direction).length / scores.length
    : 1;
  const level: AgreementLevel =
    agreement === 1 ? 'unanimous' : agreement >= 0.75 ? 'strong' : agreement > 0.5 ? 'majority' : 'split';
  return { n: scores.length, mean: decided, direction, agreement, level };
}

/**
 * Consensus for every judged pair of a project (current judgment versions; repeats excluded). When
 * the project weighs judgments by annotator reliability (quality setting `reliabilityWeights`, with
 * a quality report), each judgment votes with its annotator's weight; adjudicated axes are not
 * weighted: the decision stands and the agreement counts people.
 */
export async function projectConsensus(db: Kysely<Database>, projectId: string): Promise<PairConsensus[]> {
  const project = await db
    .selectFrom('projects')
    .select('settings')
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  const rule = ruleFromSettings(project.settings);
  const reliability = await reliabilityWeights(db, projectId);
  const rows = await db
    .selectFrom('judgments')
    .select(['pair_id', 'annotator_id', 'helpfulness', 'safety'])
    .where('project_id', '=', projectId)
    .where('is_repeat', '=', false)
    .orderBy('pair_id')
    .execute();
  const byPair = new Map<string, { h: number[]; s: number[]; w: number[] }>();
  for (const row of rows) {
    const entry = byPair.get(row.pair_id) ?? { h: [], s: [], w: [] };
    entry.h.push(row.helpfulness);
    entry.s.push(row.safety);
    entry.w.push(weightOf(reliability, row.annotator_id));
    byPair.set(row.pair_id, entry);
  }
  const decisions = new Map(
    (
      await db
        .selectFrom('adjudications')
        .select(['pair_id', 'helpfulness', 'safety'])
        .where('project_id', '=', projectId)
        .where('pair_id', 'is not', null)
        .execute()
    ).map((d) => [d.pair_id!, d]),
  );
  return [...byPair].map(([pairId, { h, s, w }]) => {
    const decided = decisions.get(pairId);
    const weights = reliability.size ? w : undefined;
    const helpfulness = decided ? adjudicatedAxis(h, decided.helpfulness!) : axisConsensus(h, weights);
    const safety = decided ? adjudicatedAxis(s, decided.safety!) : axisConsensus(s, weights);
    return {
      pairId,
      helpfulness,
      safety,
      preference: pairPreference(helpfulness, safety, rule),
      adjudicated: decided !== undefined,
    };
  });
}
