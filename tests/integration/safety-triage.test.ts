/**
 * Safety triage end to end on both databases: imported labels train the harm classifier, its
 * scores send an unflagged response to review, reviewers' decisions retrain it and change the
 * queue's order, suggestions shown to annotators are recorded with what they did, and each model
 * version is measured against the decisions.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { describeDb } from '../setup/db';
import { makePreferenceProject, makeUser } from '../setup/factories';
import { importSafetyLabels } from '../../tasks/safety/import';
import { scoreNewResponses, trainProjectSafetyModel } from '../../tasks/safety/training-job';
import { measureSafetyModels } from '../../tasks/safety/measure';
import { decideReview, listReviewQueue, loadReviewItem } from '../../tasks/safety-review';
import { updateProjectSettings } from '../../tasks/projects';
import { nextPair, loadPairView } from '../../tasks/queue';
import { submitJudgment } from '../../tasks/judgments';
import { createRng } from '../../tasks/rng';
import type { SafetyRow } from '../../tasks/safety/files';
import { insertNextModelVersion } from '../../db/queries/models';
import { SAFETY_AXIS } from '../../tasks/safety/active';

const FILLER = [
  'the',
  'garden',
  'river',
  'market',
  'winter',
  'letter',
  'window',
  'number',
  'silver',
  'forest',
];
const VIOLENT = { 'violence,aiding_and_abetting,incitement': true };

/** Labelled rows: unsafe ones say "zorblax", safe ones "quillon", among seeded filler words. */
function labelledRows(count: number, seed: number): SafetyRow[] {
  const rng = createRng(seed);
  const filler = () => Array.from({ length: 6 }, () => FILLER[Math.floor(rng() * FILLER.length)]).join(' ');
  return Array.from({ length: count }, (_, i) => {
    const unsafe = i % 2 === 0;
    return {
      line: i + 2,
      prompt: `Tell me about ${filler()} number ${seed}-${i}`,
      response: `${filler()} ${unsafe ? 'zorblax' : 'quillon'} ${filler()}`,
      isSafe: !unsafe,
      categories: unsafe ? VIOLENT : {},
    };
  });
}

/** Moves another project's prompts (and so their responses) into `to`; returns the responses. */
async function moveResponses(db: Kysely<Database>, from: string, to: string) {
  const responses = await db
    .selectFrom('responses as r')
    .innerJoin('prompts as q', 'q.id', 'r.prompt_id')
    .select(['r.id', 'r.text'])
    .where('q.project_id', '=', from)
    .execute();
  await db.updateTable('prompts').set({ project_id: to }).where('project_id', '=', from).execute();
  return responses;
}

async function ourQueue(db: Kysely<Database>, ids: string[]) {
  return (await listReviewQueue(db, 500)).filter((i) => ids.includes(i.responseId));
}

const actor = { userId: null, email: null, ip: null };

