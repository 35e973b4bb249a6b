/**
 * The per-annotator quality profile: agreement with the others (leave one out), gold accuracy,
 * position and length bias, consistency on repeats, pace, and the same headline figures per ISO
 * week so drift shows. Pure functions over plain rows; db/ feeds them.
 *
 * Sized for a project's whole history (1,000,000 judgments, ~300,000 items, a few hundred
 * annotators): strings are interned to integers once, items are grouped by counting sort, and
 * every figure is one pass, so the cost is linear in the rows.
 *
 * Throughout, `null` means "not enough data for this figure" (its denominator is empty), never NaN.
 */
import { wilsonInterval } from '../sentiment-audits';
import { othersMajority } from './others-majority';
import {
  agreementOf,
  countAgreement,
  countLeft,
  countLength,
  isPair,
  lengthOf,
  lengthTally,
  positionOf,
  rate,
  tally,
  type Agreement,
  type Consistency,
  type GoldAccuracy,
  type JudgmentRow,
  type LengthBias,
  type LengthTally,
  type PositionBias,
  type Tally,
} from './profile-figures';

// The binomial test and the single figures live in their own modules; re-exported so callers keep
// importing the whole profile from here.
export { binomialTwoSidedPValue } from './binomial';
export {
  leaveOneOutAgreement,
  lengthBias,
  positionBias,
  type Agreement,
  type Consistency,
  type GoldAccuracy,
  type JudgmentRow,
  type LengthBias,
  type PositionBias,
} from './profile-figures';

export interface SkipRow {
  annotator: string;
  at: Date;
}

// Flag rules. Each is a prompt for a lead to look, not a verdict, so they trade a little
// sensitivity for few false alarms across a team of a few hundred people.

/** Default gold bar. Flag when even the upper end of the 95% Wilson interval is below it, so a few unlucky misses on a small gold sample do not flag anyone. */
export const GOLD_ACCURACY_THRESHOLD = 0.7;
/** Position bias p-value bar: 200 fair annotators tested at 0.05 would raise ~10 false flags, at 0.01 ~2. */
export const POSITION_BIAS_MAX_P = 0.01;
/** Fewer non-tie judgments than this are too few to act on, whatever the p-value. */
export const POSITION_BIAS_MIN_N = 30;
/** With thousands of judgments a 52% left rate is "significant" yet harmless; demand a 10-point lean. */
export const POSITION_BIAS_MIN_EFFECT = 0.1;
/** Choosing the longer response 15 points more often than the others did on the same pairs; the others' own taste for length is already subtracted. */
export const LENGTH_BIAS_MIN_EXCESS = 0.15;
/** At 30 pairs a rate's standard error is at most 0.09, so a 0.15 excess is more than a couple of odd pairs. */
export const LENGTH_BIAS_MIN_N = 30;
/** Near-ties genuinely flip now and then; three flips in ten is closer to a coin (half) than to a held preference. */
export const INCONSISTENT_MIN_FLIP_RATE = 0.3;
/** One or two flips among a handful of repeats say nothing. */
export const INCONSISTENT_MIN_N = 10;

// Rates are ratios of counts; a hair of slack keeps 0.6 − 0.5 from falling short of 0.1.
const EPS = 1e-9;

export interface WeeklyFigures {
  /** Monday of the ISO week, UTC, YYYY-MM-DD */
  weekStart: string;
  volume: number;
  /** each figure is null when its denominator (the matching `…N`, or the week's pair/timed judgments) is empty */
  agreement: number | null;
  agreementN: number;
  goldAccuracy: number | null;
  goldN: number;
  leftRate: number | null;
  leftN: number;
  tieRate: number | null;
  medianTimeMs: number | null;
}

export type QualityFlag = 'gold-accuracy' | 'position-bias' | 'length-bias' | 'inconsistent';

