/**
 * A sentiment project's routing and measurement settings, kept in projects.settings.sentiment.
 * Reading never fails: missing or out-of-range values fall back to the defaults, so an old project
 * keeps working; writing validates every field and says which one is wrong.
 */
import { z } from 'zod';

export const SENTIMENT_DEFAULTS = {
  /** pre-labels from a trained model at or above this confidence are accepted without a person */
  autoAcceptThreshold: 0.9,
  /** share of auto-accepted items drawn at random for a person to check */
  auditRate: 0.05,
  /** the auto-accept error rate the lead accepts; audits above it raise a warning */
  auditTolerance: 0.05,
  /** hide pre-labels on the labeling screen, so annotators are not anchored by them */
  blindPrelabels: false,
  /** share of imported items set aside, always for people, to measure every retraining cycle */
  holdoutRate: 0.1,
  /** at most this many held-out items per project */
  holdoutMax: 300,
  /**
   * cold start before a trained model: a Transformers.js text-classification model id (under
   * ARBITER_MODELS_DIR) instead of the word list; null for the word list
   */
  coldStartModel: null as string | null,
  /** the cold-start model's class names → the project's labels; empty matches names, case aside */
  coldStartLabelMap: {} as Record<string, string>,
};

export type SentimentSettings = typeof SENTIMENT_DEFAULTS;

const share = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number.` })
    .min(min, `${what} must be at least ${min}.`)
    .max(max, `${what} must be at most ${max}.`);

const yesNo = z
  .union([z.boolean(), z.enum(['yes', 'no', 'true', 'false', 'on', 'off'])], { error: 'Use yes or no.' })
  .transform((v) => v === true || v === 'yes' || v === 'true' || v === 'on');

/** What a lead may change; every field optional, only given fields change. */
export const SentimentSettingsSchema = z.object({
  autoAcceptThreshold: share('The auto-accept threshold', 0.5, 1).optional(),
  auditRate: share('The audit rate', 0, 1).optional(),
  auditTolerance: share('The audit tolerance', 0.001, 0.5).optional(),
  blindPrelabels: yesNo.optional(),
  holdoutRate: share('The held-out share', 0, 0.5).optional(),
  holdoutMax: z.coerce
    .number({ error: 'The held-out maximum must be a whole number.' })
    .int('The held-out maximum must be a whole number.')
    .min(0, 'The held-out maximum cannot be negative.')
    .max(100_000, 'The held-out maximum can be at most 100,000.')
    .optional(),
  // '' or "none" (a form's empty field, the CLI's word) turn the model off
  coldStartModel: z
    .string({ error: 'The cold-start model must be a model id like owner/name, or none.' })
    .trim()
    .max(200, 'The cold-start model id can be at most 200 characters.')
    .transform((v) => (v === '' || v.toLowerCase() === 'none' ? null : v))
    .nullable()
    .optional(),
  coldStartLabelMap: z
    .union([z.string(), z.record(z.string(), z.string())], {
      error: 'The cold-start label map looks like POSITIVE=positive,NEGATIVE=negative.',
    })
    .transform((v, ctx) => {
      if (typeof v !== 'string') return v;
      const map: Record<string, string> = {};
      for (const pair of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const [from, to, ...rest] = pair.split('=').map((s) => s.trim());
        if (!from || !to || rest.length) {
          ctx.addIssue({
            code: 'custom',
            message: `The cold-start label map has "${pair}"; write model label=project label, e.g. POSITIVE=positive.`,
          });
          return z.NEVER;
        }
        map[from] = to;
      }
      return map;
    })
    .optional(),
});
export type SentimentSettingsInput = z.input<typeof SentimentSettingsSchema>;

/** The project's settings with defaults filled in; a stored value that no longer validates is ignored. */
export function sentimentSettings(projectSettings: Record<string, unknown>): SentimentSettings {
  const stored = projectSettings.sentiment;
  const out = { ...SENTIMENT_DEFAULTS };
  if (!stored || typeof stored !== 'object') return out;
  for (const key of Object.keys(SENTIMENT_DEFAULTS) as (keyof SentimentSettings)[]) {
    const parsed = SentimentSettingsSchema.shape[key].safeParse((stored as Record<string, unknown>)[key]);
    if (parsed.success && parsed.data !== undefined) (out as Record<string, unknown>)[key] = parsed.data;
  }
  return out;
}
