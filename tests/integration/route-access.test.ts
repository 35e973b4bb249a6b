import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../db/schema';
import { availableBackends } from '../setup/db';
import { makeUser } from '../setup/factories';
import { type Client, useTestServer } from '../setup/server';
import {
  expectedActionStatus,
  expectedStatus,
  fillPath,
  ROUTE_ACCESS,
  seedRouteIds,
  type Actor,
  type RouteIds,
} from './route-access';

const build = (await import(pathToFileURL(path.resolve('build/index.js')).href)) as {
  routes: Record<string, { id: string; path?: string; index?: boolean; module: { action?: unknown } }>;
};
const routeIds = Object.keys(build.routes).filter((id) => id !== 'root');

describe('route access table', () => {
  it('has a rule for every route in the app, and none for routes that are gone', () => {
    expect(routeIds.filter((id) => !(id in ROUTE_ACCESS))).toEqual([]);
    expect(Object.keys(ROUTE_ACCESS).filter((id) => !routeIds.includes(id))).toEqual([]);
  });

  it('says "no action" exactly for the routes that export none', () => {
    const wrong = routeIds.filter(
      (id) =>
        (ROUTE_ACCESS[id]?.action.kind === 'none') !==
        (typeof build.routes[id]!.module.action !== 'function'),
    );
    expect(wrong).toEqual([]);
  });
});

for (const backend of availableBackends()) {
  describe(`role matrix [${backend}]`, () => {
    const server = useTestServer(backend);
    const clients = new Map<Actor, Client>();
    const logins = new Map<Actor, { email: string; password: string }>();
    let ids: RouteIds;

    beforeAll(async () => {
      clients.set('anonymous', server.client());
      ids = await seedRouteIds(server.db());
      for (const role of ROLES) {
        const { user, password } = await makeUser(server.db(), { roles: [role] });
        if (role === 'admin') ids.userId = user.id;
        const client = server.client();
        await client.login(user.email, password);
        clients.set(role, client);
        logins.set(role, { email: user.email, password });
      }
    });

    const fill = (template: string) => fillPath(template, ids);

    const actors: Actor[] = ['anonymous', ...ROLES];
    for (const [id, { rule, path: template }] of Object.entries(ROUTE_ACCESS)) {
      it(`${id}: ${actors.map((a) => `${a}→${expectedStatus(rule, a)}`).join(' ')}`, async () => {
        const url = fill(template);
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

    for (const [id, { action, path: template }] of Object.entries(ROUTE_ACCESS)) {
      it(`POST ${id}: ${actors.map((a) => `${a}→${expectedActionStatus(action, a)}`).join(' ')}`, async () => {
        const url = fill(template);
        for (const actor of actors) {
          const client = clients.get(actor)!;
          const response = await client.post(url, {});
          const body = await response.text();
          expect(`${actor} POST ${url} → ${response.status}`).toBe(
            `${actor} POST ${url} → ${expectedActionStatus(action, actor)}`,
          );
          if (response.status === 302 && actor === 'anonymous' && action.kind !== 'public')
            expect(response.headers.get('location')).toMatch(/^\/login/);
          const resource = url.startsWith('/api/') || (action.kind === 'roles' && action.resource);
          if (response.status === 403 && !resource)
            expect(body).toContain('You don&#x27;t have access to this page');
          if (response.status === 403 && resource)
            expect(JSON.parse(body)).toMatchObject({ kind: 'forbidden' });
          if (action.kind === 'token' || url.startsWith('/api/'))
            expect(response.headers.get('content-type')).toContain('application/json');
          // a POST that ended the session (sign-out) must not leak into the next route's checks
          if (actor !== 'anonymous' && client.cookies.size === 0) {
            const { email, password } = logins.get(actor)!;
            await client.login(email, password);
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
