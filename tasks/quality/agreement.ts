/**
 * Inter-annotator agreement: Cohen's kappa (plain and weighted), Fleiss' kappa, Krippendorff's
 * alpha, and percentile-bootstrap intervals for them. Pure functions over a units × coders matrix
 * (a unit is a pair or an item); `null`, `undefined` and numeric NaN all mean "this coder did not
 * rate this unit".
 *
 * Sized for a million judgments from a few hundred annotators: alpha and Fleiss work from per-unit
 * value counts (never coder × coder loops), and their bootstrap fast paths reuse those counts, so a
 * resample costs O(units) instead of rebuilding the statistic from the matrix.
 *
 * Cohen, J. (1960, 1968). Coefficient of agreement for nominal scales; Weighted kappa.
 * Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychol. Bull. 76(5).
 * Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School, UPenn.
 */
import type { Rng } from '../rng';

export type Level = 'nominal' | 'ordinal' | 'interval';
export type Value = string | number;
/** one unit (item/pair) with the values its coders gave; null/undefined = that coder did not rate it */
export type ReliabilityData = ReadonlyArray<ReadonlyArray<Value | null | undefined>>; // units × coders
type Cell = Value | null | undefined;

export interface CohenOptions {
  /** disagreement weights between category positions i, j of K: none (0/1), |i−j|/(K−1), ((i−j)/(K−1))² */
  weights?: 'none' | 'linear' | 'quadratic';
  /** the category scale in order; required for weighted kappa over strings */
  categories?: readonly Value[];
}
export interface FleissResult {
  kappa: number;
  /** P̄, mean per-unit agreement */
  observed: number;
  /** P̄e, chance agreement from the pooled category shares */
  expected: number;
  /** units with at least two ratings */
  units: number;
}
export interface AlphaResult {
  alpha: number;
  /** D_o, observed disagreement per pairable value */
  observed: number;
  /** D_e, disagreement expected by chance */
  expected: number;
  /** n: the number of pairable values (values in units with at least two values) */
  pairable: number;
  /** units with at least two values */
  units: number;
}
export interface Interval {
  estimate: number;
  low: number;
  high: number;
  level: number;
  /** replicates the interval was built from (requested resamples minus undefined ones) */
  resamples: number;
}
export interface BootstrapOptions {
  rng: Rng;
  /** default 1000 */
  resamples?: number;
  /** confidence level, default 0.95 */
  level?: number;
}

const isMissing = (v: Cell): v is null | undefined =>
  v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

/** Position of each value on an ordered scale: the caller's order, or ascending numbers. */
function rankIndex(values: Iterable<Value>, order: readonly Value[] | undefined, what: string) {
  const seen = [...values];
  if (order) {
    const index = new Map(order.map((v, i) => [v, i] as const));
    if (index.size !== order.length) throw new Error(`${what}: the order lists a value twice`);
    for (const v of seen)
      if (!index.has(v)) throw new Error(`${what}: ${String(v)} is not in the given order`);
    return index;
  }
  if (!seen.every((v) => typeof v === 'number'))
    throw new Error(`${what}: string values need an explicit order`);
  const sorted = (seen as number[]).sort((x, y) => x - y);
  return new Map<Value, number>(sorted.map((v, i) => [v, i]));
}

function disagreementWeight(weights: CohenOptions['weights'], i: number, j: number, k: number): number {
  if (i === j) return 0;
  if (weights === 'linear') return Math.abs(i - j) / (k - 1);
  if (weights === 'quadratic') return ((i - j) / (k - 1)) ** 2;
  return 1;
}

/**
 * Cohen's kappa between two coders, unweighted or weighted (Cohen 1968):
 * κ = 1 − Σ w·observed / Σ w·expected, with disagreement weights over category positions. Units
 * where either coder is missing are dropped. Weighted kappa needs ordered categories: numbers
 * sort ascending, or `categories` gives the scale (positions count, not numeric distances, as in
 * scikit-learn; give the full scale so unobserved categories still count as steps). Returns NaN
 * when kappa is undefined: no shared unit, or no disagreement expected by chance (both coders
 * used one and the same category). Throws on unequal lengths or a value outside `categories`.
 */
