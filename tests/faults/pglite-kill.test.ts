/**
 * The embedded store (PGlite on disk) survives a kill -9 of the app in the middle of the load: the
 * app starts again on the same directory (the dead process's lock is recognised as stale), and
 * every judgment it acknowledged before the kill is there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { checkIntegrity } from '../../scripts/bench/load/integrity';
import { spawnServer } from '../../scripts/bench/load/server-process';
import { prepareLoad, runLoad, SERVER_ENV, signIn, sleep } from './load-fixture';

describe('kill -9 of the app on the embedded store', () => {
  it('reopens the store and keeps every acknowledged judgment', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-pglite-kill-'));
    try {
      const setup = await openDb({ kind: 'pglite', dataDir });
      await migrateToLatest(setup.db);
      const fixture = await prepareLoad(setup.db, { pairs: 200, annotators: 4 });
      await setup.close();

      const server = await spawnServer({ env: { ...SERVER_ENV, ARBITER_DATA_DIR: dataDir } });
      try {
        const clients = await signIn(fixture, [server.url]);
        const load = runLoad(clients, fixture.slug, 6);
        await sleep(2500);
        await server.kill('SIGKILL');
        await sleep(300);
        await server.restart();
        const result = await load;
        expect(Object.keys(result.errors).length).toBeGreaterThan(0);
        expect(result.acknowledged.length).toBeGreaterThan(10);
        expect(result.unacknowledged).toEqual([]);
        await server.kill('SIGTERM');
        const reopened = await openDb({ kind: 'pglite', dataDir });
        try {
          const integrity = await checkIntegrity(reopened.db, fixture.projectId, result.acknowledged);
          expect(integrity).toMatchObject({
            lost: 0,
            duplicates: 0,
            overAssigned: 0,
            counterMismatches: 0,
            halfWritten: 0,
          });
        } finally {
          await reopened.close();
        }
      } finally {
        await server.kill('SIGKILL');
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
