import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Migrator, sql, type Kysely, NO_MIGRATIONS } from 'kysely';
import { describe, expect, it } from 'vitest';
import { availableBackends, createTestDb, describeDb } from '../tests/setup/db';
import { migrateToLatest } from './migrate';
import { migrations } from './migrations/index';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

function migrationFiles(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

/** Every column and index of the public schema, as text, to compare a database before and after. */
async function schemaSnapshot(db: Kysely<any>): Promise<{ columns: string[]; indexes: string[] }> {
  const columns = await sql<{ c: string }>`
    SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
      || coalesce(column_default, '-') || ' ' || is_identity AS c
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely%'
    ORDER BY table_name, ordinal_position
  `.execute(db);
  const indexes = await sql<{ c: string }>`
    SELECT indexdef AS c FROM pg_indexes
    WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely%'
    ORDER BY indexname
  `.execute(db);
  return { columns: columns.rows.map((r) => r.c), indexes: indexes.rows.map((r) => r.c) };
}

async function publicTables(db: Kysely<any>): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely%'
    ORDER BY table_name
  `.execute(db);
  return result.rows.map((r) => r.table_name);
}

describe('the migration list', () => {
  it('names exactly the migration files in db/migrations, in order', () => {
    const files = migrationFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(migrations)).toEqual(files);
  });

  it('maps each name to the module of the file with that name', async () => {
    for (const name of migrationFiles()) {
      const mod = (await import(`./migrations/${name}.ts`)) as { up: unknown; down: unknown };
      expect(typeof mod.up, name).toBe('function');
      expect(typeof mod.down, name).toBe('function');
      expect(migrations[name]?.up, name).toBe(mod.up);
      expect(migrations[name]?.down, name).toBe(mod.down);
    }
  });
});

describeDb('migrateToLatest', ({ db }) => {
  it('applies nothing to an already migrated database, however often it runs', async () => {
    const before = await schemaSnapshot(db());
    const known = Object.keys(migrations).sort();
    expect(await migrateToLatest(db())).toEqual({ applied: [], known });
    expect(await migrateToLatest(db())).toEqual({ applied: [], known });
    expect(await schemaSnapshot(db())).toEqual(before);
    const recorded = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(
      db(),
    );
    expect(recorded.rows.map((r) => r.name)).toEqual(known);
  });

  it('runs concurrent calls without applying anything twice', async () => {
    const outcomes = await Promise.all([migrateToLatest(db()), migrateToLatest(db()), migrateToLatest(db())]);
    expect(outcomes.map((o) => o.applied)).toEqual([[], [], []]);
  });
});

describe('the initial migration', () => {
  for (const backend of availableBackends()) {
    it(`goes down and up again to the same schema [${backend}]`, async () => {
      const handle = await createTestDb(backend);
      try {
        const db = handle.db as Kysely<any>;
        const before = await schemaSnapshot(db);
        expect(await publicTables(db)).toHaveLength(34);

        const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
        const down = await migrator.migrateTo(NO_MIGRATIONS);
        expect(down.error).toBeUndefined();
        expect(down.results).toEqual(
          Object.keys(migrations)
            .sort()
            .reverse()
            .map((migrationName) => ({ migrationName, direction: 'Down', status: 'Success' })),
        );
        expect(await publicTables(db)).toEqual([]);
        expect(await schemaSnapshot(db)).toEqual({ columns: [], indexes: [] });

        expect(await migrateToLatest(db)).toEqual({
          applied: Object.keys(migrations).sort(),
          known: Object.keys(migrations).sort(),
        });
        expect(await schemaSnapshot(db)).toEqual(before);

        // the re-created tables work: defaults and foreign keys are back
        const user = await handle.db
          .insertInto('users')
          .values({ email: 'a@example.com', display_name: 'A' })
          .returning(['id', 'roles', 'is_active'])
          .executeTakeFirstOrThrow();
        expect(user.roles).toEqual([]);
        expect(user.is_active).toBe(true);
        await expect(
          handle.db
            .insertInto('sessions')
            .values({ id: 's', user_id: '00000000-0000-0000-0000-000000000000', expires_at: new Date() })
            .execute(),
        ).rejects.toThrow(/foreign key/);
      } finally {
        await handle.close();
      }
    });
  }
});
