/** Plain-object factories for tests. Users get cheap scrypt parameters so suites stay fast. */
import { randomBytes, randomUUID } from 'node:crypto';
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
    /** `responseTexts` overrides the generated "Answer r to question i." texts */
    prompts: {
      language?: string;
      domain?: string;
      responses?: number;
      text?: string;
      responseTexts?: string[];
    }[];
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
      responses: Array.from({ length: p.responseTexts?.length ?? p.responses ?? 2 }, (_, r) => ({
        model: `m${r}`,
        text: p.responseTexts?.[r] ?? `Answer ${r} to question ${i}.`,
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

/**
 * Stores a judgment directly (no lease), as if `annotatorId` had submitted it, and counts it on the
 * pair. Scores are in canonical order: negative favours response A. Returns the judgment id.
 */
export async function makeJudgment(
  db: Kysely<Database>,
  judgment: {
    pairId: string;
    annotatorId: string;
    helpfulness: number;
    safety?: number;
    createdAt?: Date;
    isRepeat?: boolean;
  },
): Promise<string> {
  const pair = await db
    .selectFrom('pairs')
    .select(['project_id', 'response_a_id'])
    .where('id', '=', judgment.pairId)
    .executeTakeFirstOrThrow();
  const id = randomUUID();
  const at = judgment.createdAt ?? new Date();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('judgments')
      .values({
        id,
        project_id: pair.project_id,
        pair_id: judgment.pairId,
        annotator_id: judgment.annotatorId,
        helpfulness: judgment.helpfulness,
        safety: judgment.safety ?? 0,
        shown_left_response_id: pair.response_a_id,
        time_on_task_ms: 30_000,
        is_repeat: judgment.isRepeat ?? false,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await trx
      .updateTable('pairs')
      .set((eb) => ({ judgment_count: eb('judgment_count', '+', 1) }))
      .where('id', '=', judgment.pairId)
      .execute();
  });
  return id;
}

const TOPICS =
  'bread tides taxes vaccines rust chess sourdough orbits glaciers loans pottery joins compost jetlag violins mortgages bees regex solar knitting volcanoes rebase cheese marathons owls bonds kites printers tea lichens fonts ferries sleep lenses yeast maps soap bridges moss clocks'.split(
    ' ',
  );

/** A clear textual signal: helpful replies explain with an example, unhelpful ones brush the user off. */
const goodReply = (topic: string, i: number) =>
  `Good question about ${topic}. Here is a worked example, step by step, and why each step matters${i % 3 ? '.' : ': start small, check the result, then adjust.'}`;
const badReply = (topic: string, i: number) =>
  `No idea about ${topic}, search it yourself${i % 2 ? '. Not worth explaining, honestly, and I would rather not get into it at all.' : '.'}`;

export interface JudgedProject {
  projectId: string;
  slug: string;
  /** every pair, with whether its response A is the helpful one and its topic's index */
  pairs: { id: string; aIsGood: boolean; topic: number }[];
  lead: Awaited<ReturnType<typeof makeUser>>['user'];
  leadPassword: string;
}

/**
 * A preference project of 40 prompts (one pair each) whose helpfulness judgments follow a clear
 * textual signal: two annotators judge every pair, the first always "better" for the helpful reply,
 * the second "slightly" or "much" better, and a tie on every tenth topic. Every fourth prompt is in
 * German ("de"), every fifth in the "science" domain. Safety is never scored (all ties).
 */
export async function makeJudgedProject(db: Kysely<Database>): Promise<JudgedProject> {
  const project = await makePreferenceProject(db, {
    prompts: TOPICS.map((topic, i) => ({
      text: `Can you explain ${topic}?`,
      language: i % 4 === 0 ? 'de' : 'en',
      domain: i % 5 === 0 ? 'science' : undefined,
      responseTexts:
        i % 2 ? [goodReply(topic, i), badReply(topic, i)] : [badReply(topic, i), goodReply(topic, i)],
    })),
  });
  const rows = await db
    .selectFrom('pairs as p')
    .innerJoin('responses as ra', 'ra.id', 'p.response_a_id')
    .innerJoin('prompts as pr', 'pr.id', 'p.prompt_id')
    .select(['p.id', 'ra.text', 'pr.messages'])
    .where('p.project_id', '=', project.id)
    .orderBy('p.id')
    .execute();
  const pairs = rows.map((r) => ({
    id: r.id,
    aIsGood: r.text.startsWith('Good question'),
    topic: TOPICS.findIndex((t) => r.messages[0]!.content === `Can you explain ${t}?`),
  }));
  const { user: first } = await makeUser(db);
  const { user: second } = await makeUser(db);
  const { user: lead, password: leadPassword } = await makeUser(db, { roles: ['lead'] });
  for (const pair of pairs) {
    const i = pair.topic;
    const towardA = pair.aIsGood ? -1 : 1;
    await makeJudgment(db, { pairId: pair.id, annotatorId: first.id, helpfulness: towardA * 2 });
    await makeJudgment(db, {
      pairId: pair.id,
      annotatorId: second.id,
      helpfulness: i % 10 === 0 ? 0 : towardA * (i % 2 ? 3 : 1),
    });
  }
  return { projectId: project.id, slug: project.slug, pairs, lead, leadPassword };
}
