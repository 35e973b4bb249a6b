import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { describeDb } from '../tests/setup/db';
import { makePreferenceProject, makeUser } from '../tests/setup/factories';
import { axisConsensus, pairPreference, projectConsensus, ruleFromSettings } from './consensus';
import { submitJudgment } from './judgments';
import { nextPair } from './queue';
import { createRng } from './rng';

describe('axis consensus', () => {
  it.each([
    [[-3, -2, -1], 'a', 1, 'unanimous', -2],
    [[2, 3, 1, -1], 'b', 0.75, 'strong', 1.25],
    [[1, 2, -1], 'b', 2 / 3, 'majority', 2 / 3],
    [[-1, 1], 'tie', 0, 'split', 0],
    [[0, 0, 3], 'tie', 2 / 3, 'majority', 1],
    // ties win only when they outnumber the leading side; an equal count leaves the side, marked split
    [[-2, 0, 0, 2, 1], 'b', 0.4, 'split', 0.2],
  ] as const)('%j → %s (%d, %s), mean %d', (scores, direction, agreement, level, mean) => {
    const c = axisConsensus(scores);
    expect(c.direction).toBe(direction);
    expect(c.agreement).toBeCloseTo(agreement, 10);
    expect(c.level).toBe(level);
    expect(c.mean).toBeCloseTo(mean, 10);
    expect(c.n).toBe(scores.length);
  });

  it('refuses an empty list', () => {
    expect(() => axisConsensus([])).toThrow(/at least one/);
  });
});

describe('pair preference', () => {
  const helpfulB = axisConsensus([2, 3, 1]);
  const saferA = axisConsensus([-2, -3, -2]);
  const slightlySaferA = axisConsensus([-1, -2, -1]);

  it('follows helpfulness by default', () => {
    expect(pairPreference(helpfulB, saferA)).toEqual({ preferred: 'b', basis: 'helpfulness' });
  });

  it('lets a clear safety difference win when the project says so', () => {
    const rule = ruleFromSettings({ safetyOverrides: true });
    expect(pairPreference(helpfulB, saferA, rule)).toEqual({ preferred: 'a', basis: 'safety' });
    expect(pairPreference(helpfulB, slightlySaferA, rule)).toEqual({ preferred: 'b', basis: 'helpfulness' });
    expect(
      pairPreference(helpfulB, slightlySaferA, ruleFromSettings({ safetyOverrides: true, safetyMargin: 1 })),
    ).toEqual({
      preferred: 'a',
      basis: 'safety',
    });
  });

  it('ignores nonsense settings', () => {
    expect(ruleFromSettings({ safetyOverrides: 'yes', safetyMargin: 99 })).toEqual({
      safetyOverrides: false,
      safetyMargin: 2,
    });
  });
});

describeDb('project consensus', ({ db }) => {
  it('computes consensus from stored judgments in canonical order, with the project rule', async () => {
    const project = await makePreferenceProject(db(), { redundancy: 3, prompts: [{}] });
    await db()
      .updateTable('projects')
      .set({ settings: JSON.stringify({ safetyOverrides: true }) })
      .where('id', '=', project.id)
      .execute();
    for (let i = 0; i < 3; i++) {
      const { user } = await makeUser(db());
      const lease = (await nextPair(db(), {
        annotator: { id: user.id, languages: [], domains: [] },
        projectSlug: project.slug,
        rng: createRng(i),
      }))!;
      const pair = await db()
        .selectFrom('pairs')
        .select('response_a_id')
        .where('id', '=', lease.pair_id)
        .executeTakeFirstOrThrow();
      const leftIsA = lease.left_response_id === pair.response_a_id;
      // everyone finds B more helpful and A much safer, whatever side each saw them on
      const shown = (canonical: number) => (leftIsA ? canonical : -canonical);
      await submitJudgment(db(), user.id, {
        judgmentId: randomUUID(),
        assignmentId: lease.assignment_id,
        fields: { helpfulness: shown(2), safety: shown(-3) },
      });
    }
    const [consensus] = await projectConsensus(db(), project.id);
    expect(consensus!.helpfulness).toMatchObject({ n: 3, direction: 'b', level: 'unanimous', mean: 2 });
    expect(consensus!.safety).toMatchObject({ direction: 'a', mean: -3 });
    expect(consensus!.preference).toEqual({ preferred: 'a', basis: 'safety' });
  });
});
