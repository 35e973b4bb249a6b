import { describe, expect, it } from 'vitest';
import { emptyCandidates } from './candidates';
import { changedPlacements, placementsOf } from './refresh';
import { rankCandidates, PolicySettingsSchema } from './policies';
import {
  ACTIVE_LEARNING_DEFAULTS,
  ActiveLearningSettingsSchema,
  activeLearningSettings,
  loopEnabled,
  mergeActiveLearning,
} from './settings';

describe('active-learning settings', () => {
  it('read with defaults, field by field, so one bad stored value does not reset the rest', () => {
    expect(activeLearningSettings({})).toEqual(ACTIVE_LEARNING_DEFAULTS);
    expect(loopEnabled(activeLearningSettings({}))).toBe(false);
    const read = activeLearningSettings({ activeLearning: { policy: 'hybrid', retrainEvery: 2, cap: 7 } });
    expect(read).toMatchObject({
      policy: 'hybrid',
      retrainEvery: ACTIVE_LEARNING_DEFAULTS.retrainEvery,
      cap: 7,
    });
    expect(loopEnabled(read)).toBe(true);
  });

  it('merge only the fields given, and validate each with a message naming it', () => {
    const stored = { policy: 'uncertainty', cap: 3 };
    const input = ActiveLearningSettingsSchema.parse({ alRetrainEvery: '40' });
    expect(mergeActiveLearning(stored, input)).toEqual({ policy: 'uncertainty', cap: 3, retrainEvery: 40 });
    expect(ActiveLearningSettingsSchema.safeParse({ alRetrainEvery: 2 }).error?.issues[0]?.message).toMatch(
      /Retrain every: at least 5/,
    );
    // an emptied form field is an error, not a silent 0
    expect(ActiveLearningSettingsSchema.safeParse({ alExploration: ' ' }).error?.issues[0]?.message).toBe(
      'The exploration share must be a number.',
    );
    expect(ActiveLearningSettingsSchema.safeParse({ alCap: 'lots' }).error?.issues[0]?.message).toBe(
      'The cap must be a whole number.',
    );
    expect(ActiveLearningSettingsSchema.safeParse({ alPolicy: 'magic' }).error?.issues[0]?.message).toMatch(
      /Selection policy: one of/,
    );
  });
});

describe('queue placements', () => {
  const set = emptyCandidates(
    Array.from({ length: 6 }, (_, i) => `p${i}`),
    2,
  );
  set.probabilities = Float64Array.from([0.5, 0.5, 0.9, 0.1, 0.6, 0.4, 0.99, 0.01, 0.7, 0.3, 0.55, 0.45]);
  const ranking = rankCandidates(set, PolicySettingsSchema.parse({ policy: 'uncertainty' }), {
    redundancy: 3,
    batch: 2,
  });

  it('give the head of the order its own priority and everything after it 0', () => {
    const all = placementsOf(set, ranking, 3);
    const top2 = placementsOf(set, ranking, 3, 2);
    // most uncertain first: p0 (0.5), p5 (0.55)
    expect(top2.filter((p) => p.priority > 0).map((p) => p.id)).toEqual(['p0', 'p5']);
    expect(top2.find((p) => p.id === 'p0')!.priority).toBeGreaterThan(
      top2.find((p) => p.id === 'p5')!.priority,
    );
    expect(all.filter((p) => p.priority > 0)).toHaveLength(6);
    // the redundancy stays implicit
    expect(all.every((p) => p.target === null && p.boost === 0)).toBe(true);
  });

  it('are written only where they differ from what the pairs hold', () => {
    const placements = placementsOf(set, ranking, 3, 2);
    const rows = placements.map((p, i) => ({
      id: p.id,
      judgment_count: 0,
      lease_count: 0,
      votes_a: 0,
      votes_b: 0,
      probability_a: null,
      spread: null,
      model_id: null,
      priority: i === 0 ? 0.25 : p.priority,
      target_judgments: i === 1 ? 2 : p.target,
      queue_boost: 0,
    }));
    expect(changedPlacements(rows, placements).map((p) => p.id)).toEqual(['p0', 'p1']);
  });
});
