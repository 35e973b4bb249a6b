import { describe, expect, it } from 'vitest';
import { availableBackends, createTestDb } from '../setup/db';
import { Client, startTestServer } from '../setup/server';
import { expectConsoleError } from '../setup/console-guard';
import { makeUser } from '../setup/factories';

for (const backend of availableBackends()) {
  describe(`when the database goes away [${backend}]`, () => {
    it('reports unhealthy and shows the 500 page without internals', async () => {
      const handle = await createTestDb(backend);
      const server = await startTestServer(handle);
      try {
        const client = new Client(server.url);
        const { user, password } = await makeUser(handle.db, { roles: ['lead'] });
        await client.login(user.email, password);
        expect((await client.get('/healthz')).status).toBe(200);
        await handle.db.destroy();

        const health = await client.get('/healthz');
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ status: 'unhealthy', database: { ok: false } });

        expectConsoleError(2);
        const page = await client.get('/projects');
        expect(page.status).toBe(500);
        const html = await page.text();
        expect(html).toContain('Something went wrong');
        expect(html).not.toMatch(/at .*\.(ts|js):\d+/);
        expect(html).not.toMatch(/driver has already been destroyed|Client was closed|PGlite is closed/i);
      } finally {
        await server.close();
        await handle.close().catch(() => undefined);
      }
    });
  });
}
