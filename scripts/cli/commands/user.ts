import type { Command } from 'commander';
import { createInvite, createUser, resetPassword } from '../../../tasks/accounts';
import { findUserByEmail, listUsers } from '../../../db/queries/users';
import { action, CliError, config, readStdin, withDb, writeReport } from '../runtime';

const collect = (value: string, previous: string[]) => [...previous, value];
const CLI_ACTOR = { email: 'cli' };

function inviteUrl(token: string): string {
  const cfg = config();
  const base = cfg.publicUrl ?? `http://localhost:${cfg.port}`;
  return `${base.replace(/\/$/, '')}/invite/${token}`;
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('Manage user accounts.');

  user
    .command('add')
    .description('Create a user. Give the password on standard input, or --invite for a one-time link.')
    .requiredOption('--email <email>', 'email address (the login name)')
    .option(
      '--role <role>',
      'annotator | safety_reviewer | researcher | lead | admin (repeat for several)',
      collect,
      [],
    )
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--language <code>', 'a language the user annotates in, e.g. en (repeatable)', collect, [])
    .option('--domain <code>', 'a domain of expertise, e.g. medical (repeatable)', collect, [])
    .option('--password-stdin', 'read the password from standard input')
    .option('--invite', 'create the user without a password and print a one-time link to set it')
    .action(
      action(
        async (opts: {
          email: string;
          role: string[];
          name?: string;
          language: string[];
          domain: string[];
          passwordStdin?: boolean;
          invite?: boolean;
        }) => {
          if (!!opts.passwordStdin === !!opts.invite) {
            throw new CliError('Give exactly one of --password-stdin or --invite.');
          }
          if (opts.role.length === 0)
            throw new CliError(
              'Give at least one --role (annotator, safety_reviewer, researcher, lead, admin).',
            );
          const password = opts.passwordStdin ? await readStdin() : undefined;
          await withDb('user add', async ({ db }) => {
            const created = await createUser(
              db,
              {
                email: opts.email,
                displayName: opts.name,
                roles: opts.role as never,
                languages: opts.language,
                domains: opts.domain,
                password,
              },
              CLI_ACTOR,
            );
            console.log(`Created ${created.email} (${created.roles.join(', ')}).`);
            if (opts.invite) {
              const { token, expiresAt } = await createInvite(db, created.id, 'invite', CLI_ACTOR);
              console.log(
                `Invite link (valid until ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC): ${inviteUrl(token)}`,
              );
            }
          });
        },
      ),
    );

  user
    .command('list')
    .description('List users and their roles.')
    .option('--json', 'print JSON instead of a table')
    .option('--report <file>', 'write the list as JSON')
    .action(
      action(async (opts: { json?: boolean; report?: string }) => {
        await withDb('user list', async ({ db }) => {
          const users = await listUsers(db);
          const rows = users.map((u) => ({
            email: u.email,
            name: u.display_name,
            roles: u.roles,
            languages: u.languages,
            domains: u.domains,
            active: u.is_active,
            last_login_at: u.last_login_at?.toISOString() ?? null,
          }));
          writeReport(opts.report, { users: rows, count: rows.length });
          if (opts.json) {
            console.log(JSON.stringify(rows, null, 2));
            return;
          }
          if (rows.length === 0) {
            console.log(
              'No users yet. Add one: printf %s "$PASSWORD" | arbiter user add --email you@example.org --role admin --password-stdin',
            );
            return;
          }
          const width = Math.max(5, ...rows.map((r) => r.email.length));
          console.log(`${'EMAIL'.padEnd(width)}  ${'ACTIVE'.padEnd(6)}  ROLES`);
          for (const r of rows)
            console.log(
              `${r.email.padEnd(width)}  ${(r.active ? 'yes' : 'no').padEnd(6)}  ${r.roles.join(', ')}`,
            );
        });
      }),
    );

  user
    .command('passwd')
    .description(
      "Set a user's password (ends their sessions). Reads it from standard input, or prints a reset link.",
    )
    .requiredOption('--email <email>', 'the user')
    .option('--password-stdin', 'read the new password from standard input')
    .option('--link', 'print a one-time reset link instead')
    .action(
      action(async (opts: { email: string; passwordStdin?: boolean; link?: boolean }) => {
        if (!!opts.passwordStdin === !!opts.link)
          throw new CliError('Give exactly one of --password-stdin or --link.');
        const password = opts.passwordStdin ? await readStdin() : undefined;
        await withDb('user passwd', async ({ db }) => {
          const found = await findUserByEmail(db, opts.email.trim().toLowerCase());
          if (!found) throw new CliError(`No user with email ${opts.email}.`);
          if (password !== undefined) {
            await resetPassword(db, found.id, password, CLI_ACTOR);
            console.log(`Password changed for ${found.email}; their sessions were ended.`);
          } else {
            const { token } = await createInvite(db, found.id, 'reset', CLI_ACTOR);
            console.log(`Reset link for ${found.email}: ${inviteUrl(token)}`);
          }
        });
      }),
    );
}
