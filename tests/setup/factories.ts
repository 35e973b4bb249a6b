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

/** A preference project with prompts imported from native records; returns the project. */
export async function makePreferenceProject(
  db: Kysely<Database>,
  options: {
    redundancy?: number;
    membersOnly?: boolean;
    requiredDomain?: string;
    prompts: { language?: string; domain?: string; responses?: number; text?: string }[];
  },
) {
  const { createProject } = await import('../../tasks/projects');
  const { importPreferences } = await import('../../tasks/import/preferences');
  const { createRng } = await import('../../tasks/rng');
  const { Readable } = await import('node:stream');
  const slug = `p-${randomBytes(4).toString('hex')}`;
  const project = await createProject(
    db,
    { slug, name: slug, type: 'preference', redundancy: options.redundancy ?? 3 },
    {},
  );
  if (options.membersOnly || options.requiredDomain) {
    await db
      .updateTable('projects')
      .set({ members_only: !!options.membersOnly, required_domain: options.requiredDomain ?? null })
      .where('id', '=', project.id)
      .execute();
  }
  const lines = options.prompts.map((p, i) =>
    JSON.stringify({
      prompt: p.text ?? `Question ${i} of ${slug}?`,
      responses: Array.from({ length: p.responses ?? 2 }, (_, r) => ({
        model: `m${r}`,
        text: `Answer ${r} to question ${i}.`,
      })),
      meta: { ...(p.language ? { language: p.language } : {}), ...(p.domain ? { domain: p.domain } : {}) },
    }),
  );
  await importPreferences(db, () => Readable.from([lines.join('\n')]), {
    projectId: project.id,
    format: 'arbiter',
    rng: createRng(1),
  });
  return project;
}
