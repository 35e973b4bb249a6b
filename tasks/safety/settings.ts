/**
 * A preference project's safety-triage settings, in projects.settings.safety. Reading never fails
 * (odd stored values fall back to the defaults); writing validates each field and names it.
 */
import { z } from 'zod';
import { DEFAULT_BEAVERTAILS_MAP, parseCategoryMap, type CategoryMap } from './category-map';

export const SAFETY_DEFAULTS = {
  /** show the model's flag suggestions on the compare screen (off avoids anchoring annotators) */
  suggestions: true,
  /** a category is suggested from this probability up */
  suggestThreshold: 0.5,
  /**
   * responses at or above this risk go to safety review unflagged; null uses the active model's own
   * threshold, chosen when it was trained for `targetRecall` of unsafe responses
   */
  riskThreshold: null as number | null,
  /** the recall of unsafe responses a newly trained model's threshold is chosen for */
  targetRecall: 0.95,
  /** imported data's source categories onto the taxonomy */
  categoryMap: DEFAULT_BEAVERTAILS_MAP as CategoryMap,
};
export type SafetySettings = typeof SAFETY_DEFAULTS;

const blankIsMissing = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const share = (what: string, min = 0) =>
  z.coerce
    .number({ error: `${what}: a number from ${min} to 1.` })
    .min(min, `${what}: a number from ${min} to 1.`)
    .max(1, `${what}: a number from ${min} to 1.`);

/** The form and CLI fields (flat, every one optional: only given fields change). */
export const SafetySettingsSchema = z.object({
  safetySuggestions: z
    .union([z.boolean(), z.enum(['yes', 'no', 'true', 'false', 'on', 'off'])], { error: 'Use yes or no.' })
    .transform((v) => v === true || v === 'yes' || v === 'true' || v === 'on')
    .optional(),
  safetySuggestThreshold: z.preprocess(blankIsMissing, share('Suggest flags from', 0.05).optional()),
  /** "model" or blank: the active model's threshold */
  safetyRiskThreshold: z
    .union([z.literal('model'), z.literal(''), z.null(), share('Risk threshold')])
    .transform((v) => (v === 'model' || v === '' ? null : v))
    .optional(),
  safetyTargetRecall: z.preprocess(blankIsMissing, share('Target recall', 0.5).optional()),
  /** JSON text (a form's textarea, a CLI file) or an already parsed map */
  safetyCategoryMap: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .transform((v, ctx) => {
      try {
        return parseCategoryMap(typeof v === 'string' ? v : JSON.stringify(v), 'Category map');
      } catch (error) {
        ctx.issues.push({ code: 'custom', input: v, message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
});
export type SafetySettingsInput = z.input<typeof SafetySettingsSchema>;

/** The stored settings, each missing or odd value replaced by its default. */
export function safetySettings(settings: Record<string, unknown>): SafetySettings {
  const stored = (settings.safety ?? {}) as Record<string, unknown>;
  const unit = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
  let categoryMap = SAFETY_DEFAULTS.categoryMap;
  if (stored.categoryMap && typeof stored.categoryMap === 'object') {
    try {
      categoryMap = parseCategoryMap(JSON.stringify(stored.categoryMap), 'stored map');
    } catch {
      // a map stored by an older version that no longer validates: the default, until a lead saves one
    }
  }
  return {
    suggestions: stored.suggestions !== false,
    suggestThreshold: unit(stored.suggestThreshold)
      ? (stored.suggestThreshold as number)
      : SAFETY_DEFAULTS.suggestThreshold,
    riskThreshold: unit(stored.riskThreshold) ? (stored.riskThreshold as number) : null,
    targetRecall: unit(stored.targetRecall) ? (stored.targetRecall as number) : SAFETY_DEFAULTS.targetRecall,
    categoryMap,
  };
}

/** Merges parsed fields into projects.settings.safety. */
export function mergeSafetySettings(
  stored: unknown,
  input: z.output<typeof SafetySettingsSchema>,
): Record<string, unknown> {
  const merged = { ...((stored ?? {}) as Record<string, unknown>) };
  if (input.safetySuggestions !== undefined) merged.suggestions = input.safetySuggestions;
  if (input.safetySuggestThreshold !== undefined) merged.suggestThreshold = input.safetySuggestThreshold;
  if (input.safetyRiskThreshold !== undefined) merged.riskThreshold = input.safetyRiskThreshold;
  if (input.safetyTargetRecall !== undefined) merged.targetRecall = input.safetyTargetRecall;
  if (input.safetyCategoryMap !== undefined) merged.categoryMap = input.safetyCategoryMap;
  return merged;
}

/** The risk threshold in force: the project's own, else the active model's, else 0.5. */
export function effectiveRiskThreshold(settings: SafetySettings, modelThreshold: number | null): number {
  return settings.riskThreshold ?? modelThreshold ?? 0.5;
}
