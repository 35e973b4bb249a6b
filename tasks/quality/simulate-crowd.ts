/**
 * A synthetic crowd generator with known class priors and confusion matrices: a fixture for tests,
 * benchmarks and simulations of the consensus methods, not used in production.
 */
import type { Rng } from '../rng';
import type { LabelRow } from './label-rows';

export interface SimulatedCrowd {
  rows: LabelRow[];
  truth: Map<string, string>;
}

/**
 * A synthetic crowd with known parameters, for tests, benchmarks and simulations: item `item-i` has
 * a true class drawn from `priors`; `labelsPerItem` distinct annotators (all by default, else drawn
 * at random) label it, annotator `annotator-j` drawing the label from row `truth` of
 * `confusions[j]`. The same rng seed gives the same crowd.
 */
export function simulateCrowd(
  options: {
    classes: readonly string[];
    items: number;
    priors: readonly number[];
    confusions: readonly (readonly (readonly number[])[])[];
    labelsPerItem?: number;
  },
  rng: Rng,
): SimulatedCrowd {
  const { classes, confusions } = options;
  const J = confusions.length;
  const perItem = Math.min(J, options.labelsPerItem ?? J);
  const draw = (probabilities: readonly number[]): number => {
    let u = rng();
    for (let k = 0; k < probabilities.length - 1; k++) {
      u -= probabilities[k]!;
      if (u < 0) return k;
    }
    return probabilities.length - 1;
  };
  const order = Array.from({ length: J }, (_, j) => j);
  const rows: LabelRow[] = [];
  const truth = new Map<string, string>();
  for (let i = 0; i < options.items; i++) {
    const item = `item-${i}`;
    const k = draw(options.priors);
    truth.set(item, classes[k]!);
    // A partial Fisher-Yates shuffle: the first `perItem` entries are a uniform random subset.
    for (let s = 0; s < perItem; s++) {
      const t = s + Math.floor(rng() * (J - s));
      [order[s], order[t]] = [order[t]!, order[s]!];
      const j = order[s]!;
      rows.push({ item, annotator: `annotator-${j}`, label: classes[draw(confusions[j]![k]!)]! });
    }
  }
  return { rows, truth };
}
