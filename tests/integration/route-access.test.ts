import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../db/schema';
import { availableBackends } from '../setup/db';
import { makePreferenceProject, makeUser } from '../setup/factories';
import { type Client, useTestServer } from '../setup/server';
import { expectedStatus, ROUTE_ACCESS, type Actor } from './route-access';

const build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as {
  routes: Record<string, { id: string; path?: string; index?: boolean }>;
};
const routeIds = Object.keys(build.routes).filter((id) => id !== 'root');

describe('route access table', () => {
  it('has a rule for every route in the app, and none for routes that are gone', () => {
    expect(routeIds.filter((id) => !(id in ROUTE_ACCESS))).toEqual([]);
    expect(Object.keys(ROUTE_ACCESS).filter((id) => !routeIds.includes(id))).toEqual([]);
  });
});

for (const backend of availableBackends()) {
  describe(`role matrix [${backend}]`, () => {
    const server = useTestServer(backend);
    const clients = new Map<Actor, Client>();
    let adminId = '';
    let projectSlug = '';
    let pairId = '';
    let itemId = '';
    let exportId = '';

    beforeAll(async () => {
      clients.set('anonymous', server.client());
      const project = await makePreferenceProject(server.db(), { prompts: [{}] });
      projectSlug = project.slug;
      pairId = (
        await server
          .db()
          .selectFrom('pairs')
          .select('id')
          .where('project_id', '=', project.id)
          .executeTakeFirstOrThrow()
      ).id;
      const { createProject } = await import('../../tasks/projects');
      const sentiment = await createProject(
        server.db(),
        { slug: `ra-items-${Date.now()}`, name: 'Items', type: 'sentiment' },
        {},
      );
      itemId = (
        await server
          .db()
          .insertInto('sentiment_items')
          .values({ project_id: sentiment.id, text: 'A fine day.', content_hash: 'ra-item' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      // a ready snapshot (an empty file) for the export pages
      exportId = (
        await server
          .db()
          .insertInto('exports')
          .values({
            project_id: project.id,
            format: 'trl',
            status: 'ready',
            row_count: 0,
            byte_size: 0,
            sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      for (const role of ROLES) {
        const { user, password } = await makeUser(server.db(), { roles: [role] });
        if (role === 'admin') adminId = user.id;
        const client = server.client();
        await client.login(user.email, password);
        clients.set(role, client);
      }
    });

    const actors: Actor[] = ['anonymous', ...ROLES];
    for (const [id, { rule, path: template }] of Object.entries(ROUTE_ACCESS)) {
      it(`${id}: ${actors.map((a) => `${a}→${expectedStatus(rule, a)}`).join(' ')}`, async () => {
        const url = template
          .replace(':userId', adminId)
          .replace(':projectSlug', projectSlug)
          .replace(':pairId', pairId)
          .replace(':itemId', itemId)
          .replace(':exportId', exportId);
        for (const actor of actors) {
          const response = await clients.get(actor)!.get(url);
          const body = await response.text();
          expect(`${actor} GET ${url} → ${response.status}`).toBe(
            `${actor} GET ${url} → ${expectedStatus(rule, actor)}`,
          );
          if (
            response.status === 302 &&
            actor === 'anonymous' &&
            rule.kind !== 'post-only' &&
            rule.kind !== 'public'
          ) {
            expect(response.headers.get('location')).toMatch(/^\/login/);
          }
          if (response.status === 403 && !(rule.kind === 'roles' && rule.resource))
            expect(body).toContain('You don&#x27;t have access to this page');
          if (response.status === 403 && rule.kind === 'roles' && rule.resource)
            expect(JSON.parse(body)).toMatchObject({ kind: 'forbidden' });
          if (response.status === 404 && !url.startsWith('/api/')) expect(body).toContain('Page not found');
          if (rule.kind === 'token' || url.startsWith('/api/')) {
            expect(response.headers.get('content-type')).toContain('application/json');
          }
        }
      });
    }

    it('refuses admin actions from non-admins with 403 and changes nothing', async () => {
      const target = await makeUser(server.db(), { roles: ['annotator'] });
      for (const actor of ['annotator', 'lead', 'researcher', 'safety_reviewer'] as const) {
        const response = await clients
          .get(actor)!
          .post(`/admin/users/${target.user.id}`, { intent: 'roles', roles: 'admin' });
        expect(response.status).toBe(403);
        const create = await clients
          .get(actor)!
          .post('/admin/users', { email: `x-${actor}@example.org`, roles: 'admin' });
        expect(create.status).toBe(403);
      }
      const row = await server
        .db()
        .selectFrom('users')
        .select('roles')
        .where('id', '=', target.user.id)
        .executeTakeFirstOrThrow();
      expect(row.roles).toEqual(['annotator']);
      const created = await server
        .db()
        .selectFrom('users')
        .select('id')
        .where('email', 'like', 'x-%@example.org')
        .execute();
      expect(created).toEqual([]);
    });
  });
}
