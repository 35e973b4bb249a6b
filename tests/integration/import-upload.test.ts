import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { availableBackends } from '../setup/db';
import { makeUser } from '../setup/factories';
import { useTestServer, type Client } from '../setup/server';
import { createProject } from '../../tasks/projects';

async function upload(
  client: Client,
  slug: string,
  file: Blob,
  name: string,
  extra: Record<string, string> = {},
) {
  const form = new FormData();
  form.set('file', file, name);
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return client.request(`/projects/${slug}/import`, {
    method: 'POST',
    body: form,
    headers: { Origin: client.base },
  });
}

async function waitForJob(client: Client, location: string) {
  for (let i = 0; i < 200; i++) {
    // React separates adjacent text with <!-- --> comments; people do not see them
    const html = (await (await client.get(location)).text()).replaceAll('<!-- -->', '');
    if (!/Waiting for a worker|Checking every line|Writing \d+ of/.test(html)) return html;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import job did not finish');
}

const LINES = [
  { prompt: 'What is 2 + 2?', chosen: '4', rejected: '5' },
  { prompt: 'Capital of France?', chosen: 'Paris', rejected: 'Lyon' },
];

for (const backend of availableBackends()) {
  describe(`import by upload [${backend}]`, () => {
    const server = useTestServer(backend, { maxUploadBytes: 64 * 1024 });

    it('queues the upload, runs it in the background and reports the outcome', async () => {
      const project = await createProject(
        server.db(),
        { slug: `up-${backend}`, name: 'Upload', type: 'preference' },
        {},
      );
      const { user, password } = await makeUser(server.db(), { roles: ['lead'] });
      const client = server.client();
      await client.login(user.email, password);
      const gz = new Blob([gzipSync(LINES.map((l) => JSON.stringify(l)).join('\n'))]);
      const response = await upload(client, project.slug, gz, 'pairs.jsonl.gz');
      expect(response.status).toBe(302);
      const location = response.headers.get('location')!;
      expect(location).toMatch(new RegExp(`^/projects/${project.slug}/import\\?job=`));
      const html = await waitForJob(client, location);
      expect(html).toContain('Imported 2 record(s) (trl)');
      expect(html).toContain('pairs.jsonl.gz');
      const pairs = await server
        .db()
        .selectFrom('pairs')
        .select('id')
        .where('project_id', '=', project.id)
        .execute();
      expect(pairs).toHaveLength(2);
      const event = await server
        .db()
        .selectFrom('audit_log')
        .select('actor_email')
        .where('event', '=', 'import.completed')
        .where('target_id', '=', project.id)
        .executeTakeFirst();
      expect(event?.actor_email).toBe(user.email);
    });

    it('lists the invalid lines, writes nothing, and refuses oversized or missing files', async () => {
      const project = await createProject(
        server.db(),
        { slug: `bad-${backend}`, name: 'Bad', type: 'preference' },
        {},
      );
      const { user, password } = await makeUser(server.db(), { roles: ['admin'] });
      const client = server.client();
      await client.login(user.email, password);
      const bad = new Blob([
        `${JSON.stringify(LINES[0])}\nnot json\n${JSON.stringify({ prompt: 'x', chosen: 'same', rejected: 'same' })}\n`,
      ]);
      const response = await upload(client, project.slug, bad, 'bad.jsonl');
      const html = await waitForJob(client, response.headers.get('location')!);
      expect(html).toContain('2 line(s) are invalid; nothing was imported.');
      expect(html).toContain('line 2: not valid JSON');
      expect(html).toContain('line 3: needs at least two different responses to compare');
      const written = await server
        .db()
        .selectFrom('prompts')
        .select('id')
        .where('project_id', '=', project.id)
        .execute();
      expect(written).toHaveLength(0);

      const huge = await upload(client, project.slug, new Blob(['x'.repeat(80 * 1024)]), 'huge.jsonl');
      expect(huge.status).toBe(413);
      const empty = await upload(client, project.slug, new Blob([]), 'empty.jsonl');
      expect(empty.status).toBe(400);
      expect(await empty.text()).toContain('Choose a JSONL or JSONL.gz file to import.');
    });

    it('is for leads and admins only', async () => {
      await createProject(server.db(), { slug: `guard-${backend}`, name: 'Guard', type: 'preference' }, {});
      const { user, password } = await makeUser(server.db(), { roles: ['researcher'] });
      const client = server.client();
      await client.login(user.email, password);
      const response = await upload(
        client,
        `guard-${backend}`,
        new Blob([JSON.stringify(LINES[0])]),
        'a.jsonl',
      );
      expect(response.status).toBe(403);
      const jobs = await server.db().selectFrom('jobs').select('id').where('kind', '=', 'import').execute();
      expect(jobs.every(Boolean)).toBe(true);
    });
  });
}
