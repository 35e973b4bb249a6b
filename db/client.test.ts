import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeDb } from '../tests/setup/db';
import { databaseUrl } from '../tests/setup/postgres-admin';
import { TEST_DATABASE_URL } from '../tests/setup/test-env';
import { openDb, type DbConfig } from './client';
import { DatabaseOpenError, describePostgresError, redactUrl } from './errors';

async function openError(config: DbConfig): Promise<DatabaseOpenError> {
  try {
    const handle = await openDb(config);
    await handle.close();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseOpenError);
    return error as DatabaseOpenError;
  }
  throw new Error(`expected openDb to fail for ${JSON.stringify(config)}`);
}

describe('openDb on PostgreSQL: failures are one actionable line', () => {
  it('rejects a string that is not a URL', async () => {
    const error = await openError({ kind: 'postgres', url: 'not a url' });
    expect(error.code).toBe('bad-url');
    expect(error.message).toContain('postgres://');
  });

  it('rejects a URL of another database', async () => {
    const error = await openError({ kind: 'postgres', url: 'mysql://x@y/z' });
    expect(error.code).toBe('bad-url');
    expect(error.message).toContain('postgres://');
    expect(error.message).toContain('mysql://');
  });

  it('accepts the postgresql:// spelling too', async () => {
    const error = await openError({ kind: 'postgres', url: 'postgresql://nobody@127.0.0.1:1/x' });
    expect(error.code).toBe('unreachable');
  });

  it('reports a server that refuses the connection, without the password', async () => {
    const error = await openError({ kind: 'postgres', url: 'postgres://nobody:hunter2@127.0.0.1:1/x' });
    expect(error.code).toBe('unreachable');
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).toContain('connection refused');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('nobody:***@');
  });

  it.skipIf(!TEST_DATABASE_URL)(
    'reports a missing database with the createdb command (needs TEST_DATABASE_URL)',
    async () => {
      const name = 'arbiter_no_such_database';
      const error = await openError({ kind: 'postgres', url: databaseUrl(name) });
      expect(error.code).toBe('no-database');
      expect(error.message).toContain(`createdb ${name}`);
      expect(error.message).not.toContain('\n');
    },
  );

  it.skipIf(!TEST_DATABASE_URL)(
    'reports an unknown role as a login problem (needs TEST_DATABASE_URL)',
    async () => {
      const url = new URL(databaseUrl('postgres'));
      url.username = 'arbiter_no_such_role';
      const error = await openError({ kind: 'postgres', url: url.toString() });
      expect(error.code).toBe('auth');
      expect(error.message).toContain('arbiter_no_such_role');
      expect(error.message).not.toContain('\n');
    },
  );
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    const redacted = redactUrl('postgres://u:secret@h/db');
    expect(redacted).not.toContain('secret');
    expect(redacted).toBe('postgres://u:***@h/db');
  });

  it('leaves a URL without a password alone and never echoes an unparseable one', () => {
    expect(redactUrl('postgres://u@h:5433/db')).toBe('postgres://u@h:5433/db');
    expect(redactUrl('secret, no scheme')).toBe('(unparseable URL)');
  });
});

describe('describePostgresError', () => {
  const url = 'postgres://u:pw@db.example:6543/app';

  it('reads the code of the first error of an AggregateError (IPv4 and IPv6 both refused)', () => {
    const error = describePostgresError(
      { errors: [{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }] },
      url,
    );
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain('db.example:6543');
    expect(error.message).not.toContain('pw');
  });

  it('keeps only the first line of a server message', () => {
    const error = describePostgresError(
      { code: '28P01', message: 'password authentication failed\nDETAIL: x' },
      url,
    );
    expect(error.code).toBe('auth');
    expect(error.message).toContain('password authentication failed');
    expect(error.message).not.toContain('\n');
    const other = describePostgresError({ code: 'XX000', message: 'odd\nmore' }, url);
    expect(other.code).toBe('other');
    expect(other.message).toBe('Cannot open PostgreSQL at db.example:6543: odd');
  });

  it('names the missing database, decoded', () => {
    const error = describePostgresError({ code: '3D000' }, 'postgres://u@h/my%20db');
    expect(error.code).toBe('no-database');
    expect(error.message).toContain('createdb my db');
  });
});

describeDb('values come back as db/schema.ts types them', ({ db }) => {
  it('returns count(*) and bigint columns as JS numbers (the int8 parser)', async () => {
    const count = await sql<{ c: unknown }>`SELECT count(*) AS c FROM generate_series(1, 7)`.execute(db());
    expect(count.rows[0]?.c).toBe(7);
    const big = await sql<{ b: unknown; s: unknown }>`
      SELECT 1099511627776::int8 AS b, sum(x)::int8 AS s FROM generate_series(1, 3) AS x
    `.execute(db());
    expect(big.rows[0]).toEqual({ b: 1099511627776, s: 6 });

    const attempt = await db()
      .insertInto('login_attempts')
      .values({ email: 'a@example.com', ip: '127.0.0.1', succeeded: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(typeof attempt.id).toBe('number');
    const viaBuilder = await db()
      .selectFrom('login_attempts')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(viaBuilder.n).toBe(1);
  });

  it('returns timestamptz as Date, jsonb parsed, text[] as arrays and bytea as Uint8Array', async () => {
    const row = await sql<{ t: unknown; j: unknown; a: unknown; b: unknown }>`
      SELECT '2026-01-02T03:04:05Z'::timestamptz AS t, '{"x":[1]}'::jsonb AS j,
        ARRAY['a','b']::text[] AS a, '\\x0102ff'::bytea AS b
    `.execute(db());
    const { t, j, a, b } = row.rows[0]!;
    expect(t).toBeInstanceOf(Date);
    expect((t as Date).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(j).toEqual({ x: [1] });
    expect(a).toEqual(['a', 'b']);
    expect(b).toBeInstanceOf(Uint8Array);
    expect([...(b as Uint8Array)]).toEqual([1, 2, 255]);
  });
});