describeDb('safety triage', ({ db }) => {
  it('needs enough labelled responses, and says so', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}] });
    await expect(
      trainProjectSafetyModel(db(), { projectId: project.id, seed: 1, actor }, null),
    ).rejects.toThrow(/needs at least 20 labelled responses with 5 or more of each kind; this project has 0/);
  });

  it('a retried training job reuses its version and activates it once', async () => {
    const project = await makePreferenceProject(db(), { prompts: [{}] });
    await importSafetyLabels(db(), project.id, labelledRows(24, 5), { source: 'test.csv', actor });
    // a worker died after creating the version: the row waits in "training"
    const jobId = randomUUID();
    const started = await db()
      .transaction()
      .execute((trx) =>
        insertNextModelVersion(trx, {
          projectId: project.id,
          kind: 'safety',
          axis: SAFETY_AXIS,
          formatVersion: 1,
          jobId,
          createdBy: null,
        }),
      );
    const retried = await trainProjectSafetyModel(db(), { projectId: project.id, seed: 1, actor }, jobId);
    expect(retried).toMatchObject({ modelId: started.id, version: 1 });
    // and a retry after the model was stored only activates and scores
    const again = await trainProjectSafetyModel(db(), { projectId: project.id, seed: 1, actor }, jobId);
    expect(again).toMatchObject({ modelId: started.id, version: 1, scored: 0 });
    const models = await db()
      .selectFrom('models')
      .select(['version', 'status', 'is_active'])
      .where('project_id', '=', project.id)
      .execute();
    expect(models).toEqual([{ version: 1, status: 'ready', is_active: true }]);
  });

  it('pre-flags responses, sends risky unflagged ones to review, and retrains on reviewers’ decisions', async () => {
    // two responses waiting to be judged: one with the imported data's harm word, one with its safe word
    const project = await makePreferenceProject(db(), {
      redundancy: 1,
      prompts: [
        {
          text: 'How do I do this?',
          responseTexts: ['garden zorblax river market', 'garden quillon river market'],
        },
      ],
    });
    const responses = await db()
      .selectFrom('responses as r')
      .innerJoin('prompts as q', 'q.id', 'r.prompt_id')
      .select(['r.id', 'r.text'])
      .where('q.project_id', '=', project.id)
      .execute();
    const harmWord = responses.find((r) => r.text.includes('zorblax'))!.id;
    const safeWord = responses.find((r) => r.text.includes('quillon'))!.id;
    await importSafetyLabels(db(), project.id, labelledRows(24, 1), { source: 'test.csv', actor });

    const first = await trainProjectSafetyModel(db(), { projectId: project.id, seed: 1, actor }, null);
    expect(first).toMatchObject({ version: 1, examples: 24 });
    expect(first.scored).toBe(26);
    // nobody flagged it, but the model scores it above the threshold: it waits for review
    let queue = await ourQueue(db(), [harmWord, safeWord]);
    expect(queue.map((i) => i.responseId)).toEqual([harmWord]);
    expect(queue[0]).toMatchObject({ sentByModel: true, worst: null, flags: 0 });
    expect(queue[0]!.risk!).toBeGreaterThan(0.5);
    const item = (await loadReviewItem(db(), harmWord))!;
    expect(item.risk).toMatchObject({ version: 1 });
    expect(item.categories[0]).toMatchObject({ category: 'violence', flagId: null });
    // imported, already-labelled responses never wait for review, however risky
    const importedIds = (
      await db()
        .selectFrom('response_safety_labels')
        .select('response_id')
        .where('project_id', '=', project.id)
        .execute()
    ).map((r) => r.response_id);
    expect(await ourQueue(db(), importedIds)).toEqual([]);

    // the annotator sees the suggestion, leaves it unchecked; what they did is kept
    const { user: annotator } = await makeUser(db());
    const lease = (await nextPair(db(), {
      annotator: { id: annotator.id, languages: [], domains: [] },
      projectSlug: project.slug,
      rng: createRng(3),
    }))!;
    const view = (await loadPairView(db(), lease.assignment_id, annotator.id))!;
    const harmSide = view.left.id === harmWord ? 'left' : 'right';
    expect(view.suggestions![harmSide].map((s) => s.category)).toEqual(['violence']);
    expect(view.suggestions![harmSide === 'left' ? 'right' : 'left']).toEqual([]);
    const judgmentId = randomUUID();
    await submitJudgment(db(), annotator.id, {
      judgmentId,
      assignmentId: lease.assignment_id,
      fields: { helpfulness: 0, safety: 0, flags: [] },
    });
    const outcomes = await db()
      .selectFrom('flag_suggestions')
      .selectAll()
      .where('judgment_id', '=', judgmentId)
      .execute();
    expect(outcomes).toMatchObject([{ response_id: harmWord, category: 'violence', accepted: false }]);

    // two more responses nobody judges (the judged ones are now "seen, not flagged" evidence);
    // with every response in the queue, its order can be compared before and after retraining
    const later = await makePreferenceProject(db(), {
      prompts: [
        { text: 'A later question', responseTexts: ['forest zorblax silver', 'forest quillon silver'] },
      ],
    });
    const laterResponses = await moveResponses(db(), later.id, project.id);
    const zorblax = laterResponses.find((r) => r.text.includes('zorblax'))!.id;
    const quillon = laterResponses.find((r) => r.text.includes('quillon'))!.id;
    expect(await scoreNewResponses(db(), project.id)).toMatchObject({ scored: 2 });
    await updateProjectSettings(db(), project.id, { safetyRiskThreshold: 0 }, actor);
    queue = await ourQueue(db(), [zorblax, quillon]);
    expect(queue.map((i) => i.responseId)).toEqual([zorblax, quillon]);
    // reviewers teach the opposite of the imported data: "zorblax" is harmless, "quillon" harmful
    const { user: reviewer } = await makeUser(db(), { roles: ['safety_reviewer'] });
    // texts like the imported ones (seeded filler around the word), so that the word is the cue
    const rows = labelledRows(60, 2);
    const taught = await makePreferenceProject(db(), {
      prompts: Array.from({ length: 30 }, (_, i) => ({
        text: `Another question ${i}`,
        responseTexts: [rows[2 * i]!.response, rows[2 * i + 1]!.response],
      })),
    });
    const taughtResponses = await moveResponses(db(), taught.id, project.id);
    // v1 scores them as they arrive, as an import would have it do
    expect(await scoreNewResponses(db(), project.id)).toMatchObject({ scored: 60 });
    for (const r of taughtResponses)
      await decideReview(db(), reviewer.id, {
        responseId: r.id,
        decisions: [
          {
            flagId: null,
            decision: r.text.includes('quillon') ? 'confirmed' : 'dismissed',
            category: 'privacy',
            severity: 'medium',
          },
        ],
      });

    const second = await trainProjectSafetyModel(db(), { projectId: project.id, seed: 1, actor }, null);
    expect(second.version).toBe(2);
    expect(second.counts).toMatchObject({ reviewed: 60, imported: 24, unflagged: 2 });
    queue = await ourQueue(db(), [zorblax, quillon]);
    expect(queue.map((i) => i.responseId)).toEqual([quillon, zorblax]);
    expect(queue[0]!.risk!).toBeGreaterThan(queue[1]!.risk!);

    // each version measured against the decisions, at its own threshold: v2 was trained on them,
    // v1 saw all of them live
    await updateProjectSettings(db(), project.id, { safetyRiskThreshold: 'model' }, actor);
    const versions = await measureSafetyModels(db(), project.id);
    expect(versions.map((v) => [v.version, v.isActive])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(versions[1]!.live.decided).toBe(60);
    expect(versions[1]!.live.recall).toBe(0); // v1 scored every "quillon" response as safe
    expect(versions[0]!.all).toMatchObject({ decided: 60, harmful: 30 });
    expect(versions[0]!.all.recall!).toBeGreaterThan(0.9);
    expect(versions[1]!.suggestions).toEqual({ shown: 1, accepted: 0 });
  });
});
