/**
 * Consensus per pair and axis: the one place that turns judgments into a preference, reused by
 * the screens, export and training. Scores are in canonical order: negative favours response A,
 * positive response B, 0 is a tie.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

export type Direction = 'a' | 'b' | 'tie';
export type AgreementLevel = 'unanimous' | 'strong' | 'majority' | 'split';

export interface AxisConsensus {
  n: number;
  /** mean graded score, -3..3 */
  mean: number;
  /** the direction most judgments chose; 'tie' when A and B are level or ties outnumber the leading side */
  direction: Direction;
  /** share of judgments that chose `direction` */
  agreement: number;
  level: AgreementLevel;
}

const directionOf = (score: number): Direction => (score < 0 ? 'a' : score > 0 ? 'b' : 'tie');

/** Consensus of one axis from its graded scores. Throws on an empty list: no judgments, no consensus. */
export function axisConsensus(scores: readonly number[]): AxisConsensus {
  if (scores.length === 0) throw new Error('axisConsensus needs at least one score');
  const votes: Record<Direction, number> = { a: 0, b: 0, tie: 0 };
  for (const score of scores) votes[directionOf(score)]++;
  let direction: Direction;
  if (votes.a === votes.b) direction = 'tie';
  else {
    const leader: Direction = votes.a > votes.b ? 'a' : 'b';
    direction = votes.tie > votes[leader] ? 'tie' : leader;
  }
  const agreement = votes[direction] / scores.length;
  const level: AgreementLevel =
    agreement === 1 ? 'unanimous' : agreement >= 0.75 ? 'strong' : agreement > 0.5 ? 'majority' : 'split';
  const mean = scores.reduce((sum, s) => sum + s, 0) / scores.length;
  return { n: scores.length, mean, direction, agreement, level };
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

/** Consensus for every judged pair of a project (current judgment versions; repeats excluded). */
export async function projectConsensus(db: Kysely<Database>, projectId: string): Promise<PairConsensus[]> {
  const project = await db
    .selectFrom('projects')
    .select('settings')
    .where('id', '=', projectId)
    .executeTakeFirstOrThrow();
  const rule = ruleFromSettings(project.settings);
  const rows = await db
    .selectFrom('judgments')
    .select(['pair_id', 'helpfulness', 'safety'])
    .where('project_id', '=', projectId)
    .where('is_repeat', '=', false)
    .orderBy('pair_id')
    .execute();
  const byPair = new Map<string, { h: number[]; s: number[] }>();
  for (const row of rows) {
    const entry = byPair.get(row.pair_id) ?? { h: [], s: [] };
    entry.h.push(row.helpfulness);
    entry.s.push(row.safety);
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
  return [...byPair].map(([pairId, { h, s }]) => {
    const decided = decisions.get(pairId);
    const helpfulness = decided ? adjudicatedAxis(h, decided.helpfulness!) : axisConsensus(h);
    const safety = decided ? adjudicatedAxis(s, decided.safety!) : axisConsensus(s);
    return {
      pairId,
      helpfulness,
      safety,
      preference: pairPreference(helpfulness, safety, rule),
      adjudicated: decided !== undefined,
    };
  });
}
