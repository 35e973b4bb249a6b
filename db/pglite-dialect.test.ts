/**
 * The PGlite driver (db/pglite-dialect.ts): one session shared under a mutex, so transactions mean
 * the same as on a pg pool, and streaming through server-side cursors.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from './client';
import { migrateToLatest } from './migrate';
import type { Database } from './schema';

let handle: DbHandle;
let db: Kysely<Database>;

beforeAll(async () => {
  handle = await openDb({ kind: 'pglite', dataDir: null });
  await migrateToLatest(handle.db);
  db = handle.db;
});

afterAll(async () => {
  await handle?.close();
});

beforeEach(async () => {
  await db.deleteFrom('app_settings').execute();
});

async function setting(key: string): Promise<unknown> {
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

async function put(key: string, value: unknown): Promise<void> {
  await db
    .insertInto('app_settings')
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
    .execute();
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether `promise` has settled by the time the event loop has had `ms` to run. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}

/** `select n from generate_series(1, count) as n`, as a Kysely query that can be streamed. */
function series(on: Kysely<Database>, count: number) {
  return on.selectFrom(sql<{ n: number }>`generate_series(1, ${count})`.as('n')).select('n');
}

async function isolation(on: Kysely<Database>): Promise<string | undefined> {
  const result = await sql<{ l: string }>`SELECT current_setting('transaction_isolation') AS l`.execute(on);
  return result.rows[0]?.l;
}

async function openCursors(on: Kysely<Database> = db): Promise<number> {
  // the query's own unnamed portal is listed too; count only the stream cursors
  const row = await sql<{ c: number }>`
    SELECT count(*) AS c FROM pg_cursors WHERE name LIKE 'kysely_stream%'
  `.execute(on);
  return row.rows[0]!.c;
}

describe('PGlite transactions', () => {
  it('roll back when the callback throws, and the connection is usable afterwards', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('app_settings').values({ key: 'k', value: '1' }).execute();
        expect(await trx.selectFrom('app_settings').select('key').execute()).toHaveLength(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await setting('k')).toBeUndefined();
    await put('k', 2);
    expect(await setting('k')).toBe(2);
  });

  it('roll back when a statement inside fails', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('app_settings').values({ key: 'a', value: '1' }).execute();
        await trx.insertInto('app_settings').values({ key: 'a', value: '2' }).execute();
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await setting('a')).toBeUndefined();
  });

  it('serialize: 20 concurrent read-then-write increments all count', async () => {
    await put('counter', 0);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction().execute(async (trx) => {
          const row = await trx
            .selectFrom('app_settings')
            .select('value')
            .where('key', '=', 'counter')
            .executeTakeFirstOrThrow();
          // give every other transaction the chance to interleave here, if it could
          await sleep(2);
          await trx
            .updateTable('app_settings')
            .set({ value: JSON.stringify((row.value as number) + 1) })
            .where('key', '=', 'counter')
            .execute();
        }),
      ),
    );
    expect(await setting('counter')).toBe(20);
  });

  it('make a concurrent query wait for the commit, so it sees the committed value', async () => {
    await put('x', 'before');
    const wrote = deferred();
    const finish = deferred();
    const trx = db.transaction().execute(async (t) => {
      await t
        .updateTable('app_settings')
        .set({ value: JSON.stringify('during') })
        .where('key', '=', 'x')
        .execute();
      wrote.resolve();
      await finish.promise;
    });
    await wrote.promise;
    const read = setting('x');
    expect(await settledWithin(read, 50)).toBe(false);
    finish.resolve();
    await trx;
    expect(await read).toBe('during');
  });

  it('make a concurrent query wait through a rollback, so it never sees the uncommitted value', async () => {
    await put('x', 'before');
    const wrote = deferred();
    const finish = deferred();
    const trx = db.transaction().execute(async (t) => {
      await t
        .updateTable('app_settings')
        .set({ value: JSON.stringify('during') })
        .where('key', '=', 'x')
        .execute();
      wrote.resolve();
      await finish.promise;
      throw new Error('abandon');
    });
    await wrote.promise;
    const read = setting('x');
    expect(await settledWithin(read, 50)).toBe(false);
    finish.resolve();
    await expect(trx).rejects.toThrow('abandon');
    expect(await read).toBe('before');
  });

  it('apply the requested isolation level', async () => {
    const level = await db
      .transaction()
      .setIsolationLevel('serializable')
      .execute(async (trx) => await isolation(trx));
    expect(level).toBe('serializable');
    expect(await isolation(db)).toBe('read committed');
  });
});

