import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index';

export interface MigrationOutcome {
  applied: string[];
  /** every migration the code knows, in order */
  known: string[];
}

/**
 * Brings the schema to the newest migration. Kysely's migrator takes an advisory lock, so several
 * app processes starting at once against one PostgreSQL apply each migration exactly once.
 * Throws with the failing migration's name when one fails; that migration's transaction is rolled back.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    known: Object.keys(migrations).sort(),
  };
}
