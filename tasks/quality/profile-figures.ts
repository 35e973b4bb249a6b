/**
 * The single figures of an annotator's quality profile that compare them with the others or with
 * chance: leave-one-out agreement, position bias and length bias, plus the row rules and tallies
 * that profile.ts reuses so each figure is counted one way only. `null` means "not enough data for
 * this figure" (its denominator is empty), never NaN.
 */
import { binomialTwoSidedPValue } from './binomial';
import { othersMajority } from './others-majority';

export interface JudgmentRow {
  annotator: string;
  /** pair id or sentiment item id */
  item: string;
  /** the answer as a category: for pairs the direction 'a' | 'b' | 'tie' of the helpfulness score (canonical order); for sentiment the label */
  answer: string;
  /** pairs only: graded score -3..3 in canonical order (negative = A better) */
  score?: number;
  /** pairs only: did the annotator see response A on the left? */
  leftIsA?: boolean;
  /** pairs only: lengths (characters) of response A and B */
  lengthA?: number;
  lengthB?: number;
  flagged?: boolean;
  timeMs?: number | null;
  /** when submitted */
  at: Date;
  isGold?: boolean;
  /** gold: whether within tolerance (computed upstream); null = not scored */
  goldCorrect?: boolean | null;
  isRepeat?: boolean;
  /** repeat: same direction as their earlier judgment after un-swapping (upstream); null = not scored */
  repeatConsistent?: boolean | null;
}

export interface Agreement {
  agreed: number;
  n: number;
  /** agreed / n; null when n is 0 */
  rate: number | null;
}

export interface GoldAccuracy {
  correct: number;
  n: number;
  /** correct / n and its 95% Wilson interval; all null when n is 0 */
  accuracy: number | null;
  low: number | null;
  high: number | null;
}

export interface PositionBias {
  /** non-tie pair judgments where the chosen response was the one shown on the left */
  left: number;
  n: number;
  /** left / n; null when n is 0 */
  leftRate: number | null;
  /** exact two-sided binomial test against 0.5; null when n is 0 */
  pValue: number | null;
}

export interface LengthBias {
  /** pairs counted: see lengthBias() */
  n: number;
  /** of those, how often the annotator chose the longer response, and how often the others' consensus did */
  longer: number;
  consensusLonger: number;
  /** rates over n and their difference (annotator − consensus); null when n is 0 */
  rate: number | null;
  consensusRate: number | null;
  excess: number | null;
}

export interface Consistency {
  /** scored repeats answered in the same direction as the earlier judgment */
  consistent: number;
  n: number;
  /** consistent / n and (n − consistent) / n; null when n is 0 */
  rate: number | null;
  flipRate: number | null;
}

/** hits out of n, counted by the row rules below */
export interface Tally {
  hits: number;
  n: number;
}
/** length-bias pairs counted (n), and how often the annotator and the others' majority chose the longer one */
export interface LengthTally {
  n: number;
  longer: number;
  consensusLonger: number;
}
/** A fresh tally at zero. */
export const tally = (): Tally => ({ hits: 0, n: 0 });
/** A fresh length tally at zero. */
export const lengthTally = (): LengthTally => ({ n: 0, longer: 0, consensusLonger: 0 });
/** hits / n, or null when n is 0 (never NaN). */
export const rate = (hits: number, n: number) => (n > 0 ? hits / n : null);

// Row rules, one place each, shared by the single-figure functions and the profile.

/** Scores `row` against the others' majority on its item: nothing when there is none, else n + 1 and a hit if it matches. */
export function countAgreement(t: Tally, row: JudgmentRow, majority: string | null): void {
  if (majority === null) return;
  t.n++;
  if (row.answer === majority) t.hits++;
}

/** hits = chose the response on the left; only non-tie pair judgments with a known display order */
export function countLeft(t: Tally, row: JudgmentRow): void {
  if (typeof row.leftIsA !== 'boolean' || (row.answer !== 'a' && row.answer !== 'b')) return;
  t.n++;
  if ((row.answer === 'a') === row.leftIsA) t.hits++;
}

