import type { Command } from 'commander';
import { rotateSessionSecret } from '../../../tasks/session-secrets';
import { action, config, withDb } from '../runtime';

export function registerSession(program: Command): void {
  const session = program.command('session').description('Session settings.');
  session
    .command('rotate-secret')
    .description(
      'Sign new session cookies with a fresh secret; the previous one keeps verifying, older ones stop.',
    )
    .action(
      action(async () => {
        if (config().sessionSecrets.length) {
          console.log(
            'SESSION_SECRET is set, so secrets come from the environment: put a new secret first in',
          );
          console.log('SESSION_SECRET (comma-separated, newest first) and restart the servers.');
          return;
        }
        await withDb('session rotate-secret', async ({ db }) => {
          const { kept } = await rotateSessionSecret(db, { email: 'cli' });
          console.log(
            `Rotated. ${kept} secret(s) kept; restart the app servers for them to sign with the new one.`,
          );
        });
      }),
    );
}
