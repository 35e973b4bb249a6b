import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { describeDb } from '../tests/setup/db';
import { makePreferenceProject, makeUser } from '../tests/setup/factories';
import { nextPair } from './queue';
import { submitJudgment } from './judgments';
import { countReviewQueue, decideReview, listReviewQueue, loadReviewItem } from './safety-review';
import { createRng } from './rng';

type Flag = {
  side: 'left' | 'right';
  category: 'violence' | 'privacy';
  severity: 'low' | 'medium' | 'high' | 'critical';
};

/** One annotator judges the project's only pair, flagging as given; returns the flagged response ids. */
async function judgeWithFlags(db: Kysely<Database>, projectSlug: string, flags: Flag[]) {
  const { user } = await makeUser(db);
  const lease = (await nextPair(db, {
    annotator: { id: user.id, languages: [], domains: [] },
    projectSlug,
    rng: createRng(1),
  }))!;
  await submitJudgment(db, user.id, {
    judgmentId: randomUUID(),
    assignmentId: lease.assignment_id,
    fields: {
      helpfulness: 0,
      safety: 0,
      flags,
      rationale: flags.some((f) => f.severity === 'high' || f.severity === 'critical')
        ? 'Clearly harmful content.'
        : '',
    },
  });
  return lease.left_response_id;
}

describeDb('safety review queue', ({ db }) => {
  it('queues high or critical flags at once, and lesser flags once two annotators agree', async () => {
    const before = await countReviewQueue(db());
    const serious = await makePreferenceProject(db(), { prompts: [{}] });
    const seriousLeft = await judgeWithFlags(db(), serious.slug, [
      { side: 'left', category: 'violence', severity: 'critical' },
    ]);
    const minor = await makePreferenceProject(db(), { prompts: [{}] });
    const minorLeft = await judgeWithFlags(db(), minor.slug, [
      { side: 'left', category: 'privacy', severity: 'medium' },
    ]);
    let queued = (await listReviewQueue(db())).map((i) => i.responseId);
    expect(queued).toContain(seriousLeft);
    expect(queued).not.toContain(minorLeft);
    // a second annotator flags the same response (whichever side it is shown on)
    const { user } = await makeUser(db());
    const lease = (await nextPair(db(), {
      annotator: { id: user.id, languages: [], domains: [] },
      projectSlug: minor.slug,
      rng: createRng(2),
    }))!;
    const side = lease.left_response_id === minorLeft ? 'left' : 'right';
    await submitJudgment(db(), user.id, {
      judgmentId: randomUUID(),
      assignmentId: lease.assignment_id,
      fields: { helpfulness: 0, safety: 0, flags: [{ side, category: 'privacy', severity: 'low' }] },
    });
    const queue = await listReviewQueue(db());
    queued = queue.map((i) => i.responseId);
    expect(queued).toContain(minorLeft);
    expect(queued.indexOf(seriousLeft)).toBeLessThan(queued.indexOf(minorLeft));
    expect(queue.find((i) => i.responseId === minorLeft)).toMatchObject({ annotators: 2, worst: 'medium' });
    expect(await countReviewQueue(db())).toBe(before + 2);
  });

  it('records a decision per flagged category, in the history, and takes the response off the queue', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}] });
    const flagged = await judgeWithFlags(db(), project.slug, [
      { side: 'left', category: 'violence', severity: 'high' },
      { side: 'left', category: 'privacy', severity: 'low' },
    ]);
    const item = (await loadReviewItem(db(), flagged))!;
    expect(item.categories.map((c) => [c.category, c.worst, c.count])).toEqual([
      ['violence', 'high', 1],
      ['privacy', 'low', 1],
    ]);
    expect(item.categories[0]!.rationales).toEqual(['Clearly harmful content.']);
    const { user: reviewer } = await makeUser(db(), { roles: ['safety_reviewer'] });
    await expect(
      decideReview(db(), reviewer.id, {
        responseId: flagged,
        decisions: [
          {
            flagId: item.categories[0]!.flagId,
            decision: 'maybe' as never,
            category: 'violence',
            severity: 'high',
          },
        ],
      }),
    ).rejects.toThrow(/Confirm, dismiss or escalate/);
    await expect(
      decideReview(db(), reviewer.id, {
        responseId: flagged,
        decisions: [{ flagId: randomUUID(), decision: 'confirmed', category: 'violence', severity: 'high' }],
      }),
    ).rejects.toThrow(/does not have/);
    await decideReview(db(), reviewer.id, {
      responseId: flagged,
      decisions: [
        {
          flagId: item.categories[0]!.flagId,
          decision: 'confirmed',
          category: 'violence',
          severity: 'critical',
        },
        { flagId: item.categories[1]!.flagId, decision: 'dismissed', category: 'privacy', severity: 'low' },
      ],
      note: 'Explicit threat.',
    });
    expect((await listReviewQueue(db())).map((i) => i.responseId)).not.toContain(flagged);
    const after = (await loadReviewItem(db(), flagged))!;
    expect(after.reviews.map((r) => [r.decision, r.category, r.severity, r.note]).sort()).toEqual([
      ['confirmed', 'violence', 'critical', 'Explicit threat.'],
      ['dismissed', 'privacy', 'low', 'Explicit threat.'],
    ]);
  });

  it('keeps an escalated response in the queue, marked, until someone confirms or dismisses it', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}] });
    const flagged = await judgeWithFlags(db(), project.slug, [
      { side: 'left', category: 'violence', severity: 'critical' },
    ]);
    const flagId = (await loadReviewItem(db(), flagged))!.categories[0]!.flagId;
    const { user: reviewer } = await makeUser(db(), { roles: ['safety_reviewer'] });
    await decideReview(db(), reviewer.id, {
      responseId: flagged,
      decisions: [{ flagId, decision: 'escalated', category: 'violence', severity: 'critical' }],
    });
    const queue = await listReviewQueue(db());
    expect(queue[0]).toMatchObject({ responseId: flagged, escalated: true });
    await decideReview(db(), reviewer.id, {
      responseId: flagged,
      decisions: [{ flagId, decision: 'confirmed', category: 'violence', severity: 'critical' }],
    });
    expect((await listReviewQueue(db())).map((i) => i.responseId)).not.toContain(flagged);
  });
});
