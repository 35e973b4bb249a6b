/**
 * Fresh databases for tests, copied from the golden migrated one: PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set. `describeDb` runs the same suite on each backend.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import type { Kysely } from 'kysely';
import { openDb, type DbHandle } from '../../db/client';
import type { Database } from '../../db/schema';
import { adminQuery, databaseUrl } from './postgres-admin';

export type Backend = 'pglite' | 'postgres';

export function availableBackends(): Backend[] {
  return inject('goldenPostgres') ? ['pglite', 'postgres'] : ['pglite'];
}

/** A new migrated database; close() also drops a PostgreSQL copy. */
export async function createTestDb(backend: Backend): Promise<DbHandle> {
  if (backend === 'pglite') {
    const dump = new Blob([fs.readFileSync(inject('goldenPglite'))]);
    return openDb({ kind: 'pglite', dataDir: null, loadDataDir: dump });
  }
  const golden = inject('goldenPostgres');
  if (!golden) throw new Error('TEST_DATABASE_URL is not set');
  const name = `arbiter_t_${process.ppid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${golden}`);
  const handle = await openDb({ kind: 'postgres', url: databaseUrl(name), poolSize: 25 });
  return {
    ...handle,
    async close() {
      await handle.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export interface DbSuite {
  backend: Backend;
  db(): Kysely<Database>;
  handle(): DbHandle;
}

/** Declares `name` once per available backend, each with its own fresh database. */
export function describeDb(name: string, body: (suite: DbSuite) => void): void {
  for (const backend of availableBackends()) {
    describe(`${name} [${backend}]`, () => {
      let handle: DbHandle | undefined;
      beforeAll(async () => {
        handle = await createTestDb(backend);
      });
      afterAll(async () => {
        await handle?.close();
      });
      body({
        backend,
        db: () => handle!.db,
        handle: () => handle!,
      });
    });
  }
}
