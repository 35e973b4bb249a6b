/**
 * Selection policies for active learning. Each is a pure, seeded function from a candidate set
 * (model predictions, ensemble members, human votes, a feature embedding) to the order in which
 * units should be served and how many answers each should get. The queue, the rescoring job and
 * the simulator all call `rankCandidates`; nothing here touches the database.
 *
 * Order of service, as the queue serves it: fewest answers first (breadth-first), except that a
 * unit whose answers split (disagreement-aware policies only) jumps ahead of everything and is asked
 * again. Among fresh units the policy's score decides — the first `batch` of them spread over
 * feature space when the policy is diverse — and among partly answered ones, too.
 */
import { z } from 'zod';
import { murmur3 } from '../../reward/hash';
import {
  ensembleDisagreementOf,
  majorityShareOf,
  normalizedEntropyAt,
  uncertaintyOf,
  type CandidateSet,
} from './candidates';
import { kCenterGreedy } from './diversity';

export const POLICY_NAMES = [
  'random',
  'least-judged',
  'uncertainty',
  'ensemble',
  'annotator-disagreement',
  'diverse',
  'hybrid',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const POLICY_DESCRIPTIONS: Record<PolicyName, string> = {
  random: 'a seeded random order',
  'least-judged': 'fewest answers first, then a seeded random order',
  uncertainty: 'the units the model is least sure about first',
  ensemble: 'the units the ensemble members disagree on most first (BALD)',
  'annotator-disagreement':
    'units whose answers split get more answers (up to the cap); clear consensus stops early',
  diverse: 'uncertain units, each batch spread over feature space (greedy k-center)',
  hybrid: 'uncertainty and ensemble disagreement, annotator disagreement, diversity and some exploration',
};

/** The signals hybrid combines; an ablation switches one off at a time. */
export const HYBRID_SIGNALS = [
  'uncertainty',
  'ensemble',
  'disagreement',
  'diversity',
  'exploration',
] as const;
export type HybridSignal = (typeof HYBRID_SIGNALS)[number];

const unit = (label: string) =>
  z.number({ error: `${label} must be a number.` }).min(0, `${label} must be at least 0.`);

export const PolicySettingsSchema = z.object({
  policy: z.enum(POLICY_NAMES, { error: `Policy: one of ${POLICY_NAMES.join(', ')}.` }).default('hybrid'),
  seed: z.number().int().default(1),
  /** most answers a split unit may collect */
  cap: z
    .number()
    .int()
    .min(1, 'The cap must be at least 1.')
    .max(20, 'Keep the cap at 20 or less.')
    .default(5),
  /** a unit with at least 2 answers whose majority holds this share has a clear consensus and stops */
  consensusShare: unit('The consensus share').max(1, 'The consensus share is at most 1.').default(0.8),
  /** a unit whose answers (with the model as a pseudo-answer) have at least this normalized entropy is split */
  splitThreshold: unit('The split threshold').max(1, 'The split threshold is at most 1.').default(0.8),
  /** weight of the model's pseudo-answer: its confidence beyond chance, times this */
  modelVoteWeight: unit('The model vote weight')
    .max(5, 'Keep the model vote weight at 5 or less.')
    .default(1),
  /** diversity picks each batch from this many times the batch size of the best-scored fresh units */
  diversityPool: z.number().int().min(1).max(50).default(4),
  /** share of each batch drawn at random from all fresh units (hybrid) */
  exploration: unit('The exploration share').max(1, 'The exploration share is at most 1.').default(0.1),
  weights: z
    .object({
      uncertainty: unit('The uncertainty weight').default(0.6),
      ensemble: unit('The ensemble weight').default(0.4),
    })
    .default({ uncertainty: 0.6, ensemble: 0.4 }),
  /** hybrid signals switched off (for ablations) */
  without: z.array(z.enum(HYBRID_SIGNALS)).default([]),
});
export type PolicySettings = z.infer<typeof PolicySettingsSchema>;

export const DEFAULT_POLICY_SETTINGS: PolicySettings = PolicySettingsSchema.parse({});

export interface RankOptions {
  /** answers a unit gets by default (the project's redundancy) */
  redundancy: number;
  /** how many units the next batch takes: the size diversity and exploration work on */
  batch: number;
  /** varies the random parts per batch while keeping each batch reproducible */
  round?: number;
}

export interface Ranking {
  /** indices of units that need another answer, first served first */
  order: Int32Array;
  /** answers each unit should end with (units at or over their target are not in `order`) */
  targets: Int32Array;
  /**
   * 1 for units asked again because their answers split: the queue serves them as if they had no
   * answers yet (it subtracts their answers from its breadth-first count)
   */
  reask: Uint8Array;
}

/**
 * A seeded uniform draw in [0, 1) per (seed, id). MurmurHash3 rather than the queue's SHA-256
 * draw: a refresh draws twice per pair, and at a million pairs SHA-256 alone took ten seconds.
 */
function draw(seed: string, id: string): number {
  return murmur3(id, murmur3(seed)) / 2 ** 32;
}

/** What each policy uses; hybrid's flags follow its `without` list. */
function traitsOf(settings: PolicySettings) {
  const p = settings.policy;
  const on = (signal: HybridSignal) => p === 'hybrid' && !settings.without.includes(signal);
  return {
    uncertainty: p === 'uncertainty' || p === 'diverse' || on('uncertainty'),
    ensemble: p === 'ensemble' || on('ensemble'),
    disagreement: p === 'annotator-disagreement' || on('disagreement'),
    diversity: p === 'diverse' || on('diversity'),
    exploration: on('exploration') ? settings.exploration : 0,
  };
}

/** Percentile ranks in [0, 1] (ties share the lower rank), so differently scaled signals can be summed. */
function percentiles(values: Float64Array): Float64Array {
  const n = values.length;
  const idx = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Float64Array(n);
  let start = 0;
  for (let r = 0; r < n; r++) {
    if (r > 0 && values[idx[r]!]! !== values[idx[r - 1]!]!) start = r;
    out[idx[r]!] = n > 1 ? start / (n - 1) : 0;
  }
  return out;
}

/**
 * How split unit i's answers are, with the model as one extra pseudo-answer: its favoured outcome
 * gets `modelVoteWeight` × its margin over the runner-up (an unsure model adds nothing). One
 * answer the confident model contradicts counts as split; one the model backs does not.
 */
export function splitOf(set: CandidateSet, i: number, modelVoteWeight: number): number {
  const k = set.outcomes;
  const votes = Float64Array.from(set.votes.subarray(i * k, i * k + k));
  if (set.probabilities && modelVoteWeight > 0) {
    let best = 0;
    for (let c = 1; c < k; c++)
      if (set.probabilities[i * k + c]! > set.probabilities[i * k + best]!) best = c;
    let second = 0;
    for (let c = 0; c < k; c++) if (c !== best) second = Math.max(second, set.probabilities[i * k + c]!);
    votes[best]! += modelVoteWeight * (set.probabilities[i * k + best]! - second);
  }
  return normalizedEntropyAt(votes, 0, k);
}

/** The model-side score of each unit under the policy (higher = more worth an answer). */
function modelScores(set: CandidateSet, settings: PolicySettings, seed: string): Float64Array {
  const n = set.ids.length;
  const traits = traitsOf(settings);
  const drawOf = (i: number) => draw(seed, set.ids[i]!);
  const out = new Float64Array(n);
  const hasModel = set.probabilities !== null;
  if (!hasModel || (!traits.uncertainty && !traits.ensemble)) {
    for (let i = 0; i < n; i++) out[i] = drawOf(i);
    return out;
  }
  const u = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (traits.uncertainty) u[i] = uncertaintyOf(set, i);
    if (traits.ensemble) e[i] = ensembleDisagreementOf(set, i);
  }
  if (settings.policy === 'hybrid') {
    // the two signals live on different scales (BALD is small): combine their ranks, not raw values
    const wu = traits.uncertainty ? settings.weights.uncertainty : 0;
    const we = traits.ensemble ? settings.weights.ensemble : 0;
    const pu = wu > 0 ? percentiles(u) : u;
    const pe = we > 0 ? percentiles(e) : e;
    for (let i = 0; i < n; i++) out[i] = wu * pu[i]! + we * pe[i]! + 1e-9 * drawOf(i);
  } else {
    const signal = traits.ensemble ? e : u;
    for (let i = 0; i < n; i++) out[i] = signal[i]! + 1e-9 * drawOf(i);
  }
  return out;
}

