/**
 * A project's quality-control settings. The two serving rates live in columns (the queue reads them
 * in SQL: projects.gold_rate, projects.repeat_rate); the rest in projects.settings.quality. Reading
 * never fails (odd stored values fall back to the defaults); writing validates each field and names it.
 */
import { z } from 'zod';

export const CONSENSUS_METHODS = ['auto', 'majority', 'dawid-skene', 'one-coin'] as const;
export type ConsensusSetting = (typeof CONSENSUS_METHODS)[number];

export const QUALITY_DEFAULTS = {
  /** an annotator is flagged when the upper end of their gold-accuracy interval falls below this */
  goldThreshold: 0.7,
  /** a unit whose leading answer has less than this share of its judgments goes to adjudication */
  adjudicateBelow: 0.6,
  /** auto: chosen by validation on gold items (tasks/quality/consensus-method.ts) */
  consensusMethod: 'auto' as ConsensusSetting,
  /** weight judgments by annotator reliability in consensus and training */
  reliabilityWeights: false,
  /** a quality report is recomputed after this many new judgments or labels */
  refreshEvery: 200,
};
export type QualitySettings = typeof QUALITY_DEFAULTS;

const blankIsMissing = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? Number.NaN : v);
const share = (what: string, max: number) =>
  z.preprocess(
    blankIsMissing,
    z.coerce
      .number({ error: `${what}: a share from 0 to ${max}.` })
      .min(0, `${what}: a share from 0 to ${max}.`)
      .max(max, `${what}: a share from 0 to ${max}.`),
  );

/** The form fields (flat, every one optional: only given fields change). */
export const QualitySettingsSchema = z.object({
  goldRate: share('Gold rate', 0.5).optional(),
  repeatRate: share('Repeat rate', 0.5).optional(),
  goldThreshold: share('Gold accuracy threshold', 1).optional(),
  adjudicateBelow: share('Adjudicate below', 1).optional(),
  consensusMethod: z
    .enum(CONSENSUS_METHODS, { error: `Consensus method: one of ${CONSENSUS_METHODS.join(', ')}.` })
    .optional(),
  reliabilityWeights: z
    .union([z.boolean(), z.enum(['yes', 'no', 'true', 'false', 'on', 'off'])], { error: 'Use yes or no.' })
    .transform((v) => v === true || v === 'yes' || v === 'true' || v === 'on')
    .optional(),
  qualityRefreshEvery: z
    .preprocess(
      blankIsMissing,
      z.coerce
        .number({ error: 'Refresh the report every: a whole number of judgments.' })
        .int('Refresh the report every: a whole number of judgments.')
        .min(10, 'Refresh the report every: at least 10 judgments.')
        .max(1_000_000, 'Refresh the report every: at most 1,000,000 judgments.'),
    )
    .optional(),
});
export type QualitySettingsInput = z.input<typeof QualitySettingsSchema>;

/** The stored settings, each missing or odd value replaced by its default. */
export function qualitySettings(settings: Record<string, unknown>): QualitySettings {
  const stored = (settings.quality ?? {}) as Record<string, unknown>;
  const inRange = (v: unknown, fallback: number, max = 1) =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max ? v : fallback;
  const every = stored.refreshEvery;
  return {
    goldThreshold: inRange(stored.goldThreshold, QUALITY_DEFAULTS.goldThreshold),
    adjudicateBelow: inRange(stored.adjudicateBelow, QUALITY_DEFAULTS.adjudicateBelow),
    consensusMethod: CONSENSUS_METHODS.includes(stored.consensusMethod as ConsensusSetting)
      ? (stored.consensusMethod as ConsensusSetting)
      : QUALITY_DEFAULTS.consensusMethod,
    reliabilityWeights: stored.reliabilityWeights === true,
    refreshEvery:
      typeof every === 'number' && Number.isInteger(every) && every >= 10
        ? every
        : QUALITY_DEFAULTS.refreshEvery,
  };
}

/** Merges parsed form fields into projects.settings.quality (the serving rates go to their columns). */
export function mergeQualitySettings(
  stored: unknown,
  input: z.output<typeof QualitySettingsSchema>,
): Record<string, unknown> {
  const merged = { ...((stored ?? {}) as Record<string, unknown>) };
  if (input.goldThreshold !== undefined) merged.goldThreshold = input.goldThreshold;
  if (input.adjudicateBelow !== undefined) merged.adjudicateBelow = input.adjudicateBelow;
  if (input.consensusMethod !== undefined) merged.consensusMethod = input.consensusMethod;
  if (input.reliabilityWeights !== undefined) merged.reliabilityWeights = input.reliabilityWeights;
  if (input.qualityRefreshEvery !== undefined) merged.refreshEvery = input.qualityRefreshEvery;
  return merged;
}
