import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.server';

describe('configuration', () => {
  it('defaults to the embedded database in ./.arbiter on port 3000', () => {
    const config = loadConfig({});
    expect(config.db).toEqual({ kind: 'pglite', dataDir: path.resolve('.arbiter') });
    expect(config.port).toBe(3000);
    expect(config.cookieSecure).toBe(true);
    expect(config.sessionSecrets).toEqual([]);
  });

  it('switches to PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@h/db', ARBITER_PG_POOL_SIZE: '4' });
    expect(config.db).toMatchObject({ kind: 'postgres', url: 'postgres://u@h/db', poolSize: 4 });
    expect(config.db).toMatchObject({ preparedStatements: true });
  });

  it('turns prepared statements off for a pooler in transaction mode, and refuses a vague value', () => {
    const off = loadConfig({ DATABASE_URL: 'postgres://u@h/db', ARBITER_PG_PREPARED_STATEMENTS: 'false' });
    expect(off.db).toMatchObject({ preparedStatements: false });
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://u@h/db', ARBITER_PG_PREPARED_STATEMENTS: 'maybe' }),
    ).toThrow(/ARBITER_PG_PREPARED_STATEMENTS/);
  });

  it('reads secrets newest first and cookie security explicitly', () => {
    const config = loadConfig({
      SESSION_SECRET: ' new , old ',
      ARBITER_COOKIE_SECURE: 'false',
      NODE_ENV: 'production',
    });
    expect(config.sessionSecrets).toEqual(['new', 'old']);
    expect(config.cookieSecure).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ ARBITER_PUBLIC_URL: 'not a url' }, /ARBITER_PUBLIC_URL/],
    [{ ARBITER_COOKIE_SECURE: 'maybe' }, /ARBITER_COOKIE_SECURE/],
  ])('names the variable that is wrong: %o', (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(pattern);
  });
});