export function cohenKappa(
  a: ReadonlyArray<Cell>,
  b: ReadonlyArray<Cell>,
  options: CohenOptions = {},
): number {
  if (a.length !== b.length) throw new Error('cohenKappa: both coders must list the same units');
  const weights = options.weights ?? 'none';
  const xs: Value[] = [];
  const ys: Value[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (isMissing(x) || isMissing(y)) continue;
    xs.push(x);
    ys.push(y);
  }
  const n = xs.length;
  if (n === 0) return NaN;
  const seen = new Set([...xs, ...ys]);
  // Unweighted kappa ignores the order, so any indexing of the categories will do.
  const index =
    weights === 'none' && !options.categories
      ? new Map([...seen].map((v, i) => [v, i] as const))
      : rankIndex(seen, options.categories, 'cohenKappa');
  const k = index.size;
  const table = new Float64Array(k * k);
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  for (let u = 0; u < n; u++) {
    const i = index.get(xs[u]!)!;
    const j = index.get(ys[u]!)!;
    table[i * k + j]!++;
    rows[i]!++;
    cols[j]!++;
  }
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = disagreementWeight(weights, i, j, k);
      observed += w * table[i * k + j]!;
      expected += (w * rows[i]! * cols[j]!) / n;
    }
  }
  return expected === 0 ? NaN : 1 - observed / expected;
}

/**
 * Cohen's kappa for every pair of coders (column indices, i < j, in ascending order) that share at
 * least two rated units. Works in one pass over the units, bucketing the coders present in each,
 * so 200 coders cost Σ (coders per unit)² rather than 200² passes over the data. Weighted kappa
 * uses one scale for every pair (`categories`, or all numeric values in `data` ascending), so
 * kappas of different pairs are comparable.
 */
export function pairwiseCohen(
  data: ReliabilityData,
  options: CohenOptions = {},
): { coders: [number, number]; kappa: number; units: number }[] {
  const width = data.reduce((max, row) => Math.max(max, row.length), 0);
  const buckets = new Map<number, { a: Value[]; b: Value[] }>();
  const all = new Set<Value>();
  const present: number[] = [];
  for (const row of data) {
    present.length = 0;
    for (let c = 0; c < row.length; c++) if (!isMissing(row[c])) present.push(c);
    for (let x = 0; x < present.length; x++) {
      const va = row[present[x]!] as Value;
      all.add(va);
      for (let y = x + 1; y < present.length; y++) {
        const key = present[x]! * width + present[y]!;
        let bucket = buckets.get(key);
        if (!bucket) buckets.set(key, (bucket = { a: [], b: [] }));
        bucket.a.push(va);
        bucket.b.push(row[present[y]!] as Value);
      }
    }
  }
  const weighted = (options.weights ?? 'none') !== 'none';
  const categories =
    options.categories ?? (weighted ? [...rankIndex(all, undefined, 'pairwiseCohen').keys()] : undefined);
  return [...buckets]
    .filter(([, bucket]) => bucket.a.length >= 2)
    .sort(([p], [q]) => p - q)
    .map(([key, { a, b }]) => ({
      coders: [Math.floor(key / width), key % width] as [number, number],
      kappa: cohenKappa(a, b, { ...options, categories }),
      units: a.length,
    }));
}

/**
 * Per-unit value counts in flat arrays: unit u's distinct values are `cat[start[u]..start[u+1])`
 * (indices into `values`) with their `count`s. Units with fewer than two values get an empty range
 * but keep their slot, so bootstrap draws index exactly the units of the data.
 */
interface UnitCounts {
  values: Value[];
  start: Int32Array;
  cat: Int32Array;
  count: Float64Array;
}

function countUnits(data: ReliabilityData): UnitCounts {
  // One global value → index map plus a reused tally instead of a Map per unit: no allocation per unit.
  const index = new Map<Value, number>();
  const values: Value[] = [];
  const tally: number[] = [];
  const touched: number[] = [];
  const start = new Int32Array(data.length + 1);
  const cat: number[] = [];
  const count: number[] = [];
  for (let u = 0; u < data.length; u++) {
    const row = data[u]!;
    let m = 0;
    touched.length = 0;
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (isMissing(v)) continue;
      let i = index.get(v);
      if (i === undefined) {
        i = values.push(v) - 1;
        index.set(v, i);
        tally.push(0);
      }
      if (tally[i] === 0) touched.push(i);
      tally[i]!++;
      m++;
    }
    for (const i of touched) {
      if (m >= 2) {
        cat.push(i);
        count.push(tally[i]!);
      }
      tally[i] = 0;
    }
    start[u + 1] = cat.length;
  }
  return { values, start, cat: Int32Array.from(cat), count: Float64Array.from(count) };
}

interface FleissTable extends UnitCounts {
  /** P_i per unit (0 for units with fewer than two ratings, which are skipped) */
  agreement: Float64Array;
  size: Float64Array;
}

