/**
 * Active-learning simulation: a labelled file plays the annotator (optionally wrong a share of the
 * time), a selection policy picks each batch, the real model retrains after every batch and is
 * scored on held-out data. The learner hides whether the units are pairs or texts, so the same
 * loop measures the reward model and the sentiment classifier.
 */
import { seededDraw } from '../selection';
import type { CandidateSet } from './candidates';
import {
  HYBRID_SIGNALS,
  POLICY_NAMES,
  PolicySettingsSchema,
  rankCandidates,
  type HybridSignal,
  type PolicyName,
  type PolicySettings,
} from './policies';
import { UserInputError } from '../errors';

export interface LabelledUnit {
  index: number;
  /** answers so far per outcome */
  votes: Float64Array;
}

export interface FittedModel {
  /** pool predictions, row-major [unit][outcome] */
  probabilities: Float64Array;
  /** per-member pool predictions, row-major [unit][member][outcome], or null */
  members: Float64Array | null;
  memberCount: number;
  /** accuracy on the held-out units */
  accuracy: number;
}

export interface Learner {
  ids: readonly string[];
  outcomes: number;
  testSize: number;
  /** the file's answer for pool unit i */
  truth(i: number): number;
  embedding: ((units: readonly number[]) => Float32Array) | null;
  embeddingDims: number;
  fit(labelled: readonly LabelledUnit[], seed: number): FittedModel;
}

export interface Strategy {
  name: string;
  settings: PolicySettings;
}

/**
 * A strategy by name: a policy (`hybrid`, `uncertainty`, …) or an ablation of hybrid without one
 * signal (`hybrid-without-diversity`).
 */
export function parseStrategy(name: string, seed = 1): Strategy {
  const ablation = /^hybrid-without-(.+)$/.exec(name);
  if (ablation) {
    const signal = ablation[1] as HybridSignal;
    if (!HYBRID_SIGNALS.includes(signal))
      throw new UserInputError(
        `--strategies: "${name}": hybrid has no signal "${ablation[1]}"; signals: ${HYBRID_SIGNALS.join(', ')}`,
      );
    return { name, settings: PolicySettingsSchema.parse({ policy: 'hybrid', seed, without: [signal] }) };
  }
  if (!POLICY_NAMES.includes(name as PolicyName))
    throw new UserInputError(
      `--strategies: no strategy "${name}"; known: ${POLICY_NAMES.join(', ')}, or hybrid-without-<${HYBRID_SIGNALS.join('|')}>`,
    );
  return { name, settings: PolicySettingsSchema.parse({ policy: name, seed }) };
}

export interface SimulationOptions {
  budget: number;
  batch: number;
  seed: number;
  /** share of answers the simulated annotator gets wrong (a uniformly drawn other outcome) */
  noise: number;
  /** answers per unit before disagreement-aware policies adapt it */
  redundancy: number;
}

export interface CurvePoint {
  labels: number;
  accuracy: number;
  /** distinct units with at least one answer */
  units: number;
}

/** The simulated annotator's answer for unit i on its `attempt`-th ask. */
function simulatedAnswer(learner: Learner, i: number, attempt: number, options: SimulationOptions): number {
  const truth = learner.truth(i);
  const id = learner.ids[i]!;
  if (options.noise <= 0 || seededDraw(`${options.seed}:noise:${attempt}`, id) >= options.noise) return truth;
  const other = Math.floor(seededDraw(`${options.seed}:wrong:${attempt}`, id) * (learner.outcomes - 1));
  return other >= truth ? other + 1 : other;
}

/** One strategy, one seed: the learning curve after every batch. */
export function simulateRun(
  learner: Learner,
  strategy: Strategy,
  options: SimulationOptions,
  onBatch?: (point: CurvePoint) => void,
): CurvePoint[] {
  const n = learner.ids.length;
  const k = learner.outcomes;
  const set: CandidateSet = {
    ids: learner.ids,
    outcomes: k,
    probabilities: null,
    members: null,
    memberCount: 0,
    votes: new Float64Array(n * k),
    judgments: new Int32Array(n),
    embedding: learner.embedding,
    embeddingDims: learner.embeddingDims,
    memberSpread: null,
  };
  const settings = { ...strategy.settings, seed: options.seed };
  const curve: CurvePoint[] = [];
  let labels = 0;
  let units = 0;
  for (let round = 0; labels < options.budget; round++) {
    const batch = Math.min(options.batch, options.budget - labels);
    const { order } = rankCandidates(set, settings, { redundancy: options.redundancy, batch, round });
    if (order.length === 0) break;
    for (const i of order.subarray(0, batch)) {
      const answer = simulatedAnswer(learner, i, set.judgments[i]!, options);
      if (set.judgments[i] === 0) units++;
      set.votes[i * k + answer]! += 1;
      set.judgments[i]! += 1;
      labels++;
    }
    const labelled: LabelledUnit[] = [];
    for (let i = 0; i < n; i++)
      if (set.judgments[i]! > 0) labelled.push({ index: i, votes: set.votes.subarray(i * k, i * k + k) });
    const model = learner.fit(labelled, options.seed);
    set.probabilities = model.probabilities;
    set.members = model.members;
    set.memberCount = model.memberCount;
    const point = { labels, accuracy: model.accuracy, units };
    curve.push(point);
    onBatch?.(point);
  }
  return curve;
}
