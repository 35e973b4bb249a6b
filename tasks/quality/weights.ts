/**
 * Annotator reliability as vote weights: when a project's quality setting `reliabilityWeights` is
 * on, each judgment (or label) counts with a weight derived from its annotator's Dawid-Skene
 * reliability in the latest stored quality report. Consensus and training read the weights from
 * here, so both weigh people the same way.
 *
 * The mapping (`reliabilityWeight`): for K classes and reliability r, the raw weight is the log-odds
 * max(0, ln((K − 1) · r / (1 − r))). Nitzan & Paroush (1982) showed that for independent voters of
 * known competence, the weighted majority vote with w = ln(r / (1 − r)) is the optimal decision rule
 * for two classes. The K-class form assumes an annotator's mistakes are spread evenly over the K − 1
 * wrong classes (the one-coin model); then a vote multiplies the odds of the class it names by
 * (K − 1) · r / (1 − r). A reliability at chance, r = 1/K, gives weight 0: that annotator carries
 * no information. Below chance we floor at 0 rather than count their votes against what they chose.
 * r is clipped to [0.01, 0.99] so one perfect-looking annotator (often an artefact of few labels)
 * cannot get an infinite weight. Raw weights are divided by the median raw weight of the report's
 * annotators, so a typical annotator weighs about 1 and the scale of the graded strengths in
 * training is kept, then clamped to [0, 3] so no single person outvotes more than three typical ones.
 *
 * Nitzan, S. and Paroush, J. (1982). Optimal decision rules in uncertain dichotomous choice
 * situations. International Economic Review 23(2), 289–297.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { findProjectById } from '../../db/queries/projects';
import { findLatestQualityReport } from '../../db/queries/quality';
import type { AnnotatorReport } from './report';
import { qualitySettings } from './settings';

/** No annotator weighs more than this many typical annotators. */
export const MAX_RELIABILITY_WEIGHT = 3;
/** Reliabilities are clipped to [RELIABILITY_CLIP, 1 − RELIABILITY_CLIP] before the log-odds. */
export const RELIABILITY_CLIP = 0.01;
/** Pair judgments are weighed on their direction: A, B or a tie. */
export const PAIR_DIRECTION_CLASSES = 3;

/**
 * The unnormalised log-odds weight of a vote among `classes` classes from an annotator with
 * reliability `r`: max(0, ln((K − 1)·r/(1 − r))), r clipped to [0.01, 0.99]. 0 at or below chance
 * (r ≤ 1/K); grows without bound only as r → 1, which the clip prevents. Throws for K < 2.
 */
export function reliabilityWeight(r: number, classes: number): number {
  if (!(classes >= 2)) throw new Error(`a vote needs at least 2 classes, got ${classes}`);
  if (!Number.isFinite(r)) return 0;
  const p = Math.min(1 - RELIABILITY_CLIP, Math.max(RELIABILITY_CLIP, r));
  return Math.max(0, Math.log(((classes - 1) * p) / (1 - p)));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Every listed annotator's weight: `reliabilityWeight` divided by the median over the annotators
 * that have a reliability, clamped to [0, MAX_RELIABILITY_WEIGHT]. Annotators without a
 * reliability (too little data) weigh 1. When the median is 0 — most people at or below chance —
 * the figures cannot tell good from bad, and everyone weighs 1. Deterministic; never NaN.
 */
export function weightsFromReliability(
  annotators: readonly { annotator: string; reliability: number | null }[],
  classes: number,
): Map<string, number> {
  const raw = new Map<string, number>();
  for (const a of annotators)
    if (a.reliability !== null && Number.isFinite(a.reliability))
      raw.set(a.annotator, reliabilityWeight(a.reliability, classes));
  const typical = raw.size ? median([...raw.values()]) : 0;
  const weights = new Map<string, number>();
  for (const { annotator } of annotators) {
    const w = raw.get(annotator);
    weights.set(
      annotator,
      w === undefined || !(typical > 0) ? 1 : Math.min(MAX_RELIABILITY_WEIGHT, w / typical),
    );
  }
  return weights;
}

/** An annotator's weight from a map of `reliabilityWeights`: 1 for anyone it does not list. */
export function weightOf(weights: ReadonlyMap<string, number>, annotator: string | null): number {
  return (annotator === null ? undefined : weights.get(annotator)) ?? 1;
}

export interface ReliabilityWeighting {
  /** the project's `reliabilityWeights` quality setting */
  enabled: boolean;
  /** annotator → weight; empty when the setting is off or there is no report (everyone weighs 1) */
  weights: Map<string, number>;
  /** the quality report the weights come from; null when nothing is weighted */
  report: { id: string; computedAt: string } | null;
}

/**
 * The project's reliability weighting: off (empty weights, no report) when the project does not
 * exist, its setting is off, or it has no quality report yet; otherwise `weightsFromReliability`
 * of the latest report's annotators, with K = 3 (pair directions) for preference projects and the
 * label set's size for sentiment ones. Reads two rows; never writes.
 */
export async function reliabilityWeighting(
  db: Kysely<Database>,
  projectId: string,
): Promise<ReliabilityWeighting> {
  const project = await findProjectById(db, projectId);
  const enabled = project ? qualitySettings(project.settings).reliabilityWeights : false;
  const off = { enabled, weights: new Map<string, number>(), report: null };
  if (!project || !enabled) return off;
  const row = await findLatestQualityReport(db, projectId);
  if (!row) return off;
  const report = row.report as { computedAt?: unknown; annotators?: unknown };
  const listed = Array.isArray(report.annotators) ? (report.annotators as Partial<AnnotatorReport>[]) : [];
  // the report is stored JSON: read only well-formed entries
  const annotators = listed.flatMap((a) =>
    typeof a.annotator === 'string'
      ? [{ annotator: a.annotator, reliability: typeof a.reliability === 'number' ? a.reliability : null }]
      : [],
  );
  const classes =
    project.type === 'preference' ? PAIR_DIRECTION_CLASSES : Math.max(2, project.label_set.length);
  return {
    enabled,
    weights: weightsFromReliability(annotators, classes),
    report: {
      id: row.id,
      computedAt: typeof report.computedAt === 'string' ? report.computedAt : row.created_at.toISOString(),
    },
  };
}

/**
 * Annotator → weight for the project's judgments or labels: empty when its `reliabilityWeights`
 * setting is off or it has no quality report yet. Annotators the map does not list weigh 1.
 */
export async function reliabilityWeights(
  db: Kysely<Database>,
  projectId: string,
): Promise<Map<string, number>> {
  return (await reliabilityWeighting(db, projectId)).weights;
}

/**
 * What a trained model's snapshot records about the weighting, so a researcher can tell whether
 * (and from which quality report) its training data was reliability-weighted.
 */
export function weightingSnapshot(weighting: ReliabilityWeighting): {
  reliabilityWeighted: boolean;
  reliabilityReport: { id: string; computedAt: string; annotators: number } | null;
} {
  return {
    reliabilityWeighted: weighting.report !== null,
    reliabilityReport: weighting.report && { ...weighting.report, annotators: weighting.weights.size },
  };
}
