import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { findJob, insertJob } from '../db/queries/jobs';
import { findModelByJob, insertNextModelVersion } from '../db/queries/models';
import { listPairScores } from '../db/queries/pair-scores';
import { describeDb } from '../tests/setup/db';
import { makeJudgedProject, makeJudgment, makeUser, type JudgedProject } from '../tests/setup/factories';
import { loadArtefactBytes } from '../reward/artefact';
import { predictiveUncertainty } from '../reward/predict';
import { startWorker } from './jobs';
import { UserInputError } from './errors';
import {
  activateModel,
  loadJudgedPairs,
  mergeJudgmentsByPair,
  REWARD_TRAIN_JOB,
  startRewardTraining,
  trainingPairsFromJudgments,
} from './reward-training';
import { runRewardTrainingJob } from './reward-training-job';
import { scorePairAdHoc, scorerCache } from './reward-scoring';
import { unpackArtefact } from './model-artefacts';
import { refreshQualityReport } from './quality/refresh';
import { reliabilityWeights } from './quality/weights';
import { setReliabilityWeights } from '../tests/setup/reliability-fixtures';

const actorOf = (user: { id: string; email: string }) => ({ userId: user.id, email: user.email, ip: null });

/** Runs the job worker until `jobId` has finished, then stops it. */
async function runJob(db: Kysely<Database>, jobId: string) {
  const stop = startWorker(db, {
    handlers: { [REWARD_TRAIN_JOB]: runRewardTrainingJob },
    pollMs: 20,
    name: 'test-worker',
    log: () => undefined,
  });
  try {
    for (let i = 0; i < 1200; i++) {
      const job = await findJob(db, jobId);
      if (job && (job.status === 'succeeded' || job.status === 'failed')) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the training job did not finish in 60 s');
  } finally {
    await stop();
  }
}

describeDb('reward training from judgments', ({ db }) => {
  let fixture: JudgedProject;

  it('turns judgments into training pairs: canonical A/B, graded weights, ties, filters, stable order', async () => {
    fixture = await makeJudgedProject(db());
    const pairs = await trainingPairsFromJudgments(db(), fixture.projectId, 'helpfulness');
    expect(pairs).toHaveLength(fixture.pairs.length * 2);
    const judged = await loadJudgedPairs(db(), fixture.projectId, 'helpfulness');
    for (const { pairId, pair } of judged) {
      const aIsGood = fixture.pairs.find((p) => p.id === pairId)!.aIsGood;
      expect(pair.a.startsWith('Good question')).toBe(aIsGood);
      expect(pair.prompt).toMatch(/^Can you explain /);
      if (pair.target !== 0.5) expect(pair.target).toBe(aIsGood ? 1 : 0);
      expect([0.5, 1, 1.5]).toContain(pair.weight);
    }
    expect(judged.filter((j) => j.pair.target === 0.5).every((j) => j.pair.weight === 1)).toBe(true);
    expect(judged.filter((j) => j.pair.target === 0.5).length).toBeGreaterThan(0);
    // the same order every time
    expect((await loadJudgedPairs(db(), fixture.projectId, 'helpfulness')).map((j) => j.judgmentId)).toEqual(
      judged.map((j) => j.judgmentId),
    );
    // safety was never scored: every judgment is a tie there
    expect(
      (await trainingPairsFromJudgments(db(), fixture.projectId, 'safety')).every((p) => p.target === 0.5),
    ).toBe(true);
    const de = await trainingPairsFromJudgments(db(), fixture.projectId, 'helpfulness', {
      languages: ['de'],
    });
    expect(de).toHaveLength(20);
    const science = await trainingPairsFromJudgments(db(), fixture.projectId, 'helpfulness', {
      languages: ['de'],
      domains: ['science'],
    });
    expect(science).toHaveLength(4);
    const future = await trainingPairsFromJudgments(db(), fixture.projectId, 'helpfulness', {
      since: '2999-01-01',
    });
    expect(future).toEqual([]);
    await expect(
      trainingPairsFromJudgments(db(), fixture.projectId, 'helpfulness', { since: 'yesterday' }),
    ).rejects.toThrow(/Enter a date like/);
  });

  it('weights each judgment by the annotator’s reliability and leaves repeat judgments out', async () => {
    const judged = await loadJudgedPairs(db(), fixture.projectId, 'helpfulness');
    const annotator = judged[0]!.annotatorId;
    const weighted = await loadJudgedPairs(
      db(),
      fixture.projectId,
      'helpfulness',
      {},
      new Map([[annotator, 0.25]]),
    );
    for (const [i, j] of weighted.entries()) {
      expect(j.pair.weight).toBe(judged[i]!.pair.weight * (j.annotatorId === annotator ? 0.25 : 1));
    }
    await makeJudgment(db(), {
      pairId: fixture.pairs[0]!.id,
      annotatorId: annotator,
      helpfulness: 3,
      isRepeat: true,
    });
    expect(await loadJudgedPairs(db(), fixture.projectId, 'helpfulness')).toHaveLength(judged.length);
  });

  it('refuses annotators, and refuses at once when too few judgments decide a winner', async () => {
    const { user: annotator } = await makeUser(db(), { roles: ['annotator'] });
    const refused = await startRewardTraining(db(), actorOf(annotator), fixture.slug, {
      axis: 'helpfulness',
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserInputError);
    expect((refused as UserInputError).code).toBe('forbidden');
    await expect(
      startRewardTraining(db(), actorOf(fixture.lead), fixture.slug, { axis: 'safety' }),
    ).rejects.toThrow(
      /^Only 0 judgments decide a winner on safety \(ties don't count\); a model needs at least 20\./,
    );
    await expect(
      startRewardTraining(db(), actorOf(fixture.lead), fixture.slug, {
        axis: 'helpfulness',
        filter: { languages: ['de'], domains: ['science'], since: null },
      }),
    ).rejects.toThrow(/^Only 2 judgments decide a winner on helpfulness/);
    await expect(
      startRewardTraining(db(), actorOf(fixture.lead), fixture.slug, { axis: 'helpfulness', seed: -1 }),
    ).rejects.toThrow('The seed is 0 or more.');
  });

  it('trains in the background: a ready version with held-out metrics well above chance', async () => {
    const jobId = await startRewardTraining(db(), actorOf(fixture.lead), fixture.slug, {
      axis: 'helpfulness',
      seed: 3,
    });
    const job = await runJob(db(), jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.progress).toMatchObject({ judgments: 80, pairs: 40 });
    const model = (await findModelByJob(db(), jobId))!;
    expect(model).toMatchObject({
      version: 1,
      status: 'ready',
      is_active: false,
      axis: 'helpfulness',
      kind: 'reward',
      created_by: fixture.lead.id,
    });
    const metrics = model.metrics as Record<string, any>;
    // one example per pair: 40 pairs, 8 of them held out
    expect(metrics.train_pairs).toBe(32);
    expect(metrics.test_pairs).toBe(8);
    expect(metrics.test.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(metrics.judgments).toBe(80);
    expect(metrics.learning_curve.length).toBeGreaterThan(1);
    expect(metrics.top_features.length).toBeGreaterThan(0);
    expect(model.snapshot).toMatchObject({
      seed: 3,
      axis: 'helpfulness',
      pairs: 40,
      reliabilityWeighted: false,
      reliabilityReport: null,
    });
    expect(job.result).toMatchObject({ modelId: model.id, version: 1, activated: false, testPairs: 8 });
    const row = await db()
      .selectFrom('models')
      .select('artefact')
      .where('id', '=', model.id)
      .executeTakeFirst();
    // stored compressed: a trained head is mostly zeros
    expect(row!.artefact!.length).toBeLessThan(1_000_000);
    const { manifest, scorer } = await loadArtefactBytes(await unpackArtefact(row!.artefact!));
    expect(manifest.axis).toBe('helpfulness');
    await scorer.dispose();
  });

  it('activates a version when asked: one active per project and axis, every pair scored by it', async () => {
    const jobId = await startRewardTraining(db(), actorOf(fixture.lead), fixture.slug, {
      axis: 'helpfulness',
      seed: 4,
      activate: true,
    });
    const job = await runJob(db(), jobId);
    expect(job.status).toBe('succeeded');
    const second = (await findModelByJob(db(), jobId))!;
    expect(second).toMatchObject({ version: 2, is_active: true });
    expect(job.result).toMatchObject({ activated: true, scoredPairs: fixture.pairs.length });
    const scores = await listPairScores(db(), { projectId: fixture.projectId, axis: 'helpfulness' });
    expect(scores).toHaveLength(fixture.pairs.length);
    expect(new Set(scores.map((s) => s.model_id))).toEqual(new Set([second.id]));
    let right = 0;
    for (const score of scores) {
      // a confident model saturates σ to exactly 0 or 1 in double precision
      expect(score.probability_a).toBeGreaterThanOrEqual(0);
      expect(score.probability_a).toBeLessThanOrEqual(1);
      expect(score.uncertainty).toBeCloseTo(predictiveUncertainty(score.probability_a), 6);
      expect(score.spread).toBeGreaterThanOrEqual(0);
      const aIsGood = fixture.pairs.find((p) => p.id === score.pair_id)!.aIsGood;
      if (score.probability_a > 0.5 === aIsGood) right++;
      // P(A) is the members' mean of σ(r_k(A) − r_k(B)), not σ of the mean rewards, so the two
      // can disagree in sign near ½ when members straddle zero; away from ½ they must agree
      if (Math.abs(score.probability_a - 0.5) > 0.1) {
        expect(score.reward_a > score.reward_b).toBe(score.probability_a > 0.5);
      }
    }
    expect(right / scores.length).toBeGreaterThan(0.9);

    // switching back to version 1 replaces the scores and keeps one active version
    const first = (await db()
      .selectFrom('models')
      .select('id')
      .where('project_id', '=', fixture.projectId)
      .where('version', '=', 1)
      .executeTakeFirst())!;
    const activation = await activateModel(db(), first.id, actorOf(fixture.lead));
    expect(activation).toMatchObject({
      version: 1,
      previousModelId: second.id,
      scored: 40,
      superseded: false,
    });
    const active = await db()
      .selectFrom('models')
      .select(['id'])
      .where('project_id', '=', fixture.projectId)
      .where('is_active', '=', true)
      .execute();
    expect(active.map((m) => m.id)).toEqual([first.id]);
    const after = await listPairScores(db(), { projectId: fixture.projectId, axis: 'helpfulness' });
    expect(after).toHaveLength(40);
    expect(new Set(after.map((s) => s.model_id))).toEqual(new Set([first.id]));
    const event = await db()
      .selectFrom('audit_log')
      .select(['actor_email', 'details'])
      .where('event', '=', 'model.activated')
      .where('target_id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(event.actor_email).toBe(fixture.lead.email);
    expect(event.details).toMatchObject({ version: 1, previous: second.id, axis: 'helpfulness' });
  });

  it('refuses to activate a version that is not ready', async () => {
    const training = await db()
      .transaction()
      .execute((trx) =>
        insertNextModelVersion(trx, {
          projectId: fixture.projectId,
          kind: 'reward',
          axis: 'helpfulness',
          formatVersion: 1,
          jobId: null,
          createdBy: null,
        }),
      );
    await expect(activateModel(db(), training.id, actorOf(fixture.lead))).rejects.toThrow(
      `Version ${training.version} is still training; only a ready model can be activated.`,
    );
    await db().deleteFrom('models').where('id', '=', training.id).execute();
  });

  it('scores a typed pair through ONNX, and keeps the loaded model for the next request', async () => {
    const model = (await db()
      .selectFrom('models')
      .select('id')
      .where('project_id', '=', fixture.projectId)
      .where('is_active', '=', true)
      .executeTakeFirst())!;
    const score = await scorePairAdHoc(db(), model.id, {
      prompt: 'Can you explain tides?',
      a: 'No idea about tides, search it yourself.',
      b: 'Good question about tides. Here is a worked example, step by step, and why each step matters.',
    });
    expect(score.probabilityA).toBeLessThan(0.5);
    expect(score.rewardB).toBeGreaterThan(score.rewardA);
    expect(score.uncertainty).toBeCloseTo(predictiveUncertainty(score.probabilityA), 9);
    expect(score.spread).toBeGreaterThanOrEqual(0);
    expect(scorerCache(db()).keys()).toContain(model.id);
  });

  it('a retried job reuses the version its first attempt created', async () => {
    const jobId = await insertJob(db(), {
      kind: REWARD_TRAIN_JOB,
      projectId: fixture.projectId,
      createdBy: fixture.lead.id,
      payload: {
        projectId: fixture.projectId,
        axis: 'helpfulness',
        filter: { languages: [], domains: [], since: null },
        seed: 5,
        activate: false,
      },
    });
    // the first attempt created its row and then its process died
    const orphan = await db()
      .transaction()
      .execute((trx) =>
        insertNextModelVersion(trx, {
          projectId: fixture.projectId,
          kind: 'reward',
          axis: 'helpfulness',
          formatVersion: 1,
          jobId,
          createdBy: fixture.lead.id,
        }),
      );
    const job = await runJob(db(), jobId);
    expect(job.status).toBe('succeeded');
    const model = (await findModelByJob(db(), jobId))!;
    expect(model.id).toBe(orphan.id);
    expect(model).toMatchObject({ version: orphan.version, status: 'ready' });
    const versions = await db()
      .selectFrom('models')
      .select('version')
      .where('project_id', '=', fixture.projectId)
      .orderBy('version')
      .execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('fails a job with too few decided judgments permanently, saying how many there are, and creates no version', async () => {
    const jobId = await insertJob(db(), {
      kind: REWARD_TRAIN_JOB,
      projectId: fixture.projectId,
      payload: {
        projectId: fixture.projectId,
        axis: 'safety',
        filter: { languages: [], domains: [], since: null },
        seed: 1,
        activate: true,
      },
    });
    const job = await runJob(db(), jobId);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toBe(
      "Only 0 judgments decide a winner on safety (ties don't count); a model needs at least 20. Collect more judgments or widen the filter.",
    );
    expect(await findModelByJob(db(), jobId)).toBeUndefined();
  });

  it('weighs the judgments by annotator reliability when the project says so, and records it on the version', async () => {
    await setReliabilityWeights(db(), fixture.projectId, true);
    const { reportId } = await refreshQualityReport(db(), fixture.projectId);
    const weights = await reliabilityWeights(db(), fixture.projectId);
    expect(weights.size).toBe(2);
    const plain = await trainingPairsFromJudgments(db(), fixture.projectId, 'helpfulness');
    const weighted = await trainingPairsFromJudgments(db(), fixture.projectId, 'helpfulness', {}, weights);
    const judged = await loadJudgedPairs(db(), fixture.projectId, 'helpfulness');
    weighted.forEach((pair, i) =>
      expect(pair.weight).toBeCloseTo(plain[i]!.weight * weights.get(judged[i]!.annotatorId)!, 12),
    );

    const jobId = await startRewardTraining(db(), actorOf(fixture.lead), fixture.slug, {
      axis: 'helpfulness',
      seed: 6,
    });
    const job = await runJob(db(), jobId);
    expect(job.status).toBe('succeeded');
    const model = (await findModelByJob(db(), jobId))!;
    expect(model.snapshot).toMatchObject({
      seed: 6,
      reliabilityWeighted: true,
      reliabilityReport: { id: reportId, annotators: 2, computedAt: expect.any(String) },
    });
    expect((model.snapshot as { sources: string[] }).sources[0]).toContain(`quality report ${reportId}`);
    await setReliabilityWeights(db(), fixture.projectId, false);
  });
});

it('merges the judgments of one pair into one example with the weighted mean target', () => {
  const pair = (target: number, weight: number) => ({ prompt: 'p', a: 'a', b: 'b', target, weight });
  const merged = mergeJudgmentsByPair([
    { judgmentId: '1', pairId: 'x', annotatorId: 'u', pair: pair(1, 1.5) },
    { judgmentId: '2', pairId: 'y', annotatorId: 'u', pair: pair(0.5, 1) },
    { judgmentId: '3', pairId: 'x', annotatorId: 'v', pair: pair(0, 0.5) },
    { judgmentId: '4', pairId: 'z', annotatorId: 'v', pair: pair(1, 0) },
  ]);
  expect(merged).toEqual([pair(0.75, 2), pair(0.5, 1)]);
});
