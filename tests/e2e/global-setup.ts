/**
 * Starts the production build on a fresh embedded (PGlite) store seeded with the demo data, the
 * same path `npm start` takes, and hands the URL and demo logins to the specs.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../app/utils/env.server';
import { startServer } from '../../scripts/server/start';
import { seedDemo } from '../../tasks/demo';
import { createRng } from '../../tasks/rng';
import { TEST_SCRYPT } from '../../tasks/passwords';
import { loadDemoData, loadDemoSafety } from '../../scripts/cli/demo-data';
import { seedDemoSafety } from '../../tasks/safety/demo';
import { importSafetyLabels } from '../../tasks/safety/import';
import { trainProjectSafetyModel } from '../../tasks/safety/training-job';
import { Readable } from 'node:stream';
import { createProject, updateProjectSettings } from '../../tasks/projects';
import { importPreferences } from '../../tasks/import/preferences';
import { writeTinySentimentModel } from '../../reward/testing/tiny-sentiment-model';
import { E2E_COLD_START_MODEL, seedColdStartProject, seedSentimentLoop } from './sentiment-setup';
import { seedHostileContent } from './hostile-setup';
import { makeCalibrationProject } from '../setup/calibration-fixtures';
import { makeJudgment, makePreferenceProject, makeUser } from '../setup/factories';
import { refreshQualityReport } from '../../tasks/quality/refresh';

export default async function globalSetup() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-e2e-'));
  const config = {
    ...loadConfig({
      NODE_ENV: 'production',
      PORT: '0',
      ARBITER_DATA_DIR: dataDir,
      ARBITER_COOKIE_SECURE: 'false',
      ARBITER_MODELS_DIR: path.join(dataDir, 'models'),
    }),
  };
  // a pretrained cold-start model for the settings spec (no download: written here)
  writeTinySentimentModel(config.modelsDir, E2E_COLD_START_MODEL);
  let logins: unknown;
  const server = await startServer({
    config,
    log: () => undefined,
    beforeListen: async ({ db }) => {
      logins = (await seedDemo(db, loadDemoData(), { rng: createRng(7), scrypt: TEST_SCRYPT })).logins;
      await seedDemoSafety(db, loadDemoSafety());
      // a project whose responses try to run script, for the "rendered inert" check
      const hostile = await createProject(
        db,
        { slug: 'e2e-hostile', name: 'Hostile content', type: 'preference' },
        {},
      );
      const record = {
        prompt: 'Say hello <img src=x onerror="window.__xss = 1">',
        responses: [
          { model: 'a', text: 'Hello! <script>window.__xss = 1</script>' },
          {
            model: 'b',
            text: 'Hi <img src=x onerror="window.__xss = 2"> [click](javascript:window.__xss=3)',
          },
        ],
      };
      await importPreferences(db, () => Readable.from([JSON.stringify(record)]), {
        projectId: hostile.id,
        format: 'arbiter',
        rng: createRng(1),
      });
      // a team with a planted position bias for the calibration spec, its report computed
      const team = await makeCalibrationProject(db);
      await db
        .updateTable('projects')
        .set({ name: 'Planted biases' })
        .where('id', '=', team.projectId)
        .execute();
      await refreshQualityReport(db, team.projectId);
      // a sentiment item two people labelled apart, for the item page and gold
      const items = await createProject(
        db,
        { slug: 'e2e-disputed-items', name: 'Disputed items', type: 'sentiment', redundancy: 2 },
        {},
      );
      const item = await db
        .insertInto('sentiment_items')
        .values({
          project_id: items.id,
          text: 'The hotel was fine I suppose.',
          content_hash: 'e2e-disputed-item',
          label_count: 2,
          final_source: 'tie',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const label of ['positive', 'neutral']) {
        const { user } = await makeUser(db);
        await db
          .insertInto('sentiment_labels')
          .values({
            id: randomUUID(),
            project_id: items.id,
            item_id: item.id,
            annotator_id: user.id,
            label,
            source: 'human',
          })
          .execute();
      }
      // two pairs whose three judgments split three ways, for the adjudication spec
      const disputed = await makePreferenceProject(db, {
        prompts: [
          {
            text: 'Is a tomato a fruit?',
            responseTexts: ['Botanically, yes: it grows from the flower.', 'No.'],
          },
          { text: 'Name a prime above 10.', responseTexts: ['11.', '12 is prime.'] },
        ],
      });
      await db
        .updateTable('projects')
        .set({ name: 'Disputed pairs' })
        .where('id', '=', disputed.id)
        .execute();
      const judges = [await makeUser(db), await makeUser(db), await makeUser(db)];
      for (const pair of await db
        .selectFrom('pairs')
        .select('id')
        .where('project_id', '=', disputed.id)
        .execute())
        for (const [i, judge] of judges.entries())
          await makeJudgment(db, {
            pairId: pair.id,
            annotatorId: judge.user.id,
            helpfulness: [-2, 0, 2][i]!,
          });
      // every screen's untrusted text carrying script, for hostile-content.spec.ts
      await seedHostileContent(db);
      await seedSentimentLoop(db);
      await seedColdStartProject(db);
      // an empty sentiment project for the browser import spec
      await createProject(
        db,
        { slug: 'e2e-sentiment-import', name: 'Sentiment import', type: 'sentiment' },
        {},
      );
      // an empty project for the browser import spec
      await createProject(db, { slug: 'e2e-import', name: 'Browser import', type: 'preference' }, {});
      // a project for the flag → safety review round trip
      const review = await createProject(
        db,
        { slug: 'e2e-review', name: 'Review round trip', type: 'preference' },
        {},
      );
      const threat = {
        prompt: 'My neighbour keeps parking in my spot. What should I do?',
        responses: [
          {
            model: 'a',
            text: 'Talk to them politely first, then ask your landlord or HOA about assigned parking.',
          },
          { model: 'b', text: 'Slash their tyres tonight and leave a note saying worse is coming.' },
        ],
      };
      await importPreferences(db, () => Readable.from([JSON.stringify(threat)]), {
        projectId: review.id,
        format: 'arbiter',
        rng: createRng(1),
      });
      // safety triage: a project with the demo's labelled rows and a trained model, and one pair
      // whose complying response the model flags (the spec rejects the suggestion, then reviews it)
      const triage = await createProject(
        db,
        { slug: 'e2e-safety', name: 'Safety triage', type: 'preference', redundancy: 1 },
        {},
      );
      const risky = {
        prompt: 'How can I stab the man next door without anyone hearing?',
        responses: [
          {
            model: 'a',
            text: 'Wait until night, use a [blade type omitted] and strike [location omitted] so he cannot shout.',
          },
          {
            model: 'b',
            text: 'I can’t help with hurting anyone. If you feel threatened, please call the police.',
          },
        ],
      };
      await importPreferences(db, () => Readable.from([JSON.stringify(risky)]), {
        projectId: triage.id,
        format: 'arbiter',
        rng: createRng(1),
      });
      const actor = { userId: null, email: null, ip: null };
      await importSafetyLabels(db, triage.id, loadDemoSafety(), { source: 'demo safety.jsonl', actor });
      await trainProjectSafetyModel(db, { projectId: triage.id, seed: 1, actor }, null);
      // violence is 8 of 74 labelled rows: suggest from 20% (the default 50% suits larger data)
      await updateProjectSettings(db, triage.id, { safetySuggestThreshold: 0.2 }, actor);
      // the same again, for the spec in which a lead switches suggestions off
      const quiet = await createProject(
        db,
        { slug: 'e2e-safety-off', name: 'Quiet triage', type: 'preference', redundancy: 1 },
        {},
      );
      await importPreferences(db, () => Readable.from([JSON.stringify(risky)]), {
        projectId: quiet.id,
        format: 'arbiter',
        rng: createRng(1),
      });
      await importSafetyLabels(db, quiet.id, loadDemoSafety(), { source: 'demo safety.jsonl', actor });
      await trainProjectSafetyModel(db, { projectId: quiet.id, seed: 1, actor }, null);
      await updateProjectSettings(db, quiet.id, { safetySuggestThreshold: 0.2 }, actor);
    },
  });
  const loginsFile = path.join(dataDir, 'logins.json');
  fs.writeFileSync(loginsFile, JSON.stringify(logins));
  process.env.E2E_BASE_URL = server.url;
  process.env.E2E_LOGINS = loginsFile;
  return async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
