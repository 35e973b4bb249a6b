/** A fresh migrated PostgreSQL database (a copy of the golden one) whose URL a server process can use. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openDb, type DbHandle } from '../../db/client';
import { adminQuery, databaseUrl } from '../setup/postgres-admin';

export const hasPostgres = (): boolean => !!inject('goldenPostgres');

export async function createPostgresCopy(): Promise<{
  url: string;
  handle: DbHandle;
  drop(): Promise<void>;
}> {
  const golden = inject('goldenPostgres');
  if (!golden) throw new Error('TEST_DATABASE_URL is not set');
  const name = `arbiter_fault_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${golden}`);
  const url = databaseUrl(name);
  const handle = await openDb({ kind: 'postgres', url, poolSize: 5 });
  return {
    url,
    handle,
    async drop() {
      await handle.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
