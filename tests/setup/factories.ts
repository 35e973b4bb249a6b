/** Plain-object factories for tests. Users get cheap scrypt parameters so suites stay fast. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema';
import { createUser } from '../../tasks/accounts';
import { TEST_SCRYPT } from '../../tasks/passwords';

let counter = 0;

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${++counter}-${randomBytes(3).toString('hex')}@example.org`;
}

export async function makeUser(
  db: Kysely<Database>,
  options: {
    roles?: Role[];
    email?: string;
    password?: string;
    languages?: string[];
    domains?: string[];
  } = {},
) {
  const password = options.password ?? `pw-${randomBytes(8).toString('hex')}`;
  const user = await createUser(
    db,
    {
      email: options.email ?? uniqueEmail(options.roles?.[0] ?? 'user'),
      roles: options.roles ?? ['annotator'],
      languages: options.languages ?? [],
      domains: options.domains ?? [],
      password,
    },
    {},
    TEST_SCRYPT,
  );
  return { user, password };
}
