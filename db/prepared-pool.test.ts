import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl } from '../tests/setup/postgres-admin';
import { TEST_DATABASE_URL } from '../tests/setup/test-env';
import { PREPARE_LIMITS, preparingPool, type PreparingPool } from './prepared-pool';

// PGlite has no pool and no prepared statements of this kind: PostgreSQL only
describe.skipIf(!TEST_DATABASE_URL)(
  'named prepared statements on PostgreSQL (needs TEST_DATABASE_URL)',
  () => {
    const name = `arbiter_prepared_${process.pid}`;
    let pool: pg.Pool;
    let prepared: PreparingPool;
    // one connection, so "the same connection" is certain
    let db: Kysely<{ items: { id: number; label: string } }>;
    const serverPrepared = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(db)).rows[0]!
        .n;

    beforeAll(async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name}`);
      await adminQuery(`CREATE DATABASE ${name}`);
      pool = new pg.Pool({ connectionString: databaseUrl(name), max: 1 });
      prepared = preparingPool(pool);
      db = new Kysely({ dialect: new PostgresDialect({ pool: prepared }) });
      await sql`create table items (id int primary key, label text not null)`.execute(db);
      await sql`insert into items select g, 'item ' || g from generate_series(1, 100) g`.execute(db);
    });
    afterAll(async () => {
      await db?.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });

    it('prepares a repeated query once on the connection and reuses it', async () => {
      const before = await serverPrepared();
      const named = prepared.counts.named;
      for (let id = 1; id <= 10; id++) {
        const row = await db
          .selectFrom('items')
          .select('label')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row.label).toBe(`item ${id}`);
      }
      expect(prepared.counts.named - named).toBeGreaterThanOrEqual(10);
      // ten runs, one statement on the server (the count query was already there)
      expect(await serverPrepared()).toBe(before + 1);
    });

    it('keeps transaction control unnamed, and transactions still commit and roll back', async () => {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('items').set({ label: 'changed' }).where('id', '=', 1).execute();
      });
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.updateTable('items').set({ label: 'lost' }).where('id', '=', 2).execute();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const rows = await db
        .selectFrom('items')
        .select(['id', 'label'])
        .where('id', 'in', [1, 2])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: 1, label: 'changed' },
        { id: 2, label: 'item 2' },
      ]);
      const names = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(
        db,
      );
      expect(names.rows.some((r) => /^\s*(begin|commit|rollback)/i.test(r.statement))).toBe(false);
    });

    it('runs a query with many parameters unnamed (bulk inserts stay as they were)', async () => {
      const unnamed = prepared.counts.unnamed;
      const ids = Array.from({ length: PREPARE_LIMITS.MAX_PARAMS + 1 }, (_, i) => i + 1);
      const rows = await db.selectFrom('items').select('id').where('id', 'in', ids).execute();
      expect(rows).toHaveLength(ids.length);
      expect(prepared.counts.unnamed).toBe(unnamed + 1);
    });

    it('stops naming new texts on a connection at its cap, and the queries still run', async () => {
      const before = await serverPrepared();
      for (let i = 0; i < PREPARE_LIMITS.MAX_PER_CONNECTION + 20; i++) {
        const row = await sql<{ n: number }>`select ${sql.raw(String(i))}::int + ${1}::int as n`.execute(db);
        expect(row.rows[0]!.n).toBe(i + 1);
      }
      const after = await serverPrepared();
      expect(after).toBeLessThanOrEqual(PREPARE_LIMITS.MAX_PER_CONNECTION);
      expect(after).toBeGreaterThan(before);
    });

    it('recovers from a schema change under a prepared `select *`: one failure, then a fresh connection', async () => {
      await sql`create table shapes (id int primary key)`.execute(db);
      await sql`insert into shapes values (1)`.execute(db);
      const all = () => sql<Record<string, unknown>>`select * from shapes where id = ${1}`.execute(db);
      // a fresh connection (the cap test filled this one): the statement must be named here
      await db.destroy();
      pool = new pg.Pool({ connectionString: databaseUrl(name), max: 1 });
      prepared = preparingPool(pool);
      db = new Kysely({ dialect: new PostgresDialect({ pool: prepared }) });
      expect((await all()).rows).toEqual([{ id: 1 }]);
      await sql`alter table shapes add column note text`.execute(db);
      await expect(all()).rejects.toMatchObject({ code: '0A000' });
      expect((await all()).rows).toEqual([{ id: 1, note: null }]);
    });
  },
);
