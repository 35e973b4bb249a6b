import { expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { makeJudgment, makePreferenceProject, makeUser } from '../tests/setup/factories';
import { annotatorStats } from './annotator-stats';

const DAY = 86_400_000;

describeDb('annotator counters', ({ db }) => {
  it('counts today, all time and the run of consecutive days, for this annotator only', async () => {
    const project = await makePreferenceProject(db(), { redundancy: 3, prompts: [{}, {}, {}, {}, {}] });
    const pairs = await db().selectFrom('pairs').select('id').where('project_id', '=', project.id).execute();
    expect(pairs.length).toBeGreaterThanOrEqual(5);
    const { user } = await makeUser(db());
    const { user: other } = await makeUser(db());
    const now = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);
    // two today, one yesterday, then a gap, one three days ago
    const daysAgo = [0, 0, 1, 3];
    for (const [i, ago] of daysAgo.entries())
      await makeJudgment(db(), {
        pairId: pairs[i]!.id,
        annotatorId: user.id,
        helpfulness: 1,
        createdAt: new Date(now.getTime() - ago * DAY),
      });
    await makeJudgment(db(), {
      pairId: pairs[4]!.id,
      annotatorId: other.id,
      helpfulness: -1,
      createdAt: now,
    });

    expect(await annotatorStats(db(), user.id, now)).toEqual({ today: 2, total: 4, streak: 2 });
    // the next day, before judging: nothing today, so no current run
    expect(await annotatorStats(db(), user.id, new Date(now.getTime() + DAY))).toEqual({
      today: 0,
      total: 4,
      streak: 0,
    });
    expect(await annotatorStats(db(), other.id, now)).toEqual({ today: 1, total: 1, streak: 1 });
    const { user: fresh } = await makeUser(db());
    expect(await annotatorStats(db(), fresh.id, now)).toEqual({ today: 0, total: 0, streak: 0 });
  });
});