describe('PGlite streaming', () => {
  it('streams 2500 rows in order in chunks of 100 outside a transaction', async () => {
    const seen: number[] = [];
    for await (const row of series(db, 2500).stream(100)) seen.push(row.n);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(await openCursors()).toBe(0);
    // the stream's own transaction is closed: a later rollback cannot take an autocommitted write with it
    await put('after', 1);
    await expect(
      db.transaction().execute(async () => {
        throw new Error('nothing');
      }),
    ).rejects.toThrow('nothing');
    expect(await setting('after')).toBe(1);
  });

  it('streams inside a transaction without committing it, and sees its uncommitted writes', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('app_settings').values({ key: 'in-trx', value: '1' }).execute();
        const seen: number[] = [];
        for await (const row of series(trx, 2500).stream(100)) seen.push(row.n);
        expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
        const mine = await trx.selectFrom('app_settings').select('key').where('key', '=', 'in-trx').execute();
        expect(mine).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await setting('in-trx')).toBeUndefined();
  });

  it('cleans up when the consumer stops early: no open cursor, no transaction left open', async () => {
    const seen: number[] = [];
    for await (const row of series(db, 2500).stream(100)) {
      seen.push(row.n);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(await openCursors()).toBe(0);
    await put('after-break', 1);
    await expect(
      db.transaction().execute(async () => {
        throw new Error('nothing');
      }),
    ).rejects.toThrow('nothing');
    expect(await setting('after-break')).toBe(1);
  });

  it('closes its cursor when the consumer stops early inside a transaction, which goes on', async () => {
    await db.transaction().execute(async (trx) => {
      for await (const row of series(trx, 2500).stream(100)) {
        if (row.n === 150) break;
      }
      expect(await openCursors(trx)).toBe(0);
      await trx.insertInto('app_settings').values({ key: 'committed', value: '1' }).execute();
    });
    expect(await setting('committed')).toBe(1);
  });

  it('rejects when the query fails midway, and leaves the connection usable', async () => {
    const failing = db
      .selectFrom(sql<{ n: number }>`generate_series(1, 2500)`.as('n'))
      .select(sql<number>`1 / (n - 1000)`.as('q'));
    let count = 0;
    await expect(
      (async () => {
        for await (const row of failing.stream(100)) {
          expect(typeof row.q).toBe('number');
          count++;
        }
      })(),
    ).rejects.toThrow(/division by zero/);
    expect(count).toBe(900);
    expect(await openCursors()).toBe(0);
    await put('after-error', 1);
    expect(await setting('after-error')).toBe(1);
  });
});

describe('PGlite savepoints (Kysely 0.28 controlled transactions)', () => {
  it('rolls back to a savepoint and releases one', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('app_settings').values({ key: 'a', value: '1' }).execute();
    const afterA = await trx.savepoint('after a').execute();
    await afterA.insertInto('app_settings').values({ key: 'b', value: '1' }).execute();
    const back = await afterA.rollbackToSavepoint('after a').execute();
    await back.insertInto('app_settings').values({ key: 'c', value: '1' }).execute();
    const afterC = await back.savepoint('after "c"').execute();
    await afterC.insertInto('app_settings').values({ key: 'd', value: '1' }).execute();
    const released = await afterC.releaseSavepoint('after "c"').execute();
    await released.commit().execute();
    const keys = await db.selectFrom('app_settings').select('key').orderBy('key').execute();
    expect(keys.map((k) => k.key)).toEqual(['a', 'c', 'd']);
  });

  it('holds the connection until commit: other queries wait for it', async () => {
    await put('x', 'before');
    const trx = await db.startTransaction().execute();
    await trx
      .updateTable('app_settings')
      .set({ value: JSON.stringify('after') })
      .where('key', '=', 'x')
      .execute();
    const read = setting('x');
    expect(await settledWithin(read, 50)).toBe(false);
    await trx.rollback().execute();
    expect(await read).toBe('before');
  });
});