/** Counts `row` for length bias when it qualifies (the rule lengthBias documents). */
export function countLength(t: LengthTally, row: JudgmentRow, majority: string | null): void {
  const { lengthA, lengthB, answer } = row;
  if (typeof lengthA !== 'number' || typeof lengthB !== 'number' || lengthA === lengthB) return;
  if ((answer !== 'a' && answer !== 'b') || (majority !== 'a' && majority !== 'b')) return;
  const longer = lengthA > lengthB ? 'a' : 'b';
  t.n++;
  if (answer === longer) t.longer++;
  if (majority === longer) t.consensusLonger++;
}

/** True for pair judgments: they carry a display order or a graded score. */
export const isPair = (row: JudgmentRow) => typeof row.leftIsA === 'boolean' || typeof row.score === 'number';

/** The agreement figure of a tally; rate null when n is 0. */
export function agreementOf(t: Tally): Agreement {
  return { agreed: t.hits, n: t.n, rate: rate(t.hits, t.n) };
}

/** The position-bias figure of a tally (hits = chose the left response), with its exact binomial p-value against 0.5. */
export function positionOf(t: Tally): PositionBias {
  return {
    left: t.hits,
    n: t.n,
    leftRate: rate(t.hits, t.n),
    pValue: t.n > 0 ? binomialTwoSidedPValue(t.hits, t.n) : null,
  };
}

/** The length-bias figure of a tally; rates and excess null when n is 0. */
export function lengthOf(t: LengthTally): LengthBias {
  const r = rate(t.longer, t.n);
  const c = rate(t.consensusLonger, t.n);
  return { ...t, rate: r, consensusRate: c, excess: r === null || c === null ? null : r - c };
}

function tallyPer<T>(
  rows: readonly JudgmentRow[],
  make: () => T,
  count: (t: T, row: JudgmentRow, i: number) => void,
) {
  const out = new Map<string, T>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let t = out.get(row.annotator);
    if (t === undefined) out.set(row.annotator, (t = make()));
    count(t, row, i);
  }
  return out;
}

const mapValues = <T, U>(m: Map<string, T>, f: (t: T) => U) => new Map([...m].map(([k, v]) => [k, f(v)]));

/**
 * Leave-one-out agreement per annotator: of their non-gold, non-repeat answers, the share equal
 * to the majority of the OTHER annotators' answers on the same item (the most frequent answer,
 * strictly ahead of any other). Items where the others have no majority (level, or no other
 * answers) are left out; `n` is how many answers were scored. Every annotator in `rows` gets an
 * entry, with rate null when nothing could be scored.
 */
export function leaveOneOutAgreement(rows: readonly JudgmentRow[]): Map<string, Agreement> {
  const majority = othersMajority(rows);
  return mapValues(
    tallyPer(rows, tally, (t, row, i) => countAgreement(t, row, majority[i] ?? null)),
    agreementOf,
  );
}

/**
 * Position bias per annotator, over non-tie pair judgments whose display order is known (gold
 * and repeats included: each is a fresh look at a left/right layout): how often the chosen
 * response was the one on the left (chose A with A on the left, or B with B on the left), and
 * the exact two-sided binomial p-value of that count against 0.5.
 */
export function positionBias(rows: readonly JudgmentRow[]): Map<string, PositionBias> {
  return mapValues(tallyPer(rows, tally, countLeft), positionOf);
}

/**
 * Length bias per annotator. Counted pairs: the annotator's non-gold, non-repeat pair judgments
 * where the two responses differ in length, the annotator chose a side (not a tie), and the
 * OTHER annotators' majority (as in leaveOneOutAgreement) chose a side. Over those n pairs,
 * `rate` is the share where the annotator chose the longer response, `consensusRate` the share
 * where the others' majority did, and `excess` = rate − consensusRate: positive for someone who
 * favours length beyond what the others saw in the same pairs. The annotator's ties are left
 * out so a frequent tie-giver is not read as length-averse; tieRate reports them.
 */
export function lengthBias(rows: readonly JudgmentRow[]): Map<string, LengthBias> {
  const majority = othersMajority(rows);
  return mapValues(
    tallyPer(rows, lengthTally, (t, row, i) => countLength(t, row, majority[i] ?? null)),
    lengthOf,
  );
}
