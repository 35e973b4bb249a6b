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

const RELATIVE_TOLERANCE = Math.log1p(1e-7);
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln(k!) by the Lanczos approximation (g = 7): ~15 significant digits for every k ≥ 0. */
function logFactorial(k: number): number {
  // Lanczos gives Γ(x + 1); k! = Γ(k + 1), so x = k.
  let a = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (k + i);
  const t = k + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (k + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Exact two-sided binomial test: the probability, under Binomial(n, p), of an outcome no more
 * likely than `successes` (the "sum of probabilities ≤ observed" rule, as R's binom.test and
 * SciPy's binomtest, with the same 1e-7 relative slack so the mirror-image tail counts despite
 * rounding). Works in log space, so n in the hundreds of thousands neither overflows nor loses
 * the tails; a p-value below ~1e-308 comes back as 0. O(n). Throws a RangeError on counts that
 * are not integers with 0 ≤ successes ≤ n, or p outside [0, 1]; n = 0 gives 1.
 */
export function binomialTwoSidedPValue(successes: number, n: number, p = 0.5): number {
  if (!Number.isInteger(n) || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`binomial test needs integers 0 ≤ successes ≤ n, got ${successes} of ${n}`);
  }
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial test needs 0 ≤ p ≤ 1, got ${p}`);
  if (p === 0) return successes === 0 ? 1 : 0;
  if (p === 1) return successes === n ? 1 : 0;
  const lnP = Math.log(p);
  const lnQ = Math.log1p(-p);
  const lnNFact = logFactorial(n);
  const logPmf = (k: number) => lnNFact - logFactorial(k) - logFactorial(n - k) + k * lnP + (n - k) * lnQ;
  const observed = logPmf(successes);
  // Sum relative to the observed term, so the sum is ≥ 1 and never underflows on its own.
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    const l = logPmf(k);
    if (l <= observed + RELATIVE_TOLERANCE) sum += Math.exp(l - observed);
  }
  return Math.min(1, Math.exp(observed + Math.log(sum)));
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

/** Stable counting sort of `indices` by `keys[index]`, keys in 0..k-1. */
function countingSort(indices: Int32Array, keys: Int32Array, k: number): Int32Array {
  const starts = new Int32Array(k + 1);
  for (const i of indices) starts[keys[i]! + 1]!++;
  for (let key = 0; key < k; key++) starts[key + 1]! += starts[key]!;
  const out = new Int32Array(indices.length);
  for (const i of indices) out[starts[keys[i]!]!++] = i;
  return out;
}

function intern(ids: Map<string, number>, value: string): number {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = ids.size));
  return id;
}

/**
 * For every row, the majority answer of the OTHER annotators on its item: the most frequent of
 * their answers, strictly more frequent than any other. null when they are level, have no
 * answers, or the row is gold or a repeat (those are checked against a key or against the
 * annotator, not against the crowd, and would double-count an item). If an annotator answered
 * an item more than once, all of their answers are left out of "the others".
 */
function othersMajority(rows: readonly JudgmentRow[]): (string | null)[] {
  const out = new Array<string | null>(rows.length).fill(null);
  const annotatorIds = new Map<string, number>();
  const itemIds = new Map<string, number>();
  const answerIds = new Map<string, number>();
  const source = new Int32Array(rows.length);
  const annotator = new Int32Array(rows.length);
  const item = new Int32Array(rows.length);
  const answer = new Int32Array(rows.length);
  let m = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.isGold || row.isRepeat) continue;
    source[m] = i;
    annotator[m] = intern(annotatorIds, row.annotator);
    item[m] = intern(itemIds, row.item);
    answer[m] = intern(answerIds, row.answer);
    m++;
  }
  const answers = [...answerIds.keys()];
  // Grouped by item, and by annotator within an item, so each annotator's own answers are
  // contiguous; then gathered into sorted copies so the scan below reads memory in order.
  const all = new Int32Array(m);
  for (let i = 0; i < m; i++) all[i] = i;
  const order = countingSort(countingSort(all, annotator, annotatorIds.size), item, itemIds.size);
  const sItem = new Int32Array(m);
  const sAnnotator = new Int32Array(m);
  const sAnswer = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const o = order[r]!;
    sItem[r] = item[o]!;
    sAnnotator[r] = annotator[o]!;
    sAnswer[r] = answer[o]!;
  }

  const count = new Int32Array(answers.length);
  const own = new Int32Array(answers.length);
  // distinct answers of the item by count, descending (usually 1–3 of them: insertion sort)
  const seen = new Int32Array(answers.length);
  const byCountDesc = (x: number, y: number) => count[y]! - count[x]!;
  const ownSeen = new Int32Array(answers.length);
  for (let s = 0; s < m;) {
    const it = sItem[s]!;
    let e = s;
    let nSeen = 0;
    for (; e < m && sItem[e] === it; e++) {
      const a = sAnswer[e]!;
      if (count[a]!++ === 0) seen[nSeen++] = a;
    }
    if (nSeen > 16) seen.subarray(0, nSeen).sort(byCountDesc);
    else {
      for (let j = 1; j < nSeen; j++) {
        const a = seen[j]!;
        let k = j;
        for (; k > 0 && count[seen[k - 1]!]! < count[a]!; k--) seen[k] = seen[k - 1]!;
        seen[k] = a;
      }
    }
    for (let p = s; p < e;) {
      const who = sAnnotator[p]!;
      let q = p;
      let nOwn = 0;
      for (; q < e && sAnnotator[q] === who; q++) {
        const a = sAnswer[q]!;
        if (own[a]!++ === 0) ownSeen[nOwn++] = a;
      }
      // The others' counts differ from the item's only on this annotator's own answers, so the
      // leader is among those or the first two other answers in count order: O(own answers)
      // per annotator, whatever the number of distinct answers.
      let best = -1;
      let bestN = 0;
      let secondN = 0;
      for (let j = 0, taken = 0; j < nOwn + nSeen && taken < 2; j++) {
        const isOwn = j < nOwn;
        const a = isOwn ? ownSeen[j]! : seen[j - nOwn]!;
        if (!isOwn && own[a]! > 0) continue;
        const c = isOwn ? count[a]! - own[a]! : count[a]!;
        if (!isOwn) taken++;
        if (c > bestN) {
          secondN = bestN;
          bestN = c;
          best = a;
        } else if (c > secondN) secondN = c;
      }
      const majority = bestN > secondN ? answers[best]! : null;
      for (let r = p; r < q; r++) out[source[order[r]!]!] = majority;
      for (let j = 0; j < nOwn; j++) own[ownSeen[j]!] = 0;
      p = q;
    }
    for (let j = 0; j < nSeen; j++) count[seen[j]!] = 0;
    s = e;
  }
  return out;
}

interface Tally {
  hits: number;
  n: number;
}
interface LengthTally {
  n: number;
  longer: number;
  consensusLonger: number;
}
const tally = (): Tally => ({ hits: 0, n: 0 });
const lengthTally = (): LengthTally => ({ n: 0, longer: 0, consensusLonger: 0 });
const rate = (hits: number, n: number) => (n > 0 ? hits / n : null);

// Row rules, one place each, shared by the single-figure functions and the profile.

function countAgreement(t: Tally, row: JudgmentRow, majority: string | null): void {
  if (majority === null) return;
  t.n++;
  if (row.answer === majority) t.hits++;
}

/** hits = chose the response on the left; only non-tie pair judgments with a known display order */
function countLeft(t: Tally, row: JudgmentRow): void {
  if (typeof row.leftIsA !== 'boolean' || (row.answer !== 'a' && row.answer !== 'b')) return;
  t.n++;
  if ((row.answer === 'a') === row.leftIsA) t.hits++;
}

function countLength(t: LengthTally, row: JudgmentRow, majority: string | null): void {
  const { lengthA, lengthB, answer } = row;
  if (typeof lengthA !== 'number' || typeof lengthB !== 'number' || lengthA === lengthB) return;
  if ((answer !== 'a' && answer !== 'b') || (majority !== 'a' && majority !== 'b')) return;
  const longer = lengthA > lengthB ? 'a' : 'b';
  t.n++;
  if (answer === longer) t.longer++;
  if (majority === longer) t.consensusLonger++;
}

const isPair = (row: JudgmentRow) => typeof row.leftIsA === 'boolean' || typeof row.score === 'number';

function agreementOf(t: Tally): Agreement {
  return { agreed: t.hits, n: t.n, rate: rate(t.hits, t.n) };
}

function positionOf(t: Tally): PositionBias {
  return {
    left: t.hits,
    n: t.n,
    leftRate: rate(t.hits, t.n),
    pValue: t.n > 0 ? binomialTwoSidedPValue(t.hits, t.n) : null,
  };
}

function lengthOf(t: LengthTally): LengthBias {
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
