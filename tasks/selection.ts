/**
 * Selection policies decide which unit (a pair, a sentiment item) a person sees next. The queue
 * always fills units breadth-first (fewest answers plus open leases first); among equals, the higher
 * `priority` wins. A policy computes those priorities; the active-learning work plugs in here.
 */
import { createHash } from 'node:crypto';
import { normalizedEntropyAt } from './active-learning/candidates';

export interface SelectionPolicy<T extends { id: string } = { id: string }> {
  name: string;
  /** priority of a unit among units with the same number of answers; higher is served first */
  priority(unit: T): number;
}

/** A seeded uniform draw in [0, 1) per (seed, id): reproducible, and independent of insertion order. */
export function seededDraw(seed: number | string, id: string): number {
  const digest = createHash('sha256').update(`${seed}:${id}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/**
 * Least-judged first, then a seeded random order: reproducible for a seed, different across
 * projects' seeds, and independent of insertion order.
 */
export function leastJudgedPolicy(seed: number): SelectionPolicy {
  return {
    name: 'least-judged',
    priority: (unit) => seededDraw(seed, unit.id),
  };
}

/**
 * Entropy of a distribution divided by its maximum: 0 when one class has it all, 1 when uniform.
 * The active-learning policies' uncertainty (tasks/active-learning/candidates.ts), so a sentiment
 * item and a pair are "uncertain" by the same measure.
 */
export function normalizedEntropy(probabilities: ArrayLike<number>): number {
  return normalizedEntropyAt(probabilities, 0, probabilities.length);
}

/**
 * Uncertainty sampling: the unit the model is least sure about comes first (normalized entropy of
 * its predicted distribution); a seeded draw, scaled far below any real difference, breaks ties.
 */
export function uncertaintyPolicy(
  seed: number,
): SelectionPolicy<{ id: string; probabilities: ArrayLike<number> }> {
  return {
    name: 'uncertainty',
    priority: (unit) => normalizedEntropy(unit.probabilities) + 1e-6 * seededDraw(seed, unit.id),
  };
}

export const DEFAULT_POLICY_SEED = 1;
