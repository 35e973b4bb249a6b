import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJob } from '../db/queries/jobs';
import { forbidNetwork } from '../reward/testing/no-network';
import { writeTinySentimentModel } from '../reward/testing/tiny-sentiment-model';
import { describeDb } from '../tests/setup/db';
import { makeUser } from '../tests/setup/factories';
import { importSentiment } from './import/sentiment';
import type { JobRow } from '../db/queries/jobs';
import { createProject, updateProjectSettings } from './projects';
import { runCycleNow } from './sentiment-cycle';
import { nextItem, submitLabel } from './sentiment-labels';
import { pretrainedColumns } from './sentiment-prelabel';
import { runReprelabelJob } from './sentiment-reprelabel';

describe('pretrainedColumns', () => {
  it("matches the model's classes to the project's labels by name, case aside, or by an explicit map", () => {
    expect(pretrainedColumns(['NEGATIVE', 'POSITIVE'], ['positive', 'negative', 'neutral'], {})).toEqual([
      1, 0, -1,
    ]);
    expect(
      pretrainedColumns(['LABEL_0', 'LABEL_1'], ['good', 'bad'], { LABEL_0: 'bad', LABEL_1: 'good' }),
    ).toEqual([1, 0]);
  });

  it('says what is wrong with a map, and refuses a model none of whose classes map', () => {
    expect(() => pretrainedColumns(['LABEL_0', 'LABEL_1'], ['good', 'bad'], {})).toThrow(
      /none of its classes \(LABEL_0, LABEL_1\).*label map such as LABEL_0=good/,
    );
    expect(() => pretrainedColumns(['NEG', 'POS'], ['good', 'bad'], { POSITIVE: 'good' })).toThrow(
      'the model has no class "POSITIVE" (it has NEG, POS)',
    );
    expect(() => pretrainedColumns(['NEG', 'POS'], ['good', 'bad'], { POS: 'great' })).toThrow(
      'the project has no label "great" (it has good, bad)',
    );
  });
});

let modelsDir: string;
forbidNetwork();
beforeAll(() => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-cold-start-'));
});
afterAll(() => fs.rmSync(modelsDir, { recursive: true, force: true }));

const TEXTS = [
  'A great little cafe.',
  'The heater arrived broken.',
  'The shop opens at nine.',
  'I love the new layout.',
  'An awful wait at the desk.',
  'Good value for the price.',
];

