/**
 * Gold items and consistency repeats reach annotators through the same leases as the queue: the
 * gold rate holds, gold is never shown twice to one person, repeats come back with the sides
 * swapped and never count toward a pair's redundancy.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { describeDb } from '../../tests/setup/db';
import { makePreferenceProject, makeUser } from '../../tests/setup/factories';
import { nextPair, skipPair } from '../queue';
import { submitJudgment } from '../judgments';
import { createRng } from '../rng';
import { createProject, updateProjectSettings } from '../projects';
import { importSentiment } from '../import/sentiment';
import { nextItem, submitLabel } from '../sentiment-labels';
import { markItemGold, markPairGold, pairGoldCorrect, unmarkGold } from './gold';

const actor = (id: string) => ({ id, email: 'lead@example.org' });

async function annotator(db: Kysely<Database>) {
  const { user } = await makeUser(db, { roles: ['annotator'] });
  return { id: user.id, languages: [] as string[], domains: [] as string[] };
}

const fields = (helpfulness: number) => ({
  helpfulness,
  safety: 0,
  bothUnacceptable: false,
  rationale: '',
  flags: [],
  timeOnTaskMs: 1000,
});

describeDb('gold and repeats in the queue', ({ db }) => {
  it('serves gold at the project gold rate (1,000 assignments), never twice to one annotator', async () => {
    const project = await makePreferenceProject(db(), {
      redundancy: 1,
      prompts: Array.from({ length: 120 }, () => ({})),
    });
    const lead = await annotator(db());
    await updateProjectSettings(db(), project.id, { goldRate: 0.1, repeatRate: 0 }, {});
    const pairs = await db()
      .selectFrom('pairs')
      .select('id')
      .where('project_id', '=', project.id)
      .orderBy('id')
      .execute();
    for (const pair of pairs.slice(0, 60))
      await markPairGold(db(), {
        projectId: project.id,
        pairId: pair.id,
        answer: { helpfulness: 2 },
        actor: actor(lead.id),
      });
    const rng = createRng(11);
    let gold = 0;
    for (let person = 0; person < 20; person++) {
      const me = await annotator(db());
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const lease = await nextPair(db(), { annotator: me, projectSlug: project.slug, rng });
        expect(lease).not.toBeNull();
        const assignment = await db()
          .selectFrom('assignments')
          .select(['is_gold', 'pair_id'])
          .where('id', '=', lease!.assignment_id)
          .executeTakeFirstOrThrow();
        expect(seen.has(assignment.pair_id!)).toBe(false);
        seen.add(assignment.pair_id!);
        if (assignment.is_gold) gold++;
        // skipping is the cheapest way to end a lease; it returns the slot to the pool
        await skipPair(db(), me.id, { assignmentId: lease!.assignment_id, reason: 'other' });
      }
    }
    // Binomial(1000, 0.1): mean 100, sd 9.5; the run is seeded, the band is three sd
    expect(gold).toBeGreaterThanOrEqual(71);
    expect(gold).toBeLessThanOrEqual(129);
  });

  it('records a gold judgment as gold, scores it, and leaves the pair open to everyone', async () => {
    const project = await makePreferenceProject(db(), { redundancy: 1, prompts: [{}] });
    const lead = await annotator(db());
    await updateProjectSettings(db(), project.id, { goldRate: 0.5, repeatRate: 0 }, {});
    const pair = await db()
      .selectFrom('pairs')
      .select(['id', 'response_a_id'])
      .where('project_id', '=', project.id)
      .executeTakeFirstOrThrow();
    const gold = await markPairGold(db(), {
      projectId: project.id,
      pairId: pair.id,
      answer: { helpfulness: '-2', match: 'direction' },
      actor: actor(lead.id),
    });
    // three people in a row get it although its redundancy is 1: gold has no limit
    for (let i = 0; i < 3; i++) {
      const me = await annotator(db());
      // a draw under 0.5 lands in the gold band
      const lease = (await nextPair(db(), { annotator: me, projectSlug: project.slug, rng: () => 0.2 }))!;
      expect(lease.pair_id).toBe(pair.id);
      const leftIsA = lease.left_response_id === pair.response_a_id;
      const { judgmentId } = await submitJudgment(db(), me.id, {
        judgmentId: randomUUID(),
        assignmentId: lease.assignment_id,
        fields: fields(leftIsA ? -3 : 3),
      });
      const judgment = await db()
        .selectFrom('judgments')
        .select(['is_gold', 'helpfulness', 'safety'])
        .where('id', '=', judgmentId)
        .executeTakeFirstOrThrow();
      expect(judgment.is_gold).toBe(true);
      expect(pairGoldCorrect(gold, judgment)).toBe(true);
    }
    // a draw outside the band goes to the queue, which never serves gold
    const other = await annotator(db());
    expect(await nextPair(db(), { annotator: other, projectSlug: project.slug, rng: () => 0.9 })).toBeNull();
    await unmarkGold(db(), { projectId: project.id, pairId: pair.id, actor: actor(lead.id) });
    expect(await nextPair(db(), { annotator: other, projectSlug: project.slug, rng: () => 0.9 })).toBeNull();
  });

  it('brings an earlier pair back with the sides swapped, once, outside the redundancy', async () => {
    const project = await makePreferenceProject(db(), {
      redundancy: 2,
      prompts: Array.from({ length: 14 }, () => ({})),
    });
    await updateProjectSettings(db(), project.id, { goldRate: 0, repeatRate: 0.5 }, {});
    const me = await annotator(db());
    const shown = new Map<string, string>();
    // 11 judgments first: a repeat needs a pair at least 10 judgments old
    const fresh = createRng(3);
    for (let i = 0; i < 11; i++) {
      const lease = (await nextPair(db(), {
        annotator: me,
        projectSlug: project.slug,
        rng: () => 0.5 + fresh() / 2,
      }))!;
      const view = await db()
        .selectFrom('assignments')
        .select(['is_repeat', 'pair_id', 'left_response_id'])
        .where('id', '=', lease.assignment_id)
        .executeTakeFirstOrThrow();
      expect(view.is_repeat).toBe(false);
      shown.set(view.pair_id!, view.left_response_id!);
      await submitJudgment(db(), me.id, {
        judgmentId: randomUUID(),
        assignmentId: lease.assignment_id,
        fields: fields(2),
      });
    }
    const oldest = [...shown.keys()][0]!;
    const countBefore = await db()
      .selectFrom('pairs')
      .select('judgment_count')
      .where('id', '=', oldest)
      .executeTakeFirstOrThrow();
    const repeat = (await nextPair(db(), { annotator: me, projectSlug: project.slug, rng: () => 0.2 }))!;
    expect(repeat.pair_id).toBe(oldest);
    expect(repeat.left_response_id).not.toBe(shown.get(oldest));
    const { judgmentId } = await submitJudgment(db(), me.id, {
      judgmentId: randomUUID(),
      assignmentId: repeat.assignment_id,
      fields: fields(-2),
    });
    const stored = await db()
      .selectFrom('judgments')
      .select(['is_repeat', 'helpfulness'])
      .where('id', '=', judgmentId)
      .executeTakeFirstOrThrow();
    expect(stored.is_repeat).toBe(true);
    const countAfter = await db()
      .selectFrom('pairs')
      .select(['judgment_count', 'lease_count'])
      .where('id', '=', oldest)
      .executeTakeFirstOrThrow();
    expect(countAfter).toEqual({ judgment_count: countBefore.judgment_count, lease_count: 0 });
    // the same pair does not come back a second time: the next repeat is the next-oldest
    const second = (await nextPair(db(), { annotator: me, projectSlug: project.slug, rng: () => 0.2 }))!;
    expect(second.pair_id).not.toBe(oldest);
  });

  it('serves a gold sentiment item, keeps its gold label, and marks the label as gold', async () => {
    const p = await createProject(
      db(),
      { slug: `s-${randomUUID().slice(0, 8)}`, name: 'Gold labels', type: 'sentiment', redundancy: 1 },
      {},
    );
    await updateProjectSettings(db(), p.id, { holdoutRate: 0, goldRate: 0.3 }, {});
    await importSentiment(db(), () => Readable.from([['text', 'A lovely day.', 'Awful food.'].join('\n')]), {
      projectId: p.id,
      format: 'csv',
    });
    const item = await db()
      .selectFrom('sentiment_items')
      .select('id')
      .where('project_id', '=', p.id)
      .orderBy('text')
      .executeTakeFirstOrThrow();
    const lead = await annotator(db());
    await markItemGold(db(), { projectId: p.id, itemId: item.id, label: 'positive', actor: actor(lead.id) });
    await expect(
      markItemGold(db(), { projectId: p.id, itemId: item.id, label: 'joyful', actor: actor(lead.id) }),
    ).rejects.toThrow(/not one of this project's labels/);
    const me = await annotator(db());
    const lease = (await nextItem(db(), { annotator: me, projectSlug: p.slug, rng: () => 0.1 }))!;
    expect(lease.unit_id).toBe(item.id);
    await submitLabel(db(), me.id, {
      labelId: randomUUID(),
      assignmentId: lease.assignment_id,
      label: 'negative',
    });
    const after = await db()
      .selectFrom('sentiment_items')
      .select(['final_label', 'final_source', 'status'])
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ final_label: 'positive', final_source: 'gold', status: 'open' });
    const label = await db()
      .selectFrom('sentiment_labels')
      .select('is_gold')
      .where('assignment_id', '=', lease.assignment_id)
      .executeTakeFirstOrThrow();
    expect(label.is_gold).toBe(true);
  });
});