export interface AnnotatorProfile {
  annotator: string;
  /** judgments of every kind (gold and repeats included) */
  volume: number;
  agreement: Agreement;
  gold: GoldAccuracy;
  position: PositionBias;
  length: LengthBias;
  /** ties among pair judgments; null without pair judgments */
  tieRate: number | null;
  skips: number;
  /** skips / (skips + judgments); null when both are 0 */
  skipRate: number | null;
  /** flagged judgments / judgments; null without judgments */
  flagRate: number | null;
  /** over judgments with a time; null when none has one */
  medianTimeMs: number | null;
  consistency: Consistency;
  /** weeks with at least one judgment, oldest first */
  weekly: WeeklyFigures[];
  flags: QualityFlag[];
}

export interface ProfileOptions {
  /** weeks are ISO weeks (Monday, UTC); the only supported start, named so callers say it explicitly */
  weekStart?: 'monday';
  /** gold accuracy bar for the 'gold-accuracy' flag; default GOLD_ACCURACY_THRESHOLD */
  goldThreshold?: number;
}

const DAY_MS = 86_400_000;

/** Day number (days since 1970-01-01 UTC) of the Monday that starts the ISO week of `ms`. */
function weekStartDay(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0.
  return day - ((((day + 3) % 7) + 7) % 7);
}

const dayString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The Monday (UTC) that starts the ISO week containing `at`, as YYYY-MM-DD. */
export function isoWeekStart(at: Date): string {
  return dayString(weekStartDay(at.getTime()));
}

/**
 * The flags a profile raises, in a fixed order: 'gold-accuracy' when the upper 95% Wilson bound
 * of gold accuracy is below `goldThreshold`; 'position-bias' when p < POSITION_BIAS_MAX_P with
 * n ≥ POSITION_BIAS_MIN_N and |leftRate − 0.5| ≥ POSITION_BIAS_MIN_EFFECT; 'length-bias' when
 * excess ≥ LENGTH_BIAS_MIN_EXCESS with n ≥ LENGTH_BIAS_MIN_N; 'inconsistent' when the repeat
 * flip rate is ≥ INCONSISTENT_MIN_FLIP_RATE with n ≥ INCONSISTENT_MIN_N. Figures without data never flag.
 */
export function qualityFlags(
  profile: Pick<AnnotatorProfile, 'gold' | 'position' | 'length' | 'consistency'>,
  goldThreshold = GOLD_ACCURACY_THRESHOLD,
): QualityFlag[] {
  const { gold, position, length, consistency } = profile;
  const flags: QualityFlag[] = [];
  if (gold.high !== null && gold.high < goldThreshold) flags.push('gold-accuracy');
  if (
    position.pValue !== null &&
    position.leftRate !== null &&
    position.n >= POSITION_BIAS_MIN_N &&
    position.pValue < POSITION_BIAS_MAX_P &&
    Math.abs(position.leftRate - 0.5) >= POSITION_BIAS_MIN_EFFECT - EPS
  ) {
    flags.push('position-bias');
  }
  if (
    length.excess !== null &&
    length.n >= LENGTH_BIAS_MIN_N &&
    length.excess >= LENGTH_BIAS_MIN_EXCESS - EPS
  ) {
    flags.push('length-bias');
  }
  if (
    consistency.flipRate !== null &&
    consistency.n >= INCONSISTENT_MIN_N &&
    consistency.flipRate >= INCONSISTENT_MIN_FLIP_RATE - EPS
  ) {
    flags.push('inconsistent');
  }
  return flags;
}

/** The figures kept both for the whole history and for each week. */
interface HeadlineTally {
  volume: number;
  agreement: Tally;
  gold: Tally;
  left: Tally;
  ties: Tally;
  times: number[];
}

interface AnnotatorTally extends HeadlineTally {
  flagged: number;
  length: LengthTally;
  repeats: Tally;
  skips: number;
  /** by the day number of the week's Monday */
  weeks: Map<number, HeadlineTally>;
}

