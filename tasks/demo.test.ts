import { expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { loadDemoData } from '../scripts/cli/demo-data';
import { findJob } from '../db/queries/jobs';
import { findModelByJob } from '../db/queries/models';
import { authenticate } from './accounts';
import { isDatabaseEmpty, seedDemo } from './demo';
import { DEMO_PANEL, DEMO_RANKINGS, demoRankingFor } from './demo-judgments';
import { startWorker } from './jobs';
import { TEST_SCRYPT } from './passwords';
import { REWARD_TRAIN_JOB, startRewardTraining } from './reward-training';
import { runRewardTrainingJob } from './reward-training-job';
import { createRng } from './rng';
import { findProjectBySlug } from '../db/queries/projects';
import { routingSummary } from '../db/queries/sentiment';
import { runCycle, startSentimentCycle } from './sentiment-cycle';

it('ranks the replies of every demo prompt, naming exactly its models', () => {
  const { preference } = loadDemoData();
  const used = new Set<string>();
  for (const record of preference) {
    const messages = record.messages ?? [{ role: 'user' as const, content: record.prompt! }];
    const ranking = demoRankingFor(messages);
    expect(ranking, messages[0]!.content).not.toBeNull();
    used.add(ranking!.prompt);
    expect([...ranking!.ranking].sort()).toEqual(record.responses.map((r) => r.model).sort());
    for (const harmful of ranking!.harmful ?? []) expect(ranking!.ranking).toContain(harmful);
  }
  expect(used.size).toBe(DEMO_RANKINGS.length);
});

describeDb('demo data', ({ db }) => {
  it('seeds both projects and a working login per role, once', async () => {
    expect(await isDatabaseEmpty(db())).toBe(true);
    const summary = await seedDemo(db(), loadDemoData(), { rng: createRng(1), scrypt: TEST_SCRYPT });
    expect(summary.prompts).toBe(40);
    expect(summary.sentimentItems).toBe(200);
    expect(summary.pairs).toBeGreaterThanOrEqual(40);
    expect(new Set(summary.logins.flatMap((l) => l.roles))).toEqual(
      new Set(['admin', 'lead', 'researcher', 'safety_reviewer', 'annotator']),
    );
    for (const login of summary.logins) {
      const result = await authenticate(db(), {
        email: login.email,
        password: login.password,
        ip: '127.0.0.9',
      });
      expect(result.ok).toBe(true);
    }
    const languages = await db().selectFrom('prompts').select('language').distinct().execute();
    expect(languages.map((l) => l.language).sort()).toEqual(['de', 'en', 'es', 'fr']);
    await expect(seedDemo(db(), loadDemoData(), { rng: createRng(1), scrypt: TEST_SCRYPT })).rejects.toThrow(
      /already has/,
    );
  });

  it('comes with the panel’s judgments: every pair judged once or twice, none by the demo’s own people', async () => {
    const judgments = await db()
      .selectFrom('judgments as j')
      .innerJoin('users as u', 'u.id', 'j.annotator_id')
      .select(['j.pair_id', 'j.helpfulness', 'j.safety', 'u.email', 'u.password_hash'])
      .execute();
    expect(judgments.length).toBeGreaterThan(100);
    expect(new Set(judgments.map((j) => j.email))).toEqual(new Set(DEMO_PANEL.map((p) => p.email)));
    // the panel cannot sign in: its accounts have no password
    expect(judgments.every((j) => j.password_hash === null)).toBe(true);
    const pairs = await db()
      .selectFrom('pairs as p')
      .innerJoin('projects as pr', 'pr.id', 'p.project_id')
      .select(['p.id', 'p.judgment_count', 'pr.redundancy'])
      .where('pr.slug', '=', 'demo-preferences')
      .execute();
    for (const pair of pairs) {
      const count = judgments.filter((j) => j.pair_id === pair.id).length;
      expect([1, 2]).toContain(count);
      expect(pair.judgment_count).toBe(count);
      // room is left for the demo's annotators
      expect(pair.judgment_count).toBeLessThan(pair.redundancy);
    }
    expect(judgments.filter((j) => j.helpfulness !== 0).length).toBeGreaterThanOrEqual(100);
    expect(judgments.filter((j) => j.safety !== 0).length).toBeGreaterThanOrEqual(20);
  });

  it('is enough for the demo lead to train a reward model that beats a coin flip', async () => {
    const lead = await db()
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', 'lead@example.org')
      .executeTakeFirstOrThrow();
    const jobId = await startRewardTraining(
      db(),
      { userId: lead.id, email: lead.email },
      'demo-preferences',
      {
        axis: 'helpfulness',
        activate: true,
      },
    );
    const stop = startWorker(db(), {
      handlers: { [REWARD_TRAIN_JOB]: runRewardTrainingJob },
      pollMs: 20,
      log: () => undefined,
    });
    try {
      await expect
        .poll(async () => (await findJob(db(), jobId))?.status, { timeout: 60_000, interval: 100 })
        .toBe('succeeded');
    } finally {
      await stop();
    }
    const model = (await findModelByJob(db(), jobId))!;
    const metrics = model.metrics as { test_pairs: number; test: { accuracy: number } };
    expect(model.is_active).toBe(true);
    expect(metrics.test_pairs).toBeGreaterThanOrEqual(20);
    expect(metrics.test.accuracy).toBeGreaterThan(0.5);
  });

  it('comes with a sentiment project the lead can run a first cycle on, leaving items for the annotators', async () => {
    const project = (await findProjectBySlug(db(), 'demo-sentiment'))!;
    const summary = await routingSummary(db(), project.id);
    expect(summary.items).toBe(200);
    // every held-out item is labelled, so the first cycle is measured on all of them
    expect(summary.holdout).toBeGreaterThan(10);
    expect(summary.holdout_labelled).toBe(summary.holdout);
    expect(summary.human_open).toBeGreaterThan(50);
    const prelabels = await db()
      .selectFrom('prelabels as p')
      .innerJoin('sentiment_items as s', 's.id', 'p.item_id')
      .select('p.source')
      .where('s.project_id', '=', project.id)
      .execute();
    expect(prelabels).toHaveLength(200);
    expect(new Set(prelabels.map((p) => p.source))).toEqual(new Set(['lexicon']));
    const lead = await db()
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', 'lead@example.org')
      .executeTakeFirstOrThrow();
    const outcome = await runCycle(
      db(),
      (await findJob(db(), await startSentimentCycle(db(), { userId: lead.id }, 'demo-sentiment', {})))!,
      () => undefined,
    );
    expect(outcome.cycle.holdout).toBe(summary.holdout);
    // on 120-odd labels of texts written for the demo the model may or may not beat the word list; it is measured either way
    expect(outcome.before!.n).toBe(summary.holdout);
    expect(outcome.after!.accuracy).toBeGreaterThan(0.5);
  });
});
