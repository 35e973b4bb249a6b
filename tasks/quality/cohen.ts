/**
 * Cohen's kappa between two coders, plain and weighted, and for every pair of coders in a
 * units × coders matrix.
 *
 * Cohen, J. (1960, 1968). Coefficient of agreement for nominal scales; Weighted kappa.
 */
import { isMissing, rankIndex, type Cell, type ReliabilityData, type Value } from './reliability-data';

export interface CohenOptions {
  /** disagreement weights between category positions i, j of K: none (0/1), |i−j|/(K−1), ((i−j)/(K−1))² */
  weights?: 'none' | 'linear' | 'quadratic';
  /** the category scale in order; required for weighted kappa over strings */
  categories?: readonly Value[];
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
