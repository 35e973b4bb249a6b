/**
 * Selection policies decide which pair a person sees next. The queue always fills pairs breadth-
 * first (fewest judgments plus open leases first); among equals, the higher `priority` wins.
 * A policy computes those priorities; the active-learning work plugs in further policies here.
 */
import { createHash } from 'node:crypto';

export interface SelectionPolicy {
  name: string;
  /** priority of a pair among pairs with the same number of judgments; higher is served first */
  priority(pair: { id: string }): number;
}

/**
 * Least-judged first, then a seeded random order: reproducible for a seed, different across
 * projects' seeds, and independent of insertion order.
 */
export function leastJudgedPolicy(seed: number): SelectionPolicy {
  return {
    name: 'least-judged',
    priority(pair) {
      const digest = createHash('sha256').update(`${seed}:${pair.id}`).digest();
      return digest.readUInt32BE(0) / 2 ** 32;
    },
  };
}

export const DEFAULT_POLICY_SEED = 1;
