/**
 * A preference project's active-learning settings, kept in projects.settings.activeLearning.
 * Reading never fails (missing or out-of-range values fall back to the defaults, so an old project
 * keeps its breadth-first queue); writing validates every field and names the one that is wrong.
 */
import { z } from 'zod';
import {
  DEFAULT_POLICY_SETTINGS,
  POLICY_NAMES,
  PolicySettingsSchema,
  type PolicyName,
  type PolicySettings,
} from './policies';

export const ACTIVE_LEARNING_DEFAULTS = {
  /** least-judged is the plain breadth-first queue: no retraining loop */
  policy: 'least-judged' as PolicyName,
  /** a retrain-and-rescore job runs after this many new judgments */
  retrainEvery: 50,
  /** the axis whose reward model ranks the queue */
  axis: 'helpfulness' as 'helpfulness' | 'safety',
  /** most answers a pair whose answers split may collect */
  cap: DEFAULT_POLICY_SETTINGS.cap,
  /** share of each batch drawn at random (hybrid) */
  exploration: DEFAULT_POLICY_SETTINGS.exploration,
};

export type ActiveLearningSettings = typeof ACTIVE_LEARNING_DEFAULTS;

/** What a lead may change (flat form fields); every field optional, only given fields change. */
/** A form sends an emptied field as "": that is a missing number, not 0. */
const blankIsMissing = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? Number.NaN : v);

export const ActiveLearningSettingsSchema = z.object({
  alPolicy: z
    .enum(POLICY_NAMES, { error: `Selection policy: one of ${POLICY_NAMES.join(', ')}.` })
    .optional(),
  alRetrainEvery: z
    .preprocess(
      blankIsMissing,
      z.coerce
        .number({ error: 'Retrain every: a whole number of judgments.' })
        .int('Retrain every: a whole number of judgments.')
        .min(5, 'Retrain every: at least 5 judgments (each retrain takes seconds to minutes).')
        .max(100_000, 'Retrain every: at most 100,000 judgments.'),
    )
    .optional(),
  alAxis: z
    .enum(['helpfulness', 'safety'], { error: 'The ranking axis is helpfulness or safety.' })
    .optional(),
  alCap: z
    .preprocess(
      blankIsMissing,
      z.coerce
        .number({ error: 'The cap must be a whole number.' })
        .int('The cap must be a whole number.')
        .min(1, 'The cap must be at least 1.')
        .max(20, 'Keep the cap at 20 answers or less.'),
    )
    .optional(),
  alExploration: z
    .preprocess(
      blankIsMissing,
      z.coerce
        .number({ error: 'The exploration share must be a number.' })
        .min(0, 'The exploration share must be at least 0.')
        .max(0.5, 'The exploration share must be at most 0.5.'),
    )
    .optional(),
});

const FIELD_OF = {
  alPolicy: 'policy',
  alRetrainEvery: 'retrainEvery',
  alAxis: 'axis',
  alCap: 'cap',
  alExploration: 'exploration',
} as const;

/** The stored settings merged with what changed (for updateProjectSettings). */
export function mergeActiveLearning(
  stored: unknown,
  input: z.output<typeof ActiveLearningSettingsSchema>,
): Record<string, unknown> {
  const out = { ...((stored as Record<string, unknown> | undefined) ?? {}) };
  for (const [key, field] of Object.entries(FIELD_OF) as [keyof typeof FIELD_OF, string][]) {
    if (input[key] !== undefined) out[field] = input[key];
  }
  return out;
}

/** A project's settings, defaults filling whatever is missing or invalid. */
export function activeLearningSettings(projectSettings: Record<string, unknown>): ActiveLearningSettings {
  const stored = (projectSettings.activeLearning ?? {}) as Record<string, unknown>;
  const out = { ...ACTIVE_LEARNING_DEFAULTS };
  // field by field, so one bad stored value does not reset the others
  for (const [key, field] of Object.entries(FIELD_OF) as [
    keyof typeof FIELD_OF,
    keyof ActiveLearningSettings,
  ][]) {
    const parsed = ActiveLearningSettingsSchema.shape[key].safeParse(stored[field]);
    if (parsed.success && parsed.data !== undefined) (out as Record<string, unknown>)[field] = parsed.data;
  }
  return out;
}

/** Whether the project runs the retrain-and-rescore loop at all. */
export function loopEnabled(settings: ActiveLearningSettings): boolean {
  return settings.policy !== 'least-judged';
}

/** The policy settings a project's ranking uses. */
export function policySettingsOf(settings: ActiveLearningSettings, seed = 1): PolicySettings {
  return PolicySettingsSchema.parse({
    policy: settings.policy,
    seed,
    cap: settings.cap,
    exploration: settings.exploration,
  });
}