/** The tiers, targets and scores of a ranking, before the fresh units are arranged. */
export interface PreparedRanking {
  targets: Int32Array;
  scores: Float64Array;
  /** units asked again, most split first */
  reasks: number[];
  /** fresh units, best score first */
  fresh: number[];
  /** partly answered units, fewest answers first */
  partial: number[];
  seed: string;
}

/** The first step of rankCandidates: who needs what, and every unit's score. */
export function prepareRanking(
  set: CandidateSet,
  settings: PolicySettings,
  options: RankOptions,
): PreparedRanking {
  const n = set.ids.length;
  const traits = traitsOf(settings);
  const redundancy = Math.max(1, options.redundancy);
  const seed = `${settings.seed}:${options.round ?? 0}`;
  const targets = new Int32Array(n);
  const splits = new Float64Array(n);
  const tier = new Int8Array(n); // 3 re-ask a split unit, 2 partly answered, 1 fresh, 0 done
  for (let i = 0; i < n; i++) {
    const answers = set.judgments[i]!;
    let target = redundancy;
    if (traits.disagreement && answers > 0) {
      const split = splitOf(set, i, settings.modelVoteWeight);
      splits[i] = split;
      const clear = answers >= 2 && majorityShareOf(set, i) >= settings.consensusShare;
      if (split >= settings.splitThreshold) target = Math.max(Math.min(settings.cap, answers + 1), answers);
      else if (clear) target = answers;
    }
    targets[i] = target;
    if (answers >= target) tier[i] = 0;
    else if (traits.disagreement && answers > 0 && splits[i]! >= settings.splitThreshold) tier[i] = 3;
    else tier[i] = answers > 0 ? 2 : 1;
  }
  const scores = modelScores(set, settings, seed);
  const byTier = (t: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (tier[i] === t) out.push(i);
    return out;
  };
  return {
    targets,
    scores,
    reasks: byTier(3).sort((a, b) => splits[b]! - splits[a]! || scores[b]! - scores[a]!),
    fresh: byTier(1).sort((a, b) => scores[b]! - scores[a]!),
    partial: byTier(2).sort((a, b) => set.judgments[a]! - set.judgments[b]! || scores[b]! - scores[a]!),
    seed,
  };
}

