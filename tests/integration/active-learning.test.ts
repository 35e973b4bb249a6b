/**
 * The active-learning loop on the embedded store and on PostgreSQL: judgments through the real
 * queue → after N of them a refresh job is queued → it trains and activates a reward model, ranks
 * the open pairs with the project's policy and rewrites the queue → annotators then get what the
 * policy chose (a split pair again first, the most uncertain fresh pairs next), a pair with a clear
 * consensus stops early, and a pair someone holds keeps its place.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { Database } from '../../db/schema';
import { findJob } from '../../db/queries/jobs';
import { findActiveModel } from '../../db/queries/models';
import { QUEUE_REFRESH_JOB, runQueueRefreshJob } from '../../tasks/active-learning/refresh';
import { submitJudgment } from '../../tasks/judgments';
import { updateProjectSettings } from '../../tasks/projects';
import { nextPair } from '../../tasks/queue';
import { createRng } from '../../tasks/rng';
import { describeDb } from '../setup/db';
import { makeJudgment, makePreferenceProject, makeUser } from '../setup/factories';

const TOPICS =
  'bread tides taxes vaccines rust chess sourdough orbits glaciers loans pottery joins compost jetlag violins mortgages bees regex solar knitting volcanoes rebase cheese marathons owls bonds kites printers tea lichens fonts ferries sleep lenses yeast maps soap bridges moss clocks'.split(
    ' ',
  );
const good = (t: string) =>
  `Good question about ${t}. Here is a worked example, step by step, and why each step matters.`;
const bad = (t: string) => `No idea about ${t}, search it yourself.`;

async function runRefresh(db: Kysely<Database>, jobId: string) {
  const job = (await findJob(db, jobId))!;
  await db.updateTable('jobs').set({ status: 'running' }).where('id', '=', jobId).execute();
  const result = await runQueueRefreshJob(job, { db, progress: async () => {} });
  await db.updateTable('jobs').set({ status: 'succeeded' }).where('id', '=', jobId).execute();
  return result as Record<string, unknown> & { ranked: number; reasked: number; stopped: number };
}

describeDb('the active-learning loop', ({ db }) => {
  it('retrains after N judgments, re-ranks the queue by the policy and leaves leased pairs alone', async () => {
    const project = await makePreferenceProject(db(), {
      redundancy: 3,
      prompts: TOPICS.map((t, i) => ({
        text: `Can you explain ${t}?`,
        responseTexts: i % 2 ? [good(t), bad(t)] : [bad(t), good(t)],
      })),
    });
    const pairs = await db()
      .selectFrom('pairs as p')
      .innerJoin('responses as ra', 'ra.id', 'p.response_a_id')
      .select(['p.id', 'p.response_a_id', 'p.response_b_id', 'ra.text as a_text'])
      .where('p.project_id', '=', project.id)
      .orderBy('p.id')
      .execute();
    const aIsGood = new Map(pairs.map((p) => [p.id, p.a_text.startsWith('Good')]));
    const { user: lead } = await makeUser(db(), { roles: ['lead'] });
    const people = await Promise.all(Array.from({ length: 4 }, () => makeUser(db())));

    // the lead turns the loop on: a refresh job (no retraining yet) is queued at once
    const outcome = await updateProjectSettings(
      db(),
      project.id,
      { alPolicy: 'hybrid', alRetrainEvery: 30 },
      { userId: lead.id },
    );
    expect(outcome.queueRefreshJobId).not.toBeNull();
    const first = await runRefresh(db(), outcome.queueRefreshJobId!);
    expect(first).toMatchObject({
      policy: 'hybrid',
      modelId: null,
      training: null,
      candidates: 40,
      ranked: 40,
    });

    // 36 judgments on 18 pairs (two each, for the good reply), straight into the store
    for (const pair of pairs.slice(0, 18))
      for (const person of people.slice(0, 2))
        await makeJudgment(db(), {
          pairId: pair.id,
          annotatorId: person.user.id,
          helpfulness: aIsGood.get(pair.id) ? -2 : 2,
        });
    // one pair splits: one answer each way
    const split = pairs[18]!;
    await makeJudgment(db(), { pairId: split.id, annotatorId: people[0]!.user.id, helpfulness: -2 });
    await makeJudgment(db(), { pairId: split.id, annotatorId: people[1]!.user.id, helpfulness: 2 });
    // and one splits 2–1 at the redundancy of 3: it may collect a fourth answer
    const wide = pairs[19]!;
    const towardGood = aIsGood.get(wide.id) ? -2 : 2;
    for (const [k, score] of [towardGood, towardGood, -towardGood].entries())
      await makeJudgment(db(), { pairId: wide.id, annotatorId: people[k]!.user.id, helpfulness: score });

    // a judgment through the real queue is what notices that 30 arrived since the last refresh
    const annotator = { id: people[2]!.user.id, languages: [], domains: [] };
    const lease = (await nextPair(db(), { annotator, projectSlug: project.slug, rng: createRng(1) }))!;
    await submitJudgment(db(), annotator.id, {
      judgmentId: randomUUID(),
      assignmentId: lease.assignment_id,
      fields: { helpfulness: 1, safety: 0 },
    });
    const queued = await db()
      .selectFrom('jobs')
      .select(['id', 'payload'])
      .where('project_id', '=', project.id)
      .where('kind', '=', QUEUE_REFRESH_JOB)
      .where('status', '=', 'queued')
      .execute();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.payload).toMatchObject({ train: true });

    // someone holds a fresh pair while the job runs: it must keep its place
    const holder = { id: people[3]!.user.id, languages: [], domains: [] };
    const held = (await nextPair(db(), { annotator: holder, projectSlug: project.slug, rng: createRng(2) }))!;
    const before = await db()
      .selectFrom('pairs')
      .select(['priority', 'target_judgments', 'queue_boost'])
      .where('id', '=', held.pair_id)
      .executeTakeFirstOrThrow();

    const refreshed = await runRefresh(db(), queued[0]!.id);
    const model = await findActiveModel(db(), { projectId: project.id, kind: 'reward', axis: 'helpfulness' });
    expect(model).toBeDefined();
    expect(refreshed.modelId).toBe(model!.id);
    expect(refreshed.training).toMatchObject({ modelId: model!.id, activated: true, scoredPairs: 40 });
    expect(refreshed.reasked).toBeGreaterThanOrEqual(1);
    expect(refreshed.stopped).toBeGreaterThanOrEqual(10);
    const after = await db()
      .selectFrom('pairs')
      .select(['priority', 'target_judgments', 'queue_boost'])
      .where('id', '=', held.pair_id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);

    // split pairs are asked again ahead of everything (the boost cancels their answers in the
    // breadth-first order); the 2–1 pair may go past the redundancy, up to the cap
    const splitRow = await db()
      .selectFrom('pairs')
      .select(['target_judgments', 'queue_boost'])
      .where('id', '=', split.id)
      .executeTakeFirstOrThrow();
    expect(splitRow).toEqual({ target_judgments: null, queue_boost: 2 });
    const wideRow = await db()
      .selectFrom('pairs')
      .select(['target_judgments', 'queue_boost'])
      .where('id', '=', wide.id)
      .executeTakeFirstOrThrow();
    expect(wideRow).toEqual({ target_judgments: 4, queue_boost: 3 });
    const newcomer = await makeUser(db());
    const next = (await nextPair(db(), {
      annotator: { id: newcomer.user.id, languages: [], domains: [] },
      projectSlug: project.slug,
      rng: createRng(3),
    }))!;
    // what the newcomer gets first is a pair asked again (the two above, or the queue-submitted
    // single answer the model now contradicts), not a fresh one
    const served = await db()
      .selectFrom('pairs')
      .select(['judgment_count', 'queue_boost'])
      .where('id', '=', next.pair_id)
      .executeTakeFirstOrThrow();
    expect(served.judgment_count).toBeGreaterThan(0);
    expect(served.queue_boost).toBe(served.judgment_count);

    // unanimous pairs the model agrees with stop at two answers instead of three
    const stoppedRows = await db()
      .selectFrom('pairs')
      .select(['id', 'target_judgments'])
      .where('project_id', '=', project.id)
      .where('target_judgments', '=', 2)
      .whereRef('target_judgments', '=', 'judgment_count')
      .execute();
    expect(stoppedRows.length).toBe(refreshed.stopped);
    expect(stoppedRows.every((r) => pairs.slice(0, 18).some((p) => p.id === r.id))).toBe(true);

    // the refresh is on record for the models screen
    const history = await db()
      .selectFrom('queue_refreshes')
      .select(['policy', 'model_id', 'judgments', 'reasked'])
      .where('project_id', '=', project.id)
      .orderBy('created_at')
      .execute();
    expect(history).toHaveLength(2);
    expect(history[1]).toMatchObject({ policy: 'hybrid', model_id: model!.id, judgments: 42 });
  }, 120_000);

  it('ranks fresh pairs by the model’s uncertainty under the uncertainty policy', async () => {
    const project = await makePreferenceProject(db(), {
      redundancy: 1,
      prompts: TOPICS.slice(0, 12).map((t) => ({ text: `Explain ${t}?`, responses: 2 })),
    });
    const ids = (
      await db().selectFrom('pairs').select('id').where('project_id', '=', project.id).orderBy('id').execute()
    ).map((r) => r.id);
    // stored scores stand in for an active model: pair k has P(A ≻ B) = 0.5 + 0.04 k
    const { user } = await makeUser(db(), { roles: ['lead'] });
    const { insertNextModelVersion } = await import('../../db/queries/models');
    const model = await db()
      .transaction()
      .execute((trx) =>
        insertNextModelVersion(trx, {
          projectId: project.id,
          kind: 'reward',
          axis: 'helpfulness',
          formatVersion: 1,
          jobId: null,
          createdBy: user.id,
          snapshot: {},
        }),
      );
    await db()
      .updateTable('models')
      .set({ status: 'ready', is_active: true })
      .where('id', '=', model.id)
      .execute();
    await db()
      .insertInto('pair_scores')
      .values(
        ids.map((id, k) => ({
          pair_id: id,
          axis: 'helpfulness' as const,
          model_id: model.id,
          reward_a: 0,
          reward_b: 0,
          probability_a: 0.5 + 0.04 * k,
          uncertainty: 0,
          spread: 0,
        })),
      )
      .execute();
    const outcome = await updateProjectSettings(
      db(),
      project.id,
      { alPolicy: 'uncertainty' },
      { userId: user.id },
    );
    await runRefresh(db(), outcome.queueRefreshJobId!);
    const served: string[] = [];
    for (let i = 0; i < 4; i++) {
      const person = await makeUser(db());
      const lease = (await nextPair(db(), {
        annotator: { id: person.user.id, languages: [], domains: [] },
        projectSlug: project.slug,
        rng: createRng(i),
      }))!;
      served.push(lease.pair_id);
    }
    expect(served).toEqual(ids.slice(0, 4));
  });

  it('still ranks the queue, and records the refresh, when the model cannot be trained', async () => {
    // 24 decided judgments on 6 pairs: enough judgments, too few distinct pairs for a model
    const project = await makePreferenceProject(db(), {
      redundancy: 5,
      prompts: TOPICS.slice(0, 6).map((t) => ({ text: `Why ${t}?`, responseTexts: [good(t), bad(t)] })),
    });
    const ids = (
      await db().selectFrom('pairs').select('id').where('project_id', '=', project.id).execute()
    ).map((r) => r.id);
    const people = await Promise.all(Array.from({ length: 4 }, () => makeUser(db())));
    for (const id of ids)
      for (const person of people)
        await makeJudgment(db(), { pairId: id, annotatorId: person.user.id, helpfulness: -2 });
    const { user } = await makeUser(db(), { roles: ['lead'] });
    await updateProjectSettings(
      db(),
      project.id,
      { alPolicy: 'hybrid', alRetrainEvery: 5 },
      { userId: user.id },
    );
    const jobId = (
      await db()
        .selectFrom('jobs')
        .select('id')
        .where('project_id', '=', project.id)
        .where('kind', '=', QUEUE_REFRESH_JOB)
        .executeTakeFirstOrThrow()
    ).id;
    await db()
      .updateTable('jobs')
      .set({ payload: JSON.stringify({ projectId: project.id, train: true }) })
      .where('id', '=', jobId)
      .execute();
    const result = await runRefresh(db(), jobId);
    expect(result.training).toEqual({ error: expect.stringMatching(/at least 10/) });
    expect(result).toMatchObject({ modelId: null, candidates: 6 });
    const history = await db()
      .selectFrom('queue_refreshes')
      .select('id')
      .where('project_id', '=', project.id)
      .execute();
    expect(history).toHaveLength(1);
  }, 60_000);

  it('re-ranks when the selection settings change, not when the form is saved as it was', async () => {
    const project = await makePreferenceProject(db(), {
      redundancy: 2,
      prompts: [{ text: 'One?' }, { text: 'Two?' }],
    });
    const { user } = await makeUser(db(), { roles: ['lead'] });
    const form = {
      alPolicy: 'hybrid' as const,
      alRetrainEvery: '50',
      alAxis: 'helpfulness' as const,
      alCap: '5',
      alExploration: '0.1',
    };
    const first = await updateProjectSettings(db(), project.id, form, { userId: user.id });
    expect(first.queueRefreshJobId).not.toBeNull();
    await runRefresh(db(), first.queueRefreshJobId!);
    // the settings form sends every field each time: an unchanged policy queues nothing
    const again = await updateProjectSettings(
      db(),
      project.id,
      { ...form, name: 'Renamed' },
      { userId: user.id },
    );
    expect(again.queueRefreshJobId).toBeNull();
    const changed = await updateProjectSettings(
      db(),
      project.id,
      { ...form, alCap: '3' },
      { userId: user.id },
    );
    expect(changed.queueRefreshJobId).not.toBeNull();
  });
});