function headlineTally(): HeadlineTally {
  return { volume: 0, agreement: tally(), gold: tally(), left: tally(), ties: tally(), times: [] };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function countHeadline(t: HeadlineTally, row: JudgmentRow, majority: string | null): void {
  t.volume++;
  countAgreement(t.agreement, row, majority);
  countLeft(t.left, row);
  if (row.isGold && typeof row.goldCorrect === 'boolean') {
    t.gold.n++;
    if (row.goldCorrect) t.gold.hits++;
  }
  if (isPair(row)) {
    t.ties.n++;
    if (row.answer === 'tie') t.ties.hits++;
  }
  if (typeof row.timeMs === 'number' && Number.isFinite(row.timeMs)) t.times.push(row.timeMs);
}

/**
 * Quality profiles of every annotator in `rows` or `skips`, sorted by annotator id. Agreement,
 * position and length follow leaveOneOutAgreement, positionBias and lengthBias; gold accuracy
 * counts gold rows with a scored `goldCorrect`; consistency counts repeats with a scored
 * `repeatConsistent`; volume, tie, flag and median-time figures cover all judgments (gold and
 * repeats included). `weekly` splits the headline figures by ISO week (Monday 00:00 UTC) of
 * `at`, judging each answer against the others' majority over all time. Linear in the rows.
 */
export function annotatorProfiles(
  rows: readonly JudgmentRow[],
  skips: readonly SkipRow[],
  options: ProfileOptions = {},
): AnnotatorProfile[] {
  const goldThreshold = options.goldThreshold ?? GOLD_ACCURACY_THRESHOLD;
  const majority = othersMajority(rows);
  const tallies = new Map<string, AnnotatorTally>();
  const tallyOf = (annotator: string) => {
    let t = tallies.get(annotator);
    if (t === undefined) {
      t = {
        ...headlineTally(),
        flagged: 0,
        length: lengthTally(),
        repeats: tally(),
        skips: 0,
        weeks: new Map(),
      };
      tallies.set(annotator, t);
    }
    return t;
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const t = tallyOf(row.annotator);
    const day = weekStartDay(row.at.getTime());
    let week = t.weeks.get(day);
    if (week === undefined) t.weeks.set(day, (week = headlineTally()));
    const others = majority[i] ?? null;
    countHeadline(t, row, others);
    countHeadline(week, row, others);
    countLength(t.length, row, others);
    if (row.flagged) t.flagged++;
    if (row.isRepeat && typeof row.repeatConsistent === 'boolean') {
      t.repeats.n++;
      if (row.repeatConsistent) t.repeats.hits++;
    }
  }
  for (const skip of skips) tallyOf(skip.annotator).skips++;

  const profiles: AnnotatorProfile[] = [];
  for (const [annotator, t] of tallies) {
    const wilson = t.gold.n > 0 ? wilsonInterval(t.gold.hits, t.gold.n) : null;
    const figures = {
      gold: {
        correct: t.gold.hits,
        n: t.gold.n,
        accuracy: wilson?.estimate ?? null,
        low: wilson?.low ?? null,
        high: wilson?.high ?? null,
      },
      position: positionOf(t.left),
      length: lengthOf(t.length),
      consistency: {
        consistent: t.repeats.hits,
        n: t.repeats.n,
        rate: rate(t.repeats.hits, t.repeats.n),
        flipRate: rate(t.repeats.n - t.repeats.hits, t.repeats.n),
      },
    };
    const weekly = [...t.weeks]
      .sort(([a], [b]) => a - b)
      .map(([day, w]): WeeklyFigures => ({
        weekStart: dayString(day),
        volume: w.volume,
        agreement: rate(w.agreement.hits, w.agreement.n),
        agreementN: w.agreement.n,
        goldAccuracy: rate(w.gold.hits, w.gold.n),
        goldN: w.gold.n,
        leftRate: rate(w.left.hits, w.left.n),
        leftN: w.left.n,
        tieRate: rate(w.ties.hits, w.ties.n),
        medianTimeMs: median(w.times),
      }));
    profiles.push({
      annotator,
      volume: t.volume,
      agreement: agreementOf(t.agreement),
      ...figures,
      tieRate: rate(t.ties.hits, t.ties.n),
      skips: t.skips,
      skipRate: rate(t.skips, t.skips + t.volume),
      flagRate: rate(t.flagged, t.volume),
      medianTimeMs: median(t.times),
      weekly,
      flags: qualityFlags(figures, goldThreshold),
    });
  }
  return profiles.sort((a, b) => (a.annotator < b.annotator ? -1 : a.annotator > b.annotator ? 1 : 0));
}