function fleissTable(data: ReliabilityData): FleissTable {
  const t = countUnits(data);
  const units = data.length;
  const agreement = new Float64Array(units);
  const size = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let m = 0;
    let sq = 0;
    for (let i = t.start[u]!; i < t.start[u + 1]!; i++) {
      m += t.count[i]!;
      sq += t.count[i]! ** 2;
    }
    size[u] = m;
    if (m >= 2) agreement[u] = (sq - m) / (m * (m - 1));
  }
  return { ...t, agreement, size };
}

/** Fleiss' kappa with unit multiplicities `w` (null: every unit once). */
function evaluateFleiss(t: FleissTable, w: Int32Array | null): FleissResult {
  const { start, cat, count, size, agreement: perUnit } = t; // locals keep the hot loop free of property loads
  const totals = new Float64Array(t.values.length);
  let units = 0;
  let agreement = 0;
  let ratings = 0;
  for (let u = 0; u < size.length; u++) {
    const wu = w === null ? 1 : w[u]!;
    if (wu === 0 || size[u]! < 2) continue;
    units += wu;
    agreement += wu * perUnit[u]!;
    ratings += wu * size[u]!;
    for (let i = start[u]!; i < start[u + 1]!; i++) totals[cat[i]!]! += wu * count[i]!;
  }
  const observed = units > 0 ? agreement / units : NaN;
  let expected = units > 0 ? 0 : NaN;
  for (const total of totals) expected += (total / ratings) ** 2;
  const kappa = units === 0 || expected === 1 ? NaN : (observed - expected) / (1 - expected);
  return { kappa, observed, expected, units };
}

/**
 * Fleiss' kappa (nominal), generalised to unequal numbers of raters per unit: each unit's agreement
 * P_i = (Σ_j n_ij² − n_i) / (n_i(n_i − 1)) uses its own n_i, P̄ is their unweighted mean, and the
 * category shares p_j pool all ratings (Σ_i n_ij / Σ_i n_i). Units with fewer than two ratings are
 * ignored. With the same number of raters everywhere this is exactly Fleiss (1971). Coder identity
 * is irrelevant; only the values per unit count. kappa is NaN when no unit has two ratings or every
 * rating falls in one category (P̄e = 1).
 */
export function fleissKappa(data: ReliabilityData): FleissResult {
  return evaluateFleiss(fleissTable(data), null);
}

interface AlphaTable extends UnitCounts {
  level: Level;
  /** interval: each value centred on the middle of its range (keeps Σx² − (Σx)² from cancelling) */
  score: Float64Array;
  /** ordinal: value indices from lowest to highest rank */
  byRank: Int32Array;
  /** per-unit Σ_ck o_ck δ²_ck for the metrics that do not depend on the marginals (nominal, interval) */
  fixed: Float64Array | null;
}

/** Σ_c Σ_k n_uc n_uk δ²_ck / (m_u − 1): the unit's contribution to the coincidence-weighted disagreement. */
function unitDisagreement(t: UnitCounts, u: number, score: Float64Array | null): number {
  const from = t.start[u]!;
  const to = t.start[u + 1]!;
  let m = 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    m += t.count[i]!;
    for (let j = from; j < i; j++) {
      const d = score ? score[t.cat[i]!]! - score[t.cat[j]!]! : 1;
      sum += t.count[i]! * t.count[j]! * d * d;
    }
  }
  return m < 2 ? 0 : (2 * sum) / (m - 1);
}

