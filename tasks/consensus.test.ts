import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { describeDb } from '../tests/setup/db';
import { makeJudgment, makePreferenceProject, makeUser } from '../tests/setup/factories';
import { insertReliabilityReport, setReliabilityWeights } from '../tests/setup/reliability-fixtures';
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

describe('weighted axis consensus', () => {
  const cases = [
    [-3, -2, -1],
    [2, 3, 1, -1],
    [1, 2, -1],
    [-1, 1],
    [0, 0, 3],
    [-2, 0, 0, 2, 1],
  ];

  it.each(cases)('unit weights give exactly the unweighted consensus of %j', (...scores) => {
    expect(
      axisConsensus(
        scores,
        scores.map(() => 1),
      ),
    ).toEqual(axisConsensus(scores));
  });

  it('counts each vote with its weight in the direction, the agreement and the mean', () => {
    // two light annotators favour A, one heavy annotator favours B
    const c = axisConsensus([-2, -1, 3], [0.25, 0.25, 2]);
    expect(c).toMatchObject({ n: 3, direction: 'b', level: 'strong' });
    expect(c.agreement).toBeCloseTo(2 / 2.5, 12);
    expect(c.mean).toBeCloseTo((-0.5 - 0.25 + 6) / 2.5, 12);
    expect(axisConsensus([-2, -1, 3]).direction).toBe('a');
    // weighted ties still win only when they outweigh the leading side
    expect(axisConsensus([0, 2, -1], [1.5, 1, 1]).direction).toBe('tie');
    expect(axisConsensus([0, 2, -1], [1, 1.5, 1]).direction).toBe('b');
    expect(axisConsensus([-1, 1, 0], [1, 1, 0.5]).direction).toBe('tie');
  });

  it('counts unweighted when every weight is 0, and refuses malformed weights', () => {
    expect(axisConsensus([-2, -1, 3], [0, 0, 0])).toEqual(axisConsensus([-2, -1, 3]));
    expect(() => axisConsensus([1, 2], [1])).toThrow(/one weight per score/);
    expect(() => axisConsensus([1, 2], [1, -1])).toThrow(/non-negative/);
    expect(() => axisConsensus([1, 2], [1, Number.NaN])).toThrow(/non-negative/);
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

  it('lets a reliable annotator outweigh two unreliable ones when the project weighs by reliability', async () => {
    const project = await makePreferenceProject(db(), { redundancy: 3, prompts: [{}] });
    const pair = await db()
      .selectFrom('pairs')
      .select('id')
      .where('project_id', '=', project.id)
      .executeTakeFirstOrThrow();
    const people = [];
    for (let i = 0; i < 6; i++) people.push((await makeUser(db())).user.id);
    const [heavy, lightOne, lightTwo, ...typical] = people as [string, string, string, ...string[]];
    await makeJudgment(db(), { pairId: pair.id, annotatorId: lightOne, helpfulness: -2 });
    await makeJudgment(db(), { pairId: pair.id, annotatorId: lightTwo, helpfulness: -1 });
    await makeJudgment(db(), { pairId: pair.id, annotatorId: heavy, helpfulness: 2 });
    const helpfulness = async () => (await projectConsensus(db(), project.id))[0]!.helpfulness;
    const unweighted = await helpfulness();
    expect(unweighted).toMatchObject({ n: 3, direction: 'a', mean: -1 / 3 });

    // the report says who is reliable; the three typical annotators (judging other pairs) set the scale
    await insertReliabilityReport(db(), project.id, [
      { annotator: heavy, reliability: 0.95 },
      { annotator: lightOne, reliability: 0.4 },
      { annotator: lightTwo, reliability: 0.4 },
      ...typical.map((annotator) => ({ annotator, reliability: 0.8 })),
    ]);
    // a report alone changes nothing: the setting is off
    expect(await helpfulness()).toEqual(unweighted);
    await setReliabilityWeights(db(), project.id, true);
    const weighted = await helpfulness();
    expect(weighted).toMatchObject({ n: 3, direction: 'b', level: 'strong' });
    const w = (r: number) => Math.log((2 * r) / (1 - r)) / Math.log(8);
    expect(weighted.agreement).toBeCloseTo(w(0.95) / (w(0.95) + 2 * w(0.4)), 10);
    expect(weighted.mean).toBeCloseTo((2 * w(0.95) - 3 * w(0.4)) / (w(0.95) + 2 * w(0.4)), 10);

    // an adjudicated pair keeps its decision, and its agreement counts people
    await db()
      .insertInto('adjudications')
      .values({
        project_id: project.id,
        pair_id: pair.id,
        item_id: null,
        label: null,
        decided_by: typical[0]!,
        helpfulness: -1,
        safety: 0,
      })
      .execute();
    expect(await helpfulness()).toMatchObject({ direction: 'a', mean: -1, agreement: 2 / 3 });
  });
});
