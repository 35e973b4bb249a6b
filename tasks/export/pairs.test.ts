import { expect, it } from 'vitest';
import { describeDb } from '../../tests/setup/db';
import { makeJudgment, makePreferenceProject, makeUser } from '../../tests/setup/factories';
import { makeCalibrationProject } from '../../tests/setup/calibration-fixtures';
import { refreshQualityReport } from '../quality/refresh';
import { adjudicatePair } from '../quality/adjudication';
import { ExportFiltersSchema, type ExportFiltersInput } from './filters';
import { emptyCounts, exportContext, streamExportPairs, type ExportedPair } from './pairs';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';

async function exportAll(db: Kysely<Database>, projectId: string, input: ExportFiltersInput = {}) {
  const filters = ExportFiltersSchema.parse(input);
  const counts = emptyCounts();
  const rows: ExportedPair[] = [];
  for await (const pair of streamExportPairs(
    db,
    projectId,
    filters,
    await exportContext(db, projectId, filters),
    counts,
  ))
    rows.push(pair);
  return { rows, counts };
}

describeDb('the pairs an export writes', ({ db }) => {
  it('exports every pair with a preference by default and counts what it leaves out', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}, {}, {}, {}] });
    const pairs = await db()
      .selectFrom('pairs')
      .select('id')
      .where('project_id', '=', project.id)
      .orderBy('id')
      .execute();
    const [x, y, z] = [(await makeUser(db())).user, (await makeUser(db())).user, (await makeUser(db())).user];
    const old = new Date('2026-01-05T00:00:00Z');
    // 0: clear B; 1: a tie; 2: split 2 to 1 for A; 3: never judged
    for (const who of [x, y])
      await makeJudgment(db(), { pairId: pairs[0]!.id, annotatorId: who.id, helpfulness: 2 });
    await makeJudgment(db(), { pairId: pairs[1]!.id, annotatorId: x.id, helpfulness: 0 });
    await makeJudgment(db(), { pairId: pairs[2]!.id, annotatorId: x.id, helpfulness: -1, createdAt: old });
    await makeJudgment(db(), { pairId: pairs[2]!.id, annotatorId: y.id, helpfulness: -2 });
    await makeJudgment(db(), { pairId: pairs[2]!.id, annotatorId: z.id, helpfulness: 3 });
    const all = await exportAll(db(), project.id);
    expect(all.rows.map((r) => [r.pairId, r.preferred])).toEqual([
      [pairs[0]!.id, 'b'],
      [pairs[2]!.id, 'a'],
    ]);
    expect(all.counts).toEqual({
      read: 3,
      exported: 2,
      skipped: { 'no-judgments': 0, tie: 1, agreement: 0, judgments: 0, gold: 0 },
    });
    const split = all.rows[1]!;
    expect(split).toMatchObject({ judgments: 3, basis: 'helpfulness', adjudicated: false });
    // no quality report yet: no weighted score
    expect(split.weightedScore).toBeNull();
    expect(split.agreement).toBeCloseTo(2 / 3);
    expect(split.score).toBeCloseTo(0);
    // the same conversation and responses as stored
    expect(split.messages[0]!.role).toBe('user');
    expect(split.a.text).not.toBe(split.b.text);

    const kept = await exportAll(db(), project.id, { ties: 'keep' });
    expect(kept.rows.map((r) => r.preferred)).toEqual(['b', 'tie', 'a']);
    const agreeing = await exportAll(db(), project.id, { minAgreement: 0.9 });
    expect(agreeing.rows.map((r) => r.pairId)).toEqual([pairs[0]!.id]);
    expect(agreeing.counts.skipped.agreement).toBe(1);
    const twoOrMore = await exportAll(db(), project.id, { minJudgments: 3 });
    expect(twoOrMore.rows.map((r) => r.pairId)).toEqual([pairs[2]!.id]);
    // judgments before the date are left out: the split pair becomes 1 to 1 (mean +0.5: B)
    const recent = await exportAll(db(), project.id, { since: '2026-06-01' });
    expect(recent.rows.find((r) => r.pairId === pairs[2]!.id)).toMatchObject({
      preferred: 'b',
      judgments: 2,
    });
    expect(() => ExportFiltersSchema.parse({ since: '2026-06-01', until: '2026-01-01' })).toThrow(
      /From must be before Until/,
    );
    expect(() => ExportFiltersSchema.parse({ minAgreement: 2 })).toThrow(
      /Minimum agreement: a share from 0 to 1/,
    );

    // an adjudication is the answer, whatever the judgments said
    const lead = (await makeUser(db(), { roles: ['lead'] })).user;
    await adjudicatePair(db(), {
      projectId: project.id,
      pairId: pairs[1]!.id,
      decision: { helpfulness: -3, safety: 0 },
      actor: { id: lead.id, email: lead.email },
    });
    const decided = await exportAll(db(), project.id);
    expect(decided.rows.find((r) => r.pairId === pairs[1]!.id)).toMatchObject({
      preferred: 'a',
      adjudicated: true,
      score: -3,
    });
  });

  it('leaves out gold pairs and annotators under a reliability or gold-accuracy bar on request', async () => {
    const team = await makeCalibrationProject(db());
    await refreshQualityReport(db(), team.projectId);
    const all = await exportAll(db(), team.projectId);
    expect(all.counts.read).toBe(40);
    // with a report, each pair carries its reliability-weighted score: Σ w·s / Σ w over its judgments
    const context = await exportContext(db(), team.projectId, ExportFiltersSchema.parse({}));
    expect(context.reportWeights!.get(team.lefty.id)!).toBeLessThan(
      context.reportWeights!.get(team.fair[0]!.id)!,
    );
    const pair = all.rows[0]!;
    const judged = await db()
      .selectFrom('judgments')
      .select(['annotator_id', 'helpfulness'])
      .where('pair_id', '=', pair.pairId)
      .execute();
    const w = judged.map((j) => context.reportWeights!.get(j.annotator_id) ?? 1);
    const expected =
      judged.reduce((sum, j, i) => sum + j.helpfulness * w[i]!, 0) / w.reduce((a, b) => a + b, 0);
    expect(pair.weightedScore!.helpfulness).toBeCloseTo(expected, 9);
    expect(all.rows.some((r) => Math.abs(r.weightedScore!.helpfulness - r.helpfulness.mean) > 1e-6)).toBe(
      true,
    );
    const noGold = await exportAll(db(), team.projectId, { excludeGold: true });
    expect(noGold.counts.skipped.gold).toBe(10);
    expect(noGold.rows.every((r) => !r.isGold)).toBe(true);
    const trusted = await exportAll(db(), team.projectId, { minGoldAccuracy: 0.85 });
    // Lefty's gold accuracy is far below the bar: every pair loses one judgment
    expect(trusted.rows.every((r) => r.judgments <= 5)).toBe(true);
    expect(all.rows.some((r) => r.judgments === 6)).toBe(true);
  });
});
