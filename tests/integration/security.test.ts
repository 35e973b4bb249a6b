import { createCookie } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/client';
import { findSetting } from '../../db/queries/settings';
import { SESSION_COOKIE } from '../../app/utils/session.server';
import { availableBackends, createTestDb } from '../setup/db';
import { makeUser } from '../setup/factories';
import { Client, startTestServer, useTestServer } from '../setup/server';

for (const backend of availableBackends()) {
  describe(`HTTP security [${backend}]`, () => {
    const server = useTestServer(backend, {
      loginLimits: { windowMinutes: 15, maxFailuresPerAccount: 5, maxFailuresPerAddress: 1000 },
      maxBodyBytes: 64 * 1024,
    });

    it('refuses cross-origin form posts before they reach the app', async () => {
      const { user, password } = await makeUser(server.db());
      const evil = server.client();
      const byOrigin = await evil.post(
        '/login',
        { email: user.email, password },
        { headers: { Origin: 'https://evil.example' } },
      );
      expect(byOrigin.status).toBe(403);
      expect(await byOrigin.text()).toMatch(/Cross-origin request refused/);
      const bySite = await evil.request('/login', {
        method: 'POST',
        body: new URLSearchParams({ email: user.email, password }),
        headers: { 'Sec-Fetch-Site': 'cross-site' },
      });
      expect(bySite.status).toBe(403);
      const attempts = await server
        .db()
        .selectFrom('login_attempts')
        .select('id')
        .where('email', '=', user.email)
        .execute();
      expect(attempts).toHaveLength(0);
      expect(evil.cookies.size).toBe(0);

      const signedIn = server.client();
      await signedIn.login(user.email, password);
      const foreign = await signedIn.post(
        '/account',
        { intent: 'logout-everywhere' },
        { headers: { Origin: 'http://attacker.test' } },
      );
      expect(foreign.status).toBe(403);
      expect((await signedIn.get('/')).status).toBe(200);
    });

    it('rate-limits wrong passwords per account, with Retry-After, and logs it', async () => {
      const { user, password } = await makeUser(server.db());
      const client = server.client();
      for (let i = 0; i < 5; i++) {
        const r = await client.post('/login', { email: user.email, password: `wrong-${i}-password` });
        expect(r.status).toBe(401);
        expect(await r.text()).toContain('Wrong email or password.');
      }
      const blocked = await client.post('/login', { email: user.email, password });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await blocked.text()).toMatch(/Too many failed sign-in attempts/);
      const events = await server
        .db()
        .selectFrom('audit_log')
        .select('event')
        .where('actor_email', '=', user.email)
        .execute();
      expect(events.filter((e) => e.event === 'login.failed')).toHaveLength(5);
      expect(events.map((e) => e.event)).toContain('login.rate_limited');
    });

    it('does not accept forged, tampered or ended session cookies', async () => {
      const { user, password } = await makeUser(server.db(), { roles: ['admin'] });
      const client = server.client();
      await client.login(user.email, password);
      const valid = client.cookies.get(SESSION_COOKIE)!;
      expect((await client.get('/admin/users')).status).toBe(200);

      const secrets = (await findSetting<string[]>(server.db(), 'session_secrets'))!;
      const realId = (await createCookie(SESSION_COOKIE, { secrets }).parse(
        `${SESSION_COOKIE}=${valid}`,
      )) as string;
      expect(typeof realId).toBe('string');

      const tries: Record<string, string> = {
        tampered: valid.slice(0, -3) + (valid.endsWith('abc') ? 'xyz' : 'abc'),
        'signed with another secret': (
          await createCookie(SESSION_COOKIE, { secrets: ['not-the-secret'] }).serialize(realId)
        )
          .split(';')[0]!
          .split('=')
          .slice(1)
          .join('='),
        unsigned: Buffer.from(JSON.stringify(realId)).toString('base64'),
        'stored hash as id': (
          await createCookie(SESSION_COOKIE, { secrets }).serialize(
            (
              await server
                .db()
                .selectFrom('sessions')
                .select('id')
                .where('user_id', '=', user.id)
                .executeTakeFirstOrThrow()
            ).id,
          )
        )
          .split(';')[0]!
          .split('=')
          .slice(1)
          .join('='),
      };
      for (const [what, cookie] of Object.entries(tries)) {
        const forger = server.client();
        forger.cookies.set(SESSION_COOKIE, cookie);
        const response = await forger.get('/admin/users');
        expect(`${what}: ${response.status}`).toBe(`${what}: 302`);
      }

      const other = server.client();
      await other.login(user.email, password);
      const out = await client.post('/account', { intent: 'logout-everywhere' });
      expect(out.status).toBe(302);
      expect((await other.get('/admin/users')).status).toBe(302);
      const replay = server.client();
      replay.cookies.set(SESSION_COOKIE, valid);
      expect((await replay.get('/admin/users')).status).toBe(302);
    });

    it('signs the user out when deactivated, at once', async () => {
      const { user, password } = await makeUser(server.db(), { roles: ['lead'] });
      const client = server.client();
      await client.login(user.email, password);
      expect((await client.get('/projects')).status).toBe(200);
      await server.db().updateTable('users').set({ is_active: false }).where('id', '=', user.id).execute();
      expect((await client.get('/projects')).status).toBe(302);
    });

    it('sends security headers and a CSP nonce that matches the page scripts', async () => {
      const response = await server.client().get('/login');
      const csp = response.headers.get('content-security-policy')!;
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await response.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    });

    it('refuses oversized bodies early with 413 and a message', async () => {
      const response = await server
        .client()
        .post('/login', { email: 'a@example.org', password: 'x'.repeat(70 * 1024) });
      expect(response.status).toBe(413);
      expect(await response.text()).toMatch(/too large.*ARBITER_MAX_BODY_BYTES/);
    });

    it('never sends password hashes to the browser or the API', async () => {
      const { user, password } = await makeUser(server.db(), { roles: ['admin', 'researcher'] });
      const client = server.client();
      await client.login(user.email, password);
      for (const page of ['/admin/users', `/admin/users/${user.id}`, '/account', '/']) {
        expect(await (await client.get(page)).text()).not.toContain('scrypt$');
      }
    });

    it('reports health with the database state', async () => {
      const response = await server.client().get('/healthz');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', database: { kind: backend, ok: true } });
    });
  });

  describe(`researchers' API tokens over HTTP [${backend}]`, () => {
    const server = useTestServer(backend);

    async function researcherWithToken(projectScoped = false) {
      const { user, password } = await makeUser(server.db(), { roles: ['researcher'] });
      const client = server.client();
      await client.login(user.email, password);
      let projectId = '';
      if (projectScoped) {
        const slug = `p-${Math.random().toString(36).slice(2, 8)}`;
        projectId = (
          await server
            .db()
            .insertInto('projects')
            .values({ slug, name: slug, type: 'preference', label_set: [] })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
        await server
          .db()
          .insertInto('projects')
          .values({ slug: `${slug}-other`, name: `${slug} other`, type: 'sentiment', label_set: [] })
          .execute();
      }
      const created = await client.post('/account', { intent: 'create-token', name: 'ci', projectId });
      expect(created.status).toBe(200);
      const token = /arb_[A-Za-z0-9_-]{43}/.exec(await created.text())?.[0];
      expect(token).toBeTruthy();
      return { user, client, token: token!, projectId };
    }

    it('accepts a bearer token, refuses it once revoked, and answers JSON errors', async () => {
      const { user, client, token } = await researcherWithToken();
      const anon = await fetch(`${server.url()}/api/v1/me`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toContain('Bearer');
      expect(await anon.json()).toMatchObject({ error: expect.stringContaining('Authorization: Bearer') });

      const me = await fetch(`${server.url()}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      const body = await me.json();
      expect(body.user.email).toBe(user.email);
      expect(JSON.stringify(body)).not.toContain('scrypt');

      const cookieOnly = await client.get('/api/v1/me');
      expect(cookieOnly.status).toBe(401);

      const row = await server
        .db()
        .selectFrom('api_tokens')
        .select('id')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect((await client.post('/account', { intent: 'revoke-token', tokenId: row.id })).status).toBe(200);
      const revoked = await fetch(`${server.url()}/api/v1/me`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(revoked.status).toBe(401);
      const events = await server
        .db()
        .selectFrom('audit_log')
        .select('event')
        .where('actor_token_id', '=', row.id)
        .execute();
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['token.used', 'token.rejected']));
    });

    it('limits a project-scoped token to its project', async () => {
      const { token, projectId } = await researcherWithToken(true);
      const response = await fetch(`${server.url()}/api/v1/projects`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const { projects } = (await response.json()) as { projects: { id: string }[] };
      expect(projects.map((p) => p.id)).toEqual([projectId]);
    });

    it('stops a token when its owner loses the researcher role', async () => {
      const { user, token } = await researcherWithToken();
      await server
        .db()
        .updateTable('users')
        .set({ roles: ['annotator'] })
        .where('id', '=', user.id)
        .execute();
      const response = await fetch(`${server.url()}/api/v1/me`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(403);
    });

    it('does not let annotators create tokens', async () => {
      const { user, password } = await makeUser(server.db(), { roles: ['annotator'] });
      const client = server.client();
      await client.login(user.email, password);
      expect((await client.post('/account', { intent: 'create-token', name: 'sneaky' })).status).toBe(403);
    });
  });

  describe(`session secret rotation [${backend}]`, () => {
    let handle: DbHandle;
    beforeAll(async () => {
      handle = await createTestDb(backend);
    });
    afterAll(async () => {
      await handle.close();
    });

    it('keeps sessions signed with the previous secret and drops older ones', async () => {
      const { user, password } = await makeUser(handle.db, { roles: ['lead'] });
      let server = await startTestServer(handle, { sessionSecrets: ['secret-a'] });
      const client = new Client(server.url);
      await client.login(user.email, password);
      const cookie = client.cookies.get(SESSION_COOKIE)!;
      await server.close();

      const check = async (secrets: string[]) => {
        server = await startTestServer(handle, { sessionSecrets: secrets });
        const probe = new Client(server.url);
        probe.cookies.set(SESSION_COOKIE, cookie);
        const status = (await probe.get('/projects')).status;
        await server.close();
        return status;
      };
      expect(await check(['secret-b', 'secret-a'])).toBe(200);
      expect(await check(['secret-c', 'secret-b'])).toBe(302);
    });
  });
}