/**
 * The fresh units a diverse batch may draw on (a superset of what finishRanking embeds): callers
 * that embed lazily embed these between prepareRanking and finishRanking.
 */
export function diversityPoolOf(
  prepared: PreparedRanking,
  settings: PolicySettings,
  options: RankOptions,
): number[] {
  return prepared.fresh.slice(0, Math.max(1, options.batch) * settings.diversityPool);
}

/** The second step: arrange the fresh units (diversity, exploration) and put the tiers together. */
export function finishRanking(
  set: CandidateSet,
  prepared: PreparedRanking,
  settings: PolicySettings,
  options: RankOptions,
): Ranking {
  const { reasks, fresh, partial, scores, seed, targets } = prepared;
  const order = [...reasks, ...arrangeFresh(set, fresh, scores, settings, options, seed), ...partial];
  const reask = new Uint8Array(set.ids.length);
  for (const i of reasks) reask[i] = 1;
  return { order: Int32Array.from(order), targets, reask };
}

/**
 * The policy's order of service and per-unit answer targets. Pure: the same candidates, settings
 * and options give the same ranking, to the unit.
 */
export function rankCandidates(set: CandidateSet, settings: PolicySettings, options: RankOptions): Ranking {
  return finishRanking(set, prepareRanking(set, settings, options), settings, options);
}

/**
 * The fresh units in serving order: with diversity (once a model exists), the first batch is a
 * score-weighted greedy k-center pick from the best-scored `diversityPool` × batch; with exploration, a share of the batch's slots goes to
 * units drawn at random from all fresh units; the rest follow by score.
 */
function arrangeFresh(
  set: CandidateSet,
  fresh: number[],
  scores: Float64Array,
  settings: PolicySettings,
  options: RankOptions,
  seed: string,
): number[] {
  const traits = traitsOf(settings);
  const batch = Math.max(1, Math.min(options.batch, fresh.length));
  if (fresh.length === 0) return fresh;
  const explore = set.probabilities ? Math.round(batch * traits.exploration) : 0;
  const exploit = batch - explore;
  let head: number[] = fresh.slice(0, exploit);
  // no spreading before a model exists: a spread-out random batch is a batch of outliers
  if (traits.diversity && set.embedding && set.probabilities && exploit > 1) {
    const pool = fresh.slice(0, Math.min(fresh.length, exploit * settings.diversityPool));
    // quality: the score's rank inside the pool, from 1 (best) down to 1/pool
    const quality = pool.map((_, r) => 1 - r / pool.length);
    const picked = kCenterGreedy(set.embedding(pool), set.embeddingDims, pool.length, exploit, quality);
    head = picked.map((j) => pool[j]!);
  }
  const taken = new Set(head);
  const randomPicks = fresh
    .filter((i) => !taken.has(i))
    .map((i) => ({ i, d: draw(`${seed}:explore`, set.ids[i]!) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, explore)
    .map((x) => x.i);
  for (const i of randomPicks) taken.add(i);
  // interleave the random picks through the batch so a partly served batch still explores
  const first: number[] = [];
  const every = explore > 0 ? batch / explore : Infinity;
  let r = 0;
  for (let slot = 0, h = 0; slot < head.length + randomPicks.length; slot++) {
    if (r < randomPicks.length && (slot + 1) % Math.round(every) === 0) first.push(randomPicks[r++]!);
    else if (h < head.length) first.push(head[h++]!);
    else first.push(randomPicks[r++]!);
  }
  return [...first, ...fresh.filter((i) => !taken.has(i))];
}
