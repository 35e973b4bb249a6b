import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { describeDb } from '../../tests/setup/db';
import { makeJudgment, makePreferenceProject, makeUser } from '../../tests/setup/factories';
import { projectConsensus } from '../consensus';
import { listJudgmentScores } from '../../db/queries/judgments';
import { listLabelledItems } from '../../db/queries/sentiment';
import { createProject, updateProjectSettings } from '../projects';
import { importSentiment } from '../import/sentiment';
import {
  adjudicateItem,
  adjudicatePair,
  findAdjudication,
  listItemDisputes,
  listPairDisputes,
} from './adjudication';

describeDb('adjudication', ({ db }) => {
  const person = async () => (await makeUser(db(), { roles: ['annotator'] })).user;

  it('lists split pairs, and a decision becomes the final label for consensus and training', async () => {
    const project = await makePreferenceProject(db(), { redundancy: 3, prompts: [{}, {}] });
    const [split, clear] = await db()
      .selectFrom('pairs')
      .select('id')
      .where('project_id', '=', project.id)
      .orderBy('id')
      .execute();
    const [a, b, c] = [await person(), await person(), await person()];
    await makeJudgment(db(), { pairId: split!.id, annotatorId: a.id, helpfulness: -2 });
    await makeJudgment(db(), { pairId: split!.id, annotatorId: b.id, helpfulness: 2 });
    await makeJudgment(db(), { pairId: split!.id, annotatorId: c.id, helpfulness: 0 });
    for (const who of [a, b, c])
      await makeJudgment(db(), { pairId: clear!.id, annotatorId: who.id, helpfulness: 3 });
    const disputes = await listPairDisputes(db(), { projectId: project.id, below: 0.6 });
    expect(disputes.total).toBe(1);
    expect(disputes.rows[0]).toMatchObject({ pairId: split!.id, judgments: 3, decided: false });
    expect(disputes.rows[0]!.helpfulnessAgreement).toBeCloseTo(1 / 3);

    const lead = await makeUser(db(), { roles: ['lead'] });
    await expect(
      adjudicatePair(db(), {
        projectId: project.id,
        pairId: split!.id,
        decision: { helpfulness: 7, safety: 0 },
        actor: { id: lead.user.id, email: lead.user.email },
      }),
    ).rejects.toMatchObject({ field: 'helpfulness', message: 'Choose a helpfulness score from -3 to 3.' });
    expect(await findAdjudication(db(), { pairId: split!.id })).toBeUndefined();
    // an id that is not one (a tampered form) is "no such pair", not a database error
    await expect(
      adjudicatePair(db(), {
        projectId: project.id,
        pairId: "x' or 1=1 --",
        decision: { helpfulness: 1, safety: 0 },
        actor: { id: lead.user.id, email: lead.user.email },
      }),
    ).rejects.toMatchObject({ code: 'not-found', message: 'No such pair.' });

    await adjudicatePair(db(), {
      projectId: project.id,
      pairId: split!.id,
      decision: {
        helpfulness: 2,
        safety: 0,
        note: 'B answers the question; A is off topic.',
        promoteToGold: true,
      },
      actor: { id: lead.user.id, email: lead.user.email },
    });
    const consensus = (await projectConsensus(db(), project.id)).find((p) => p.pairId === split!.id)!;
    expect(consensus).toMatchObject({ adjudicated: true, preference: { preferred: 'b' } });
    expect(consensus.helpfulness).toMatchObject({ direction: 'b', n: 3 });
    expect(consensus.helpfulness.agreement).toBeCloseTo(1 / 3);
    const scores = await listJudgmentScores(db(), { projectId: project.id, axis: 'helpfulness' });
    const forSplit = scores.filter((s) => s.pair_id === split!.id);
    expect(forSplit).toHaveLength(1);
    expect(forSplit[0]).toMatchObject({ score: 2, annotator_id: lead.user.id });
    expect(scores.filter((s) => s.pair_id === clear!.id)).toHaveLength(3);
    // decided pairs leave the list; promoted to gold with the decision as the answer
    expect((await listPairDisputes(db(), { projectId: project.id, below: 0.6 })).total).toBe(0);
    expect(
      (await listPairDisputes(db(), { projectId: project.id, below: 0.6, includeDecided: true })).rows[0]!
        .decided,
    ).toBe(true);
    const gold = await db()
      .selectFrom('gold_answers')
      .select(['expected'])
      .where('pair_id', '=', split!.id)
      .executeTakeFirstOrThrow();
    expect(gold.expected).toMatchObject({ helpfulness: 2, safety: 0, match: 'direction' });
    // deciding again replaces the decision
    await adjudicatePair(db(), {
      projectId: project.id,
      pairId: split!.id,
      decision: { helpfulness: -1, safety: 0 },
      actor: { id: lead.user.id, email: lead.user.email },
    });
    expect(await findAdjudication(db(), { pairId: split!.id })).toMatchObject({ helpfulness: -1 });
  });

  it('lists split sentiment items and a decision closes the item with its label', async () => {
    const p = await createProject(
      db(),
      { slug: `s-${randomUUID().slice(0, 8)}`, name: 'Disputes', type: 'sentiment', redundancy: 2 },
      {},
    );
    await updateProjectSettings(db(), p.id, { holdoutRate: 0 }, {});
    await importSentiment(db(), () => Readable.from([['text', 'Fine I guess.'].join('\n')]), {
      projectId: p.id,
      format: 'csv',
    });
    const item = await db()
      .selectFrom('sentiment_items')
      .select('id')
      .where('project_id', '=', p.id)
      .executeTakeFirstOrThrow();
    for (const label of ['positive', 'neutral']) {
      const who = await person();
      await db()
        .insertInto('sentiment_labels')
        .values({
          id: randomUUID(),
          project_id: p.id,
          item_id: item.id,
          annotator_id: who.id,
          label,
          source: 'human',
        })
        .execute();
    }
    await db()
      .updateTable('sentiment_items')
      .set({ label_count: 2, final_source: 'tie' })
      .where('id', '=', item.id)
      .execute();
    const disputes = await listItemDisputes(db(), { projectId: p.id, below: 0.6 });
    expect(disputes.rows).toEqual([
      expect.objectContaining({
        itemId: item.id,
        labels: 2,
        agreement: 0.5,
        counts: { positive: 1, neutral: 1 },
      }),
    ]);
    const lead = await makeUser(db(), { roles: ['lead'] });
    await expect(
      adjudicateItem(db(), {
        projectId: p.id,
        itemId: item.id,
        decision: { label: 'meh' },
        actor: { id: lead.user.id, email: lead.user.email },
      }),
    ).rejects.toThrow(/not one of this project's labels/);
    await adjudicateItem(db(), {
      projectId: p.id,
      itemId: item.id,
      decision: { label: 'neutral' },
      actor: { id: lead.user.id, email: lead.user.email },
    });
    const after = await db()
      .selectFrom('sentiment_items')
      .select(['final_label', 'final_source', 'status'])
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ final_label: 'neutral', final_source: 'adjudicated', status: 'closed' });
    // retraining learns the decision, not the tie
    const labelled = (await listLabelledItems(db(), p.id)).find((i) => i.item_id === item.id)!;
    expect(labelled.labels).toEqual(['neutral']);
    expect(labelled.annotators).toEqual([lead.user.id]);
    expect((await listItemDisputes(db(), { projectId: p.id, below: 0.6 })).total).toBe(0);
  });
});
