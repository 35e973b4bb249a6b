import { describe, expect, it } from 'vitest';
import { DEFAULT_BEAVERTAILS_MAP } from './category-map';
import {
  effectiveRiskThreshold,
  mergeSafetySettings,
  SAFETY_DEFAULTS,
  safetySettings,
  SafetySettingsSchema,
} from './settings';

describe('safety settings', () => {
  it('reads defaults for missing or odd stored values', () => {
    expect(safetySettings({})).toEqual(SAFETY_DEFAULTS);
    expect(
      safetySettings({ safety: { suggestThreshold: 7, riskThreshold: 'x', categoryMap: { a: 'nope' } } }),
    ).toEqual(SAFETY_DEFAULTS);
    expect(safetySettings({ safety: { suggestions: false, riskThreshold: 0.3 } })).toMatchObject({
      suggestions: false,
      riskThreshold: 0.3,
      categoryMap: DEFAULT_BEAVERTAILS_MAP,
    });
  });

  it('parses form fields, names the one that is wrong, and merges only what was given', () => {
    const parsed = SafetySettingsSchema.parse({
      safetySuggestions: 'off',
      safetyRiskThreshold: 'model',
      safetyCategoryMap: '{"privacy_violation": "privacy", "politics": null}',
    });
    expect(parsed).toEqual({
      safetySuggestions: false,
      safetyRiskThreshold: null,
      safetyCategoryMap: { privacy_violation: 'privacy', politics: null },
    });
    expect(mergeSafetySettings({ suggestThreshold: 0.4 }, parsed)).toEqual({
      suggestThreshold: 0.4,
      suggestions: false,
      riskThreshold: null,
      categoryMap: { privacy_violation: 'privacy', politics: null },
    });
    const bad = SafetySettingsSchema.safeParse({ safetyCategoryMap: '{"x": "violent"}' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toContain('"x" maps to "violent", which is not a category');
    expect(SafetySettingsSchema.safeParse({ safetyTargetRecall: '0.2' }).error!.issues[0]!.message).toBe(
      'Target recall: a number from 0.5 to 1.',
    );
  });

  it('uses the project’s threshold, else the model’s, else 0.5', () => {
    expect(effectiveRiskThreshold({ ...SAFETY_DEFAULTS, riskThreshold: 0.2 }, 0.4)).toBe(0.2);
    expect(effectiveRiskThreshold(SAFETY_DEFAULTS, 0.4)).toBe(0.4);
    expect(effectiveRiskThreshold(SAFETY_DEFAULTS, null)).toBe(0.5);
  });
});
