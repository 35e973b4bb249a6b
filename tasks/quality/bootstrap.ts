/**
 * Percentile-bootstrap intervals over units (rows) of a units × coders matrix: the generic path that
 * recomputes any statistic per replicate, and the pieces the O(units) fast paths of agreement.ts
 * share with it (the same draws, the same interval).
 */
import type { Rng } from '../rng';
import type { Cell, ReliabilityData } from './reliability-data';

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

/**
 * Percentile interval (quantiles interpolated linearly between order statistics) around `estimate`;
 * NaN and infinite replicates are dropped, `resamples` counts the rest, and low/high are NaN if
 * none remain.
 */
export function percentile(estimate: number, replicates: number[], level: number): Interval {
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

/**
 * Validates the options, then evaluates `resamples` replicates, each given the multiplicities of
 * `units` unit indices drawn with replacement: the same rng sequence as bootstrapInterval, so a fast
 * path built on this draws the same units for the same rng state.
 */
export function bootstrapCounts(
  units: number,
  evaluate: (w: Int32Array) => number,
  options: BootstrapOptions,
) {
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
