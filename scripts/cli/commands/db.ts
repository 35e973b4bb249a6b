import type { Command } from 'commander';
import { sql } from 'kysely';
import { migrateToLatest } from '../../../db/migrate';
import { migrations } from '../../../db/migrations/index';
import { action, openConfiguredDb, writeReport } from '../runtime';

export function registerDb(program: Command): void {
  const db = program.command('db').description('Database maintenance.');
  db.command('migrate')
    .description('Apply pending migrations (the server also does this at start).')
    .option('--report <file>', 'write {applied, known, database} as JSON')
    .action(
      action(async (opts: { report?: string }) => {
        const handle = await openConfiguredDb('db migrate');
        try {
          const outcome = await migrateToLatest(handle.db);
          console.log(
            outcome.applied.length
              ? `Applied ${outcome.applied.length} migration(s) to ${handle.location}: ${outcome.applied.join(', ')}`
              : `${handle.location} is up to date (${outcome.known.length} migration(s)).`,
          );
          writeReport(opts.report, { database: handle.kind, applied: outcome.applied, known: outcome.known });
        } finally {
          await handle.close();
        }
      }),
    );
  db.command('status')
    .description('Show which database is configured, whether it is reachable, and its migrations.')
    .option('--report <file>', 'write the status as JSON')
    .action(
      action(async (opts: { report?: string }) => {
        const handle = await openConfiguredDb('db status');
        try {
          const applied = await sql<{ name: string }>`select name from kysely_migration order by name`
            .execute(handle.db)
            .then((r) => r.rows.map((row) => row.name))
            .catch(() => [] as string[]);
          const known = Object.keys(migrations).sort();
          const pending = known.filter((name) => !applied.includes(name));
          console.log(`database: ${handle.kind} (${handle.location})`);
          console.log(
            `migrations: ${applied.length} applied, ${pending.length} pending${pending.length ? `: ${pending.join(', ')}` : ''}`,
          );
          writeReport(opts.report, { database: handle.kind, location: handle.location, applied, pending });
        } finally {
          await handle.close();
        }
      }),
    );
}
