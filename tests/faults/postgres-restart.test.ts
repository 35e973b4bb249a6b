/**
 * PostgreSQL restarted under load (a server of the test's own, so the shared one is untouched):
 * while it is down the app says so on /healthz and no request waits longer than the client's
 * timeout; when it is back the app recovers by itself, without a restart, and the audit finds
 * every acknowledged judgment once.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { checkIntegrity } from '../../scripts/bench/load/integrity';
import { spawnServer } from '../../scripts/bench/load/server-process';
import { postgresBinDir, startPrivatePostgres } from '../setup/private-postgres';
import { prepareLoad, runLoad, SERVER_ENV, signIn, sleep, waitFor } from './load-fixture';

const CLIENT_TIMEOUT_MS = 10_000;

describe.skipIf(!postgresBinDir())('PostgreSQL restarted under load', () => {
  it('reports unhealthy while it is down, recovers by itself and loses nothing', async () => {
    const pg = await startPrivatePostgres();
    const handle = await openDb({ kind: 'postgres', url: pg.url, poolSize: 3 });
    // short connect and statement timeouts, so requests during the outage fail fast
    const server = await spawnServer({
      env: {
        ...SERVER_ENV,
        DATABASE_URL: pg.url,
        ARBITER_PG_STATEMENT_TIMEOUT_MS: '5000',
      },
    }).catch(async (error: unknown) => {
      await handle.close();
      pg.destroy();
      throw error;
    });
    try {
      await migrateToLatest(handle.db);
      const fixture = await prepareLoad(handle.db, { pairs: 300, annotators: 8 });
      const clients = await signIn(fixture, [server.url]);
      const health = async () => {
        const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(
          (error: Error) => {
            throw new Error(`/healthz: ${error.message}; the server said:\n${server.output()}`);
          },
        );
        const body = (await response.json()) as { status: string };
        return { status: response.status, body };
      };
      expect((await health()).status).toBe(200);
      await handle.close();

      const load = runLoad(clients, fixture.slug, 12);
      await sleep(2500);
      pg.stop();
      const down = await health();
      expect(down).toMatchObject({ status: 503, body: { status: 'unhealthy' } });
      await sleep(2000);
      pg.start();
      // no restart of the app: its pool reconnects on its own
      const recoveredInMs = await waitFor(
        async () => (await health()).status === 200,
        20_000,
        'healthy again',
      );
      const result = await load;

      expect(recoveredInMs).toBeLessThan(20_000);
      expect(Object.keys(result.errors).length).toBeGreaterThan(0);
      // every request ended (answered or failed) within its timeout; none hung
      expect(result.slowestMs).toBeLessThan(CLIENT_TIMEOUT_MS);
      expect(Object.keys(result.errors).filter((e) => e.includes('timeout'))).toEqual([]);
      expect(result.unacknowledged).toEqual([]);
      const after = await openDb({ kind: 'postgres', url: pg.url, poolSize: 2 });
      try {
        const integrity = await checkIntegrity(after.db, fixture.projectId, result.acknowledged);
        expect(integrity).toMatchObject({ lost: 0, duplicates: 0, overAssigned: 0, counterMismatches: 0 });
        expect(integrity.halfWritten).toBe(0);
        expect(result.acknowledged.length).toBeGreaterThan(40);
      } finally {
        await after.close();
      }
    } finally {
      await server.kill('SIGKILL');
      await handle.close().catch(() => undefined);
      pg.destroy();
    }
  });
});
