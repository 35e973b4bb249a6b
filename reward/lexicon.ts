/**
 * The cold-start pre-labeler: VADER (Hutto & Gilbert, 2014; the vader-sentiment package, the
 * VADER authors' JavaScript port), a rule-based sentiment lexicon that needs no training. It maps
 * onto a project's label set by name: a label called positive, negative or neutral (or starting
 * with those words). Its scores are lexicon strength, not calibrated probabilities, so routing
 * never auto-accepts them; they order the first human queue and show annotators a hint.
 */
import vader from 'vader-sentiment';

/** Indices of the label set's polarity classes, or null when it has no positive and negative label. */
export interface PolarityRoles {
  positive: number;
  negative: number;
  neutral: number | null;
}

function findRole(labels: readonly string[], word: string): number {
  const exact = labels.findIndex((l) => l.trim().toLowerCase() === word);
  if (exact >= 0) return exact;
  // "Neutral / author is just sharing information" and the like
  return labels.findIndex((l) => l.trim().toLowerCase().startsWith(word));
}

/** Which labels the lexicon can speak for; null when the label set has no positive/negative pair. */
export function polarityRoles(labels: readonly string[]): PolarityRoles | null {
  const positive = findRole(labels, 'pos');
  const negative = findRole(labels, 'neg');
  if (positive < 0 || negative < 0 || positive === negative) return null;
  const neutral = findRole(labels, 'neu');
  return { positive, negative, neutral: neutral >= 0 ? neutral : null };
}

/** VADER's compound score in [-1, 1] (≥ 0.05 positive, ≤ -0.05 negative by the authors' convention). */
export function compoundScore(text: string): number {
  return vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
}

/** Below this |compound| the VADER authors call a text neutral. */
const NEUTRAL_BAND = 0.05;

/**
 * A distribution over `labels` from VADER's compound score: the polar side gets more mass the
 * stronger the score; with a neutral label, weak scores lean neutral. Labels the lexicon cannot
 * speak for get nothing. Returns null when the label set has no positive and negative label.
 */
export function lexiconProbabilities(text: string, labels: readonly string[]): Float64Array | null {
  const roles = polarityRoles(labels);
  if (!roles) return null;
  const c = compoundScore(text);
  const strength = Math.abs(c);
  const lean = c >= 0 ? roles.positive : roles.negative;
  const other = c >= 0 ? roles.negative : roles.positive;
  const out = new Float64Array(labels.length);
  if (roles.neutral === null) {
    // 0.5 at no evidence, at most 0.95: a lexicon is never certain
    out[lean] = 0.5 + 0.45 * strength;
    out[other] = 1 - out[lean]!;
    return out;
  }
  // neutral gets most of the mass inside the authors' neutral band and fades as the score grows
  const neutral = strength < NEUTRAL_BAND ? 0.6 : 0.5 * (1 - strength);
  out[roles.neutral] = neutral;
  out[lean] = (1 - neutral) * (0.5 + 0.45 * strength);
  out[other] = 1 - neutral - out[lean]!;
  return out;
}