describeDb('a pretrained cold-start model', ({ db, backend }) => {
  // the library memoizes model lookups by id for the whole process: one id per backend and use
  const modelId = (use: string) => `test/${backend}-${use}`;
  const context = () => ({ modelsDir });

  async function project(texts: string[] = TEXTS) {
    const p = await createProject(
      db(),
      { slug: `cs-${randomUUID().slice(0, 8)}`, name: 'Cold start', type: 'sentiment', redundancy: 1 },
      {},
    );
    await updateProjectSettings(db(), p.id, { holdoutRate: 0, autoAcceptThreshold: 0.6 }, {});
    if (texts.length)
      await importSentiment(db(), () => Readable.from([['text', ...texts].join('\n')]), {
        projectId: p.id,
        format: 'csv',
        modelsDir,
      });
    return p;
  }

  async function prelabels(projectId: string) {
    return db()
      .selectFrom('sentiment_items as i')
      .innerJoin('prelabels as p', 'p.id', 'i.prelabel_id')
      .select(['i.text', 'i.route', 'p.label', 'p.source', 'p.confidence'])
      .where('i.project_id', '=', projectId)
      .orderBy('i.text')
      .execute();
  }

  /** Runs a queued job the way the worker would, with the worker's model directory. */
  async function runJob(id: string) {
    const job = (await findJob(db(), id)) as JobRow;
    return runReprelabelJob(job, { db: db(), progress: async () => undefined, modelsDir });
  }

  it('refuses a model that is not in the model directory, naming the field and what is missing', async () => {
    const p = await project([]);
    const missing = updateProjectSettings(db(), p.id, { coldStartModel: modelId('absent') }, {}, context());
    await expect(missing).rejects.toMatchObject({ field: 'coldStartModel' });
    await expect(missing).rejects.toThrow(`no directory ${path.join(modelsDir, modelId('absent'))}`);
    writeTinySentimentModel(modelsDir, modelId('somewhere'));
    await expect(
      updateProjectSettings(db(), p.id, { coldStartModel: modelId('somewhere') }, {}, {}),
    ).rejects.toThrow('No model directory is configured (ARBITER_MODELS_DIR).');
  });

  it('refuses classes that do not map onto the labels, and takes an explicit map', async () => {
    writeTinySentimentModel(modelsDir, modelId('map'));
    const p = await createProject(
      db(),
      { slug: `cs-${randomUUID().slice(0, 8)}`, name: 'Mapped', type: 'sentiment', labelSet: ['up', 'down'] },
      {},
    );
    await expect(
      updateProjectSettings(db(), p.id, { coldStartModel: modelId('map') }, {}, context()),
    ).rejects.toThrow(
      /none of its classes \(NEGATIVE, POSITIVE\) is one of the project's labels \(up, down\)/,
    );
    await expect(
      updateProjectSettings(
        db(),
        p.id,
        { coldStartModel: modelId('map'), coldStartLabelMap: 'POSITIVE=up,NEGATIVE=sideways' },
        {},
        context(),
      ),
    ).rejects.toMatchObject({
      field: 'coldStartLabelMap',
      message: expect.stringContaining('no label "sideways"'),
    });
    await expect(
      updateProjectSettings(db(), p.id, { coldStartLabelMap: 'POSITIVE up' }, {}, context()),
    ).rejects.toThrow(/write model label=project label/);
    const saved = await updateProjectSettings(
      db(),
      p.id,
      { coldStartModel: modelId('map'), coldStartLabelMap: 'POSITIVE=up,NEGATIVE=down' },
      {},
      context(),
    );
    // no items yet, but the pass is queued all the same
    expect(saved.prelabelJobId).toEqual(expect.any(String));
  });

  it('pre-labels imports with the model; its guesses go to people, never accepted, and say where they came from', async () => {
    writeTinySentimentModel(modelsDir, modelId('import'));
    const p = await project([]);
    await updateProjectSettings(db(), p.id, { coldStartModel: modelId('import') }, {}, context());
    const report = await importSentiment(db(), () => Readable.from([['text', ...TEXTS].join('\n')]), {
      projectId: p.id,
      format: 'csv',
      modelsDir,
    });
    expect(report).toMatchObject({
      prelabeledBy: 'pretrained',
      prelabelModel: modelId('import'),
      prelabelNote: null,
    });
    expect(report.routing).toMatchObject({ human: 6, auto: 0, audit: 0 });
    const rows = await prelabels(p.id);
    expect(rows.every((r) => r.source === 'pretrained' && r.route === 'human')).toBe(true);
    const byText = new Map(rows.map((r) => [r.text, r]));
    expect(byText.get('A great little cafe.')!.label).toBe('positive');
    expect(byText.get('The heater arrived broken.')!.label).toBe('negative');
    // confident, above the 0.6 threshold, and still with people: nothing measured it here
    expect(byText.get('A great little cafe.')!.confidence).toBeGreaterThan(0.6);
  });

  it('falls back to the word list, saying why, when the configured model has gone', async () => {
    const dir = writeTinySentimentModel(modelsDir, modelId('gone'));
    const p = await project([]);
    await updateProjectSettings(db(), p.id, { coldStartModel: modelId('gone') }, {}, context());
    fs.rmSync(path.join(dir, 'onnx'), { recursive: true });
    const report = await importSentiment(db(), () => Readable.from([['text', ...TEXTS].join('\n')]), {
      projectId: p.id,
      format: 'csv',
      modelsDir,
    });
    expect(report.prelabeledBy).toBe('lexicon');
    expect(report.prelabelNote).toMatch(
      new RegExp(`cold-start model ${modelId('gone')} was not used: .*missing onnx/model\\.onnx`),
    );
  });

  it('re-pre-labels the waiting items in a job when the cold start changes, leaving labelled items alone', async () => {
    writeTinySentimentModel(modelsDir, modelId('switch'));
    const p = await project();
    expect((await prelabels(p.id)).every((r) => r.source === 'lexicon')).toBe(true);
    const { user } = await makeUser(db());
    const lease = (await nextItem(db(), {
      annotator: { id: user.id, languages: [], domains: [] },
      projectSlug: p.slug,
    }))!;
    await submitLabel(db(), user.id, {
      labelId: randomUUID(),
      assignmentId: lease.assignment_id,
      label: 'neutral',
    });

    const saved = await updateProjectSettings(
      db(),
      p.id,
      { coldStartModel: modelId('switch') },
      {},
      context(),
    );
    expect(saved.prelabelJobId).toEqual(expect.any(String));
    const result = (await runJob(saved.prelabelJobId!)) as { by: string; routing: { human: number } };
    expect(result).toMatchObject({ by: modelId('switch'), note: null, routing: { human: 5 } });
    const rows = await prelabels(p.id);
    const labelled = await db()
      .selectFrom('sentiment_items')
      .select('text')
      .where('id', '=', lease.unit_id)
      .executeTakeFirstOrThrow();
    for (const r of rows) expect(r.source).toBe(r.text === labelled.text ? 'lexicon' : 'pretrained');

    // back to the word list: at once, no job
    const off = await updateProjectSettings(db(), p.id, { coldStartModel: 'none' }, {}, context());
    expect(off.prelabelJobId).toBeNull();
    expect((await prelabels(p.id)).every((r) => r.source === 'lexicon')).toBe(true);
  });

  it("is what a first retraining cycle measures as 'before'", async () => {
    writeTinySentimentModel(modelsDir, modelId('cycle'));
    const texts = Array.from({ length: 24 }, (_, i) =>
      i % 2 ? `A great visit (number ${i}).` : `The kettle arrived broken (number ${i}).`,
    );
    const p = await createProject(
      db(),
      { slug: `cs-${randomUUID().slice(0, 8)}`, name: 'Cycle', type: 'sentiment', redundancy: 1 },
      {},
    );
    await updateProjectSettings(
      db(),
      p.id,
      { holdoutRate: 0.25, coldStartModel: modelId('cycle') },
      {},
      context(),
    );
    await importSentiment(db(), () => Readable.from([['text', ...texts].join('\n')]), {
      projectId: p.id,
      format: 'csv',
      modelsDir,
    });
    const { user } = await makeUser(db());
    for (;;) {
      const lease = await nextItem(db(), {
        annotator: { id: user.id, languages: [], domains: [] },
        projectSlug: p.slug,
      });
      if (!lease) break;
      const item = await db()
        .selectFrom('sentiment_items')
        .select('text')
        .where('id', '=', lease.unit_id)
        .executeTakeFirstOrThrow();
      await submitLabel(db(), user.id, {
        labelId: randomUUID(),
        assignmentId: lease.assignment_id,
        label: item.text.includes('great') ? 'positive' : 'negative',
      });
    }
    const outcome = await runCycleNow(db(), { email: 'test' }, p.slug, {}, () => undefined, context());
    expect(outcome.cycle.before_source).toBe('pretrained');
    // the tiny model knows these cue words: it is right on every held-out item
    expect(outcome.before!.accuracy).toBe(1);
  });
});
