/**
 * From per-seed learning curves to what a lead or a reviewer reads: the median curve with its seed
 * spread per strategy, and `savings_vs_random` — the share of the budget a strategy saves in
 * reaching the accuracy random reaches with the whole budget. Medians over seeds, because a single
 * curve on a few hundred held-out units jumps by a point or two from batch to batch.
 */
import type { CurvePoint } from './simulate';

export interface SeedCurve {
  seed: number;
  curve: CurvePoint[];
  seconds: number;
}

export interface SummaryPoint {
  labels: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  /** standard deviation over seeds */
  spread: number;
}

export interface StrategySummary {
  curve: SummaryPoint[];
  final_accuracy: number;
  /** labels at which the median curve first reaches random's median full-budget accuracy (interpolated) */
  labels_to_random_final: number | null;
  /** 1 − labels_to_random_final / budget; null when the strategy never gets there */
  savings_vs_random: number | null;
  /** savings computed on each seed's own curves (random of the same seed as the reference) */
  savings_per_seed: (number | null)[];
  /** the largest shortfall of the median against random's median at any point (≤ 0 means never behind) */
  worst_gap_vs_random: number;
  /** at every point, median ≥ random's median − this strategy's seed spread there */
  never_worse_than_random: boolean;
  seconds_per_run: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Per labels count, the median, mean, range and spread over seeds (points all seeds reached). */
export function summarizeCurves(runs: readonly SeedCurve[]): SummaryPoint[] {
  if (runs.length === 0) return [];
  const length = Math.min(...runs.map((r) => r.curve.length));
  return Array.from({ length }, (_, p) => {
    const values = runs.map((r) => r.curve[p]!.accuracy);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
    return {
      labels: runs[0]!.curve[p]!.labels,
      median: median(values),
      mean,
      min: Math.min(...values),
      max: Math.max(...values),
      spread: Math.sqrt(variance),
    };
  });
}

/** Labels at which `curve` first reaches `target`, linearly interpolated; null if it never does. */
export function labelsToReach(
  curve: readonly { labels: number; value: number }[],
  target: number,
): number | null {
  for (let p = 0; p < curve.length; p++) {
    if (curve[p]!.value >= target) {
      if (p === 0) return curve[0]!.labels;
      const a = curve[p - 1]!;
      const b = curve[p]!;
      return a.labels + ((target - a.value) / (b.value - a.value)) * (b.labels - a.labels);
    }
  }
  return null;
}

const savingsOf = (needed: number | null, budget: number) => (needed === null ? null : 1 - needed / budget);

/** Summaries per strategy; `random` must be among them (it is the reference). */
export function summarizeStrategies(
  runs: Record<string, readonly SeedCurve[]>,
  budget: number,
): Record<string, StrategySummary> {
  const random = runs.random;
  if (!random) throw new Error('savings are measured against random: include it among the strategies');
  const reference = summarizeCurves(random);
  const target = reference.at(-1)?.median ?? 0;
  const out: Record<string, StrategySummary> = {};
  for (const [name, seedRuns] of Object.entries(runs)) {
    const curve = summarizeCurves(seedRuns);
    const needed = labelsToReach(
      curve.map((p) => ({ labels: p.labels, value: p.median })),
      target,
    );
    let worst = -Infinity;
    let never = true;
    curve.forEach((p, i) => {
      const r = reference[i];
      if (!r) return;
      worst = Math.max(worst, r.median - p.median);
      if (p.median < r.median - p.spread - 1e-12) never = false;
    });
    const perSeed = seedRuns.map((run) => {
      const ref = random.find((r) => r.seed === run.seed);
      const final = ref?.curve.at(-1)?.accuracy;
      if (final === undefined) return null;
      return savingsOf(
        labelsToReach(
          run.curve.map((p) => ({ labels: p.labels, value: p.accuracy })),
          final,
        ),
        budget,
      );
    });
    out[name] = {
      curve,
      final_accuracy: curve.at(-1)?.median ?? 0,
      labels_to_random_final: needed,
      savings_vs_random: savingsOf(needed, budget),
      savings_per_seed: perSeed,
      worst_gap_vs_random: worst === -Infinity ? 0 : worst,
      never_worse_than_random: never,
      seconds_per_run: seedRuns.reduce((a, r) => a + r.seconds, 0) / Math.max(1, seedRuns.length),
    };
  }
  return out;
}
