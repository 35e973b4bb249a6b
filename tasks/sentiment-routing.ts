/**
 * Where a pre-labeled sentiment item goes: to people (below the project's confidence threshold, a
 * cold-start guess, or a held-out item), accepted as it is, or accepted and drawn at random for an
 * audit. Pure and seeded: the same item, pre-label and settings always give the same route, and
 * an item's audit and held-out draws never change when it is routed again. Draws are keyed by the
 * item's content hash, not its database id, so importing the same file into a fresh project makes
 * the same choices.
 */
import type { PrelabelSource, SentimentRoute } from '../db/schema';
import { seededDraw, uncertaintyPolicy } from './selection';
import type { SentimentSettings } from './sentiment-settings';

/** Queue priorities: audits first (few, and they keep the error estimate honest), then held-out items, then by uncertainty. */
const AUDIT_PRIORITY = 3;
const HOLDOUT_PRIORITY = 2;
/**
 * Share of the human queue placed at random instead of by uncertainty. Pure uncertainty sampling
 * starves whatever the pre-labeler is sure about: with the lexicon's order, a test project's
 * first 140 labels held 14 positive texts and 91 negative ones, and the model trained on them lost
 * to the lexicon. Random items spread through the order keep every class in the training data.
 */
export const EXPLORATION_SHARE = 0.3;

export interface Prelabel {
  /** distribution over the project's labels, in label-set order */
  probabilities: ArrayLike<number>;
  /**
   * 'lexicon' and 'pretrained' are cold start: hints and queue order, never auto-accepted, since
   * nothing measured them on this project; 'model' is a classifier trained (and measured) here
   */
  source: PrelabelSource;
}

/** The route for an item with this pre-label (or none). */
export function routeFor(
  item: { key: string; isHoldout: boolean },
  prelabel: Prelabel | null,
  settings: SentimentSettings,
  seed: number,
): SentimentRoute {
  if (!prelabel || item.isHoldout || prelabel.source !== 'model') return 'human';
  if (topConfidence(prelabel.probabilities) < settings.autoAcceptThreshold) return 'human';
  return auditDraw(seed, item.key) < settings.auditRate ? 'audit' : 'auto';
}

/** The item's audit draw in [0, 1) (by content hash): drawn for audit when below the audit rate. */
export const auditDraw = (seed: number, key: string) => seededDraw(`audit:${seed}`, key);
/** The item's held-out draw in [0, 1) (by content hash): held out when below the held-out share (and under the cap). */
export const holdoutDraw = (seed: number, key: string) => seededDraw(`holdout:${seed}`, key);

export function topConfidence(probabilities: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < probabilities.length; i++) best = Math.max(best, probabilities[i]!);
  return best;
}

/** The item's place in the human queue among items with as many labels (higher first). */
export function itemPriority(
  item: { key: string; isHoldout: boolean },
  route: SentimentRoute,
  prelabel: Prelabel | null,
  seed: number,
): number {
  const policy = uncertaintyPolicy(seed);
  // without a pre-label every item is equally uncertain: the seeded tie-break alone orders them
  const uncertainty = policy.priority({ id: item.key, probabilities: prelabel?.probabilities ?? [0.5, 0.5] });
  if (route === 'audit') return AUDIT_PRIORITY + uncertainty;
  if (item.isHoldout) return HOLDOUT_PRIORITY + uncertainty;
  // an explored item takes a uniform place in [0, 1), the range uncertainty priorities live in
  if (seededDraw(`explore:${seed}`, item.key) < EXPLORATION_SHARE)
    return seededDraw(`place:${seed}`, item.key);
  return uncertainty;
}