function alphaTable(data: ReliabilityData, level: Level, order: readonly Value[] | undefined): AlphaTable {
  const t = countUnits(data);
  const score = new Float64Array(t.values.length);
  let byRank = new Int32Array(0);
  if (level === 'interval') {
    if (!t.values.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw new Error('krippendorffAlpha: interval values must be finite numbers');
    const nums = t.values as number[];
    const centre =
      (nums.reduce((a, b) => Math.min(a, b), Infinity) + nums.reduce((a, b) => Math.max(a, b), -Infinity)) /
      2;
    nums.forEach((v, i) => (score[i] = v - centre));
  } else if (level === 'ordinal') {
    const rank = rankIndex(t.values, order, 'krippendorffAlpha');
    const positions = t.values.map((v) => rank.get(v)!);
    byRank = Int32Array.from(t.values.keys()).sort((x, y) => positions[x]! - positions[y]!);
  }
  const units = data.length;
  let fixed: Float64Array | null = null;
  if (level !== 'ordinal') {
    fixed = new Float64Array(units);
    for (let u = 0; u < units; u++) fixed[u] = unitDisagreement(t, u, level === 'interval' ? score : null);
  }
  return { ...t, level, score, byRank, fixed };
}

/** Krippendorff's alpha with unit multiplicities `w` (null: every unit once). */
function evaluateAlpha(t: AlphaTable, w: Int32Array | null): AlphaResult {
  const { start, cat, count, fixed } = t; // locals keep the hot loops free of property loads
  const marginals = new Float64Array(t.values.length);
  let pairableUnits = 0;
  let observedSum = 0; // Σ_c Σ_k o_ck δ²_ck, here when δ does not depend on the marginals
  for (let u = 0; u < start.length - 1; u++) {
    const wu = w === null ? 1 : w[u]!;
    if (wu === 0 || start[u] === start[u + 1]) continue;
    pairableUnits += wu;
    if (fixed !== null) observedSum += wu * fixed[u]!;
    for (let i = start[u]!; i < start[u + 1]!; i++) marginals[cat[i]!]! += wu * count[i]!;
  }
  let n = 0;
  for (const x of marginals) n += x;
  let score = t.score;
  if (fixed === null) {
    // Ordinal: δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)² equals (r_k − r_c)² with midranks
    // r_c = Σ_{g<c} n_g + n_c/2, so it is interval alpha on the midranks of this sample's marginals.
    score = new Float64Array(t.values.length);
    let below = 0;
    for (const c of t.byRank) {
      score[c] = below + marginals[c]! / 2 - n / 2; // centred on n/2, the mean midrank
      below += marginals[c]!;
    }
    for (let u = 0; u < start.length - 1; u++) {
      const wu = w === null ? 1 : w[u]!;
      if (wu !== 0 && start[u] !== start[u + 1]) observedSum += wu * unitDisagreement(t, u, score);
    }
  }
  let expectedSum: number; // Σ_c Σ_k n_c n_k δ²_ck
  if (t.level === 'nominal') {
    let sq = 0;
    for (const x of marginals) sq += x * x;
    expectedSum = n * n - sq;
  } else {
    let s1 = 0;
    let s2 = 0;
    marginals.forEach((x, c) => {
      s1 += x * score[c]!;
      s2 += x * score[c]! ** 2;
    });
    expectedSum = 2 * (n * s2 - s1 * s1);
  }
  const observed = n > 0 ? observedSum / n : NaN;
  const expected = n > 1 ? expectedSum / (n * (n - 1)) : NaN;
  const alpha = n > 1 && expectedSum > 0 ? 1 - observed / expected : NaN;
  return { alpha, observed, expected, pairable: n, units: pairableUnits };
}

/**
 * Krippendorff's alpha, α = 1 − D_o/D_e, from the coincidence matrix of Krippendorff (2011): a unit
 * with m_u values adds n_uc·n_uk/(m_u − 1) to o_ck, so missing data need no special handling and
 * units with fewer than two values are not pairable. Metrics: nominal δ = [c ≠ k]; ordinal
 * δ²_ck = (Σ_{g=c}^{k} n_g − (n_c + n_k)/2)² over the marginal frequencies n_g, with the order
 * from `options.order` or ascending numbers (strings without an order throw); interval
 * δ² = (c − k)² over numbers (anything else throws). alpha is 1 when coders never disagree and
 * values vary; NaN when it is undefined: fewer than two pairable values, or no variation at all
 * (D_e = 0, e.g. every value is the same).
 */
export function krippendorffAlpha(
  data: ReliabilityData,
  level: Level,
  options: { order?: readonly Value[] } = {},
): AlphaResult {
  return evaluateAlpha(alphaTable(data, level, options.order), null);
}

function checkBootstrap(options: BootstrapOptions) {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new Error('bootstrap: resamples must be a positive integer');
  if (!(level > 0 && level < 1)) throw new Error('bootstrap: level must lie strictly between 0 and 1');
  return { resamples, level };
}

/** Draws `units` unit indices with replacement as multiplicities: the same rng sequence as the generic path. */
function drawCounts(w: Int32Array, rng: Rng) {
  w.fill(0);
  for (let i = 0; i < w.length; i++) {
    const u = Math.floor(rng() * w.length);
    w[u] = w[u]! + 1;
  }
}

/** Percentile interval (quantiles interpolated linearly between order statistics); NaN replicates dropped. */
function percentile(estimate: number, replicates: number[], level: number): Interval {
  const kept = replicates.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  const quantile = (p: number) => {
    if (kept.length === 0) return NaN;
    const h = (kept.length - 1) * p;
    const lo = Math.floor(h);
    const below = kept[lo]!;
    return below + (h - lo) * (kept[Math.min(lo + 1, kept.length - 1)]! - below);
  };
  return {
    estimate,
    low: quantile((1 - level) / 2),
    high: quantile((1 + level) / 2),
    level,
    resamples: kept.length,
  };
}

function bootstrapCounts(units: number, evaluate: (w: Int32Array) => number, options: BootstrapOptions) {
  const { resamples, level } = checkBootstrap(options);
  const w = new Int32Array(units);
  const replicates: number[] = [];
  for (let r = 0; r < resamples; r++) {
    drawCounts(w, options.rng);
    replicates.push(evaluate(w));
  }
  return { replicates, level };
}

/**
 * Percentile bootstrap of any statistic: each replicate resamples the units (rows) with
 * replacement and recomputes `statistic`; replicates that come out NaN (or infinite) are dropped
 * (`resamples` reports how many remain; low/high are NaN if none do). estimate = statistic(data).
 * Reproducible for a given rng seed. Each replicate rebuilds the statistic from scratch, so for alpha or Fleiss
 * on large data use bootstrapKrippendorff / bootstrapFleiss, which draw the same units.
 */
export function bootstrapInterval(
  data: ReliabilityData,
  statistic: (d: ReliabilityData) => number,
  options: BootstrapOptions,
): Interval {
  const { resamples, level } = checkBootstrap(options);
  const units = data.length;
  const replicates: number[] = [];
  for (let r = 0; r < resamples; r++) {
    // a fresh array per replicate, in case `statistic` keeps hold of what it was given
    const sample: ReadonlyArray<Cell>[] = new Array(units);
    for (let i = 0; i < units; i++) sample[i] = data[Math.floor(options.rng() * units)]!;
    replicates.push(statistic(sample));
  }
  return percentile(statistic(data), replicates, level);
}

/**
 * bootstrapInterval for krippendorffAlpha(data, level, { order }).alpha, in O(units) per replicate:
 * per-unit counts and disagreements are computed once and each replicate sums them with the drawn
 * multiplicities (ordinal recomputes its midranks from the replicate's marginals). Draws the same
 * units as bootstrapInterval for the same rng state, so both give the same interval up to rounding.
 */
export function bootstrapKrippendorff(
  data: ReliabilityData,
  level: Level,
  options: BootstrapOptions & { order?: readonly Value[] },
): Interval {
  const table = alphaTable(data, level, options.order);
  const { replicates, level: confidence } = bootstrapCounts(
    data.length,
    (w) => evaluateAlpha(table, w).alpha,
    options,
  );
  return percentile(evaluateAlpha(table, null).alpha, replicates, confidence);
}

/** bootstrapInterval for fleissKappa(data).kappa in O(units) per replicate; same draws as bootstrapInterval. */
export function bootstrapFleiss(data: ReliabilityData, options: BootstrapOptions): Interval {
  const table = fleissTable(data);
  const { replicates, level } = bootstrapCounts(data.length, (w) => evaluateFleiss(table, w).kappa, options);
  return percentile(evaluateFleiss(table, null).kappa, replicates, level);
}

/**
 * Long format (one row per judgment) → units × coders matrix. Units and coders appear in order of
 * first occurrence; every row of `data` has one cell per coder, null where that coder gave nothing.
 * When a coder rated a unit more than once, the last row wins (even if its value is null).
 */
export function toReliabilityData<T>(
  rows: readonly T[],
  unitOf: (r: T) => string,
  coderOf: (r: T) => string,
  valueOf: (r: T) => Value | null,
): { data: (Value | null)[][]; units: string[]; coders: string[] } {
  const unitIndex = new Map<string, number>();
  const coderIndex = new Map<string, number>();
  // Parallel arrays rather than a tuple per judgment: a million of them is the expected size.
  const unitAt = new Int32Array(rows.length);
  const coderAt = new Int32Array(rows.length);
  const valueAt: (Value | null)[] = new Array(rows.length);
  rows.forEach((row, r) => {
    const unit = unitOf(row);
    const coder = coderOf(row);
    if (!unitIndex.has(unit)) unitIndex.set(unit, unitIndex.size);
    if (!coderIndex.has(coder)) coderIndex.set(coder, coderIndex.size);
    unitAt[r] = unitIndex.get(unit)!;
    coderAt[r] = coderIndex.get(coder)!;
    valueAt[r] = valueOf(row);
  });
  const data = Array.from({ length: unitIndex.size }, () =>
    new Array<Value | null>(coderIndex.size).fill(null),
  );
  for (let r = 0; r < rows.length; r++) data[unitAt[r]!]![coderAt[r]!] = valueAt[r] ?? null;
  return { data, units: [...unitIndex.keys()], coders: [...coderIndex.keys()] };
}
