import { beforeAll, describe, expect, it } from 'vitest';
import { availableBackends } from '../setup/db';
import { makeJudgedProject, makeUser, type JudgedProject } from '../setup/factories';
import { useTestServer, type Client } from '../setup/server';
import { createProject } from '../../tasks/projects';

/** The page as people read it (React separates adjacent text with <!-- --> comments). */
async function page(client: Client, path: string) {
  const response = await client.get(path);
  return { status: response.status, html: (await response.text()).replaceAll('<!-- -->', '') };
}

/** The action's JSON, as the page's own scripts receive it (a Remix data request). */
const ACTION = '/models?_data=routes%2Fmodels';

async function waitForTraining(client: Client, location: string) {
  for (let i = 0; i < 600; i++) {
    const { html } = await page(client, location);
    if (!/Waiting for a worker|Starting…|aria-label="Training progress"/.test(html)) return html;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the training job did not finish');
}

for (const backend of availableBackends()) {
  describe(`the models screen without preference projects [${backend}]`, () => {
    const server = useTestServer(backend);

    it('says where models come from', async () => {
      const { user, password } = await makeUser(server.db(), { roles: ['researcher'] });
      const client = server.client();
      await client.login(user.email, password);
      const { status, html } = await page(client, '/models');
      expect(status).toBe(200);
      expect(html).toContain('No preference projects yet');
      expect(html).not.toContain('Train a new model');
    });
  });

  describe(`the models screen [${backend}]`, () => {
    const server = useTestServer(backend);
    let fixture: JudgedProject;
    let lead: Client;

    beforeAll(async () => {
      fixture = await makeJudgedProject(server.db());
      lead = server.client();
      await lead.login(fixture.lead.email, fixture.leadPassword);
    });

    it('starts with "no models yet" and a training form that knows how many judgments decide', async () => {
      const { status, html } = await page(lead, `/models?project=${fixture.slug}`);
      expect(status).toBe(200);
      expect(html).toContain('No models yet.');
      expect(html).toContain('Train the first model with the form below.');
      expect(html).toContain('Helpfulness (76 decided judgments)');
      expect(html).toContain('Safety (0 decided judgments)');
      expect(html).toContain('Train a model first: scoring needs a ready version.');
    });

    it('says plainly when a project has too few judgments, and refuses to train on them', async () => {
      const empty = await createProject(
        server.db(),
        { slug: `empty-${backend}`, name: 'Nothing judged', type: 'preference' },
        {},
      );
      const { html } = await page(lead, `/models?project=${empty.slug}`);
      expect(html).toContain('Too few judgments to train the first model: 0 decide a winner on helpfulness');
      const response = await lead.post(ACTION, { intent: 'train', project: fixture.slug, axis: 'safety' });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { fieldErrors: Record<string, string> };
      expect(body.fieldErrors.axis).toMatch(/^Only 0 judgments decide a winner on safety/);
      const bad = await lead.post(ACTION, {
        intent: 'train',
        project: fixture.slug,
        axis: 'helpfulness',
        seed: 'x',
        since: 'last week',
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({
        since: 'Enter a date like 2026-11-01.',
        seed: 'The seed is a whole number.',
      });
    });

    it('trains in the background, shows the version with its metrics, and activates it', async () => {
      const response = await lead.post('/models', {
        intent: 'train',
        project: fixture.slug,
        axis: 'helpfulness',
        seed: '2',
        activate: 'on',
      });
      expect(response.status).toBe(302);
      const location = response.headers.get('location')!;
      expect(location).toMatch(new RegExp(`^/models\\?project=${fixture.slug}&job=`));
      const html = await waitForTraining(lead, location);
      expect(html).toMatch(/Version 1 is ready: \d+\.\d% held-out accuracy\. It is now the active model/);
      expect(html).toContain('aria-label="Model versions"');
      expect(html).toContain('Version 1 · helpfulness');
      expect(html).toContain('held-out accuracy');
      expect(html).toContain('Learning curve');
      expect(html).toContain('Accuracy by model certainty');
      expect(html).toContain('Features that raise the reward most');
      const scores = await server
        .db()
        .selectFrom('pair_scores')
        .select('pair_id')
        .where(
          'pair_id',
          'in',
          fixture.pairs.map((p) => p.id),
        )
        .execute();
      expect(scores).toHaveLength(fixture.pairs.length);
    });

    it('scores a typed pair, with field errors for missing responses', async () => {
      const model = await server
        .db()
        .selectFrom('models')
        .select('id')
        .where('project_id', '=', fixture.projectId)
        .executeTakeFirstOrThrow();
      const empty = await lead.post(ACTION, {
        intent: 'score',
        project: fixture.slug,
        modelId: model.id,
        prompt: 'Hi',
        a: ' ',
        b: '',
      });
      expect(empty.status).toBe(400);
      expect(((await empty.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({
        a: 'Enter response A.',
        b: 'Enter response B.',
      });
      const scored = await lead.post(ACTION, {
        intent: 'score',
        project: fixture.slug,
        modelId: model.id,
        prompt: 'Can you explain kites?',
        a: 'Good question about kites. Here is a worked example, step by step, and why each step matters.',
        b: 'No idea about kites, search it yourself.',
      });
      expect(scored.status).toBe(200);
      const { score } = (await scored.json()) as { score: { probabilityA: number; uncertainty: number } };
      expect(score.probabilityA).toBeGreaterThan(0.5);
      expect(score.uncertainty).toBeGreaterThanOrEqual(0);
      expect(score.uncertainty).toBeLessThanOrEqual(1);
    });

    it('lets a researcher activate a version; refuses annotators; 404 for an unknown project', async () => {
      const model = await server
        .db()
        .selectFrom('models')
        .select('id')
        .where('project_id', '=', fixture.projectId)
        .executeTakeFirstOrThrow();
      const { user, password } = await makeUser(server.db(), { roles: ['researcher'] });
      const researcher = server.client();
      await researcher.login(user.email, password);
      const activated = await researcher.post(ACTION, {
        intent: 'activate',
        project: fixture.slug,
        modelId: model.id,
      });
      expect(activated.status).toBe(200);
      expect(await activated.json()).toMatchObject({
        ok: true,
        message: 'Version 1 is now the active helpfulness model; 40 pair(s) scored with it.',
      });
      const { user: annotatorUser, password: annotatorPassword } = await makeUser(server.db());
      const annotator = server.client();
      await annotator.login(annotatorUser.email, annotatorPassword);
      for (const intent of ['train', 'activate', 'score']) {
        const refused = await annotator.post(ACTION, { intent, project: fixture.slug, modelId: model.id });
        expect(refused.status).toBe(403);
      }
      expect((await page(lead, '/models?project=no-such-project')).status).toBe(404);
    });
  });
}
