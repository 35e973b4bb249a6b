import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema';
import { isDatabaseEmpty, seedDemo, type DemoSummary } from '../../../tasks/demo';
import { createRng } from '../../../tasks/rng';
import { loadDemoData, loadDemoSafety } from '../demo-data';
import { seedDemoSafety } from '../../../tasks/safety/demo';
import { action, CliError, withDb, writeReport } from '../runtime';

/** Seeds the demo into `db` and returns what was created; the caller prints the logins. */
export async function seedDemoData(db: Kysely<Database>): Promise<DemoSummary> {
  const summary = await seedDemo(db, loadDemoData(), { rng: createRng(20261122) });
  // after the demo's transaction: the safety model trains in a worker and scores what was seeded
  await seedDemoSafety(db, loadDemoSafety());
  return summary;
}

export function printDemoLogins(summary: DemoSummary, url?: string): void {
  const width = Math.max(...summary.logins.map((l) => l.email.length));
  console.log('');
  console.log(
    'Demo data seeded: %d prompts, %d responses, %d pairs, %d sentiment items (%d already labelled by the demo panel).',
    summary.prompts,
    summary.responses,
    summary.pairs,
    summary.sentimentItems,
    summary.sentimentLabels,
  );
  console.log(
    'Demo logins (shown only now; reset one with `arbiter user passwd --email E --password-stdin`):',
  );
  for (const login of summary.logins) {
    console.log(`  ${login.email.padEnd(width)}  ${login.password}  (${login.roles.join(', ')})`);
  }
  if (url) console.log(`Sign in at ${url}/login`);
  console.log('');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Seed demo users, a preference project and a sentiment project into an empty database.')
    .option('--report <file>', 'write what was created as JSON (without passwords)')
    .action(
      action(async (opts: { report?: string }) => {
        await withDb('demo', async ({ db }) => {
          if (!(await isDatabaseEmpty(db))) {
            throw new CliError(
              'The database already has users or projects; the demo is only seeded into an empty database.',
            );
          }
          const summary = await seedDemoData(db);
          printDemoLogins(summary);
          writeReport(opts.report, {
            users: summary.logins.map(({ email, roles }) => ({ email, roles })),
            prompts: summary.prompts,
            responses: summary.responses,
            pairs: summary.pairs,
            sentiment_items: summary.sentimentItems,
            sentiment_labels: summary.sentimentLabels,
          });
        });
      }),
    );
}
