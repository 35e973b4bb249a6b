/**
 * A small, real world for fuzzing over HTTP: one signed-in browser tab per role, a preference
 * project with pairs, judgments and a live lease, a sentiment project with items and a lease, a
 * user for the admin forms to act on, an unredeemed invite, and API tokens. Each fuzz family makes
 * its own world (names are unique), so families cannot disturb one another. Works in vitest and in
 * the benchmark: it needs only a running server's URL and its database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema';
import { createInvite } from '../../tasks/accounts';
import { createApiToken } from '../../tasks/api-tokens';
import { importPreferences } from '../../tasks/import/preferences';
import { importSentiment } from '../../tasks/import/sentiment';
import { createRng } from '../../tasks/rng';
import { createProject } from '../../tasks/projects';
import { SESSION_COOKIE } from '../../app/utils/session.server';
import { makeJudgment, makePreferenceProject, makeUser } from '../setup/factories';
import { FuzzClient } from './client';
import { DATA_TABLES } from './tables';

export interface FuzzTarget {
  url: string;
  db: Kysely<Database>;
}

export type Actor = Role | 'anonymous';
const ROLES: Role[] = ['admin', 'lead', 'annotator', 'safety_reviewer', 'researcher'];

export interface World {
  target: FuzzTarget;
  /** a signed-in client of `actor` (signed in again if a request ended its session); anonymous: a fresh one */
  client(actor: Actor): Promise<FuzzClient>;
  users: Record<Role, { id: string; email: string }>;
  /** a user the admin forms act on */
  victim: { id: string; email: string };
  preference: { id: string; slug: string; pairIds: string[]; judgmentIds: string[]; assignmentIds: string[] };
  sentiment: { id: string; slug: string; itemIds: string[]; labelIds: string[]; assignmentIds: string[] };
  inviteToken: string;
  /** researcher tokens: every scope, read only, scoped to the preference project */
  tokens: { all: string; read: string; scoped: string };
  /** real ids, slugs and emails of this world, for forms that should reach past "no such …" */
  known: { ids: string[]; slugs: string[]; emails: string[] };
  /** adds fresh pairs (or items) to the world's project, once the annotator has answered all */
  replenish(kind: 'pair' | 'item'): Promise<void>;
}

/** Builds a world in the server's database; `tag` keeps its names apart from other worlds'. */
export async function makeWorld(target: FuzzTarget, tag: string): Promise<World> {
  const db = target.db;
  const suffix = `${tag}-${randomBytes(3).toString('hex')}`;
  const users = {} as World['users'];
  const passwords = new Map<Role, string>();
  for (const role of ROLES) {
    const made = await makeUser(db, { roles: [role], email: `fuzz-${role}-${suffix}@example.org` });
    users[role] = { id: made.user.id, email: made.user.email };
    passwords.set(role, made.password);
  }
  const victim = (await makeUser(db, { roles: ['annotator'], email: `fuzz-victim-${suffix}@example.org` }))
    .user;
  const invited = (await makeUser(db, { roles: ['annotator'], email: `fuzz-invited-${suffix}@example.org` }))
    .user;
  const { token: inviteToken } = await createInvite(db, invited.id, 'invite', {});

  const clients = new Map<Role, FuzzClient>();
  const client = async (actor: Actor): Promise<FuzzClient> => {
    if (actor === 'anonymous') return new FuzzClient(target.url);
    let c = clients.get(actor);
    if (!c || !c.cookies.has(SESSION_COOKIE)) {
      c = new FuzzClient(target.url);
      await c.login(users[actor].email, passwords.get(actor)!);
      clients.set(actor, c);
    }
    return c;
  };

  const pref = await makePreferenceProject(db, { redundancy: 5, prompts: [{ responses: 3 }, {}, {}, {}] });
  const pairIds = (await db.selectFrom('pairs').select('id').where('project_id', '=', pref.id).execute()).map(
    (p) => p.id,
  );
  const judgmentIds = [
    await makeJudgment(db, { pairId: pairIds[0]!, annotatorId: users.annotator.id, helpfulness: -2 }),
    await makeJudgment(db, { pairId: pairIds[0]!, annotatorId: victim.id, helpfulness: 1 }),
  ];
  await (await client('annotator')).get(`/compare?project=${pref.slug}`);

  const senti = await createProject(
    db,
    {
      slug: `fuzz-s-${suffix}`,
      name: `Fuzz ${suffix}`,
      type: 'sentiment',
      labelSet: ['negative', 'positive'],
    },
    {},
  );
  const items = ['Great film.', 'Dull and slow.', 'Fine I guess.', 'Loved it!'];
  await importSentiment(db, () => Readable.from([`text\n${items.join('\n')}\n`]), {
    projectId: senti.id,
    format: 'csv',
  });
  const itemIds = (
    await db.selectFrom('sentiment_items').select('id').where('project_id', '=', senti.id).execute()
  ).map((i) => i.id);
  await (await client('annotator')).get(`/label?project=${senti.slug}`);
  const assignments = await db
    .selectFrom('assignments')
    .select(['id', 'project_id'])
    .where('annotator_id', '=', users.annotator.id)
    .execute();

  const researcher = users.researcher;
  const actor = { userId: researcher.id, email: researcher.email };
  const token = async (scopes: ('read' | 'export' | 'score')[], projectId: string | null = null) =>
    (await createApiToken(db, researcher.id, { name: `fuzz ${scopes.join(' ')}`, scopes, projectId }, actor))
      .token;
  const tokens = {
    all: await token(['read', 'export', 'score']),
    read: await token(['read']),
    scoped: await token(['read', 'export', 'score'], pref.id),
  };

  const preference = {
    id: pref.id,
    slug: pref.slug,
    pairIds,
    judgmentIds,
    assignmentIds: assignments.filter((a) => a.project_id === pref.id).map((a) => a.id),
  };
  const sentiment = {
    id: senti.id,
    slug: senti.slug,
    itemIds,
    labelIds: [] as string[],
    assignmentIds: assignments.filter((a) => a.project_id === senti.id).map((a) => a.id),
  };
  return {
    target,
    client,
    users,
    victim: { id: victim.id, email: victim.email },
    preference,
    sentiment,
    inviteToken,
    tokens,
    async replenish(kind) {
      const batch = randomBytes(4).toString('hex');
      const lines = Array.from({ length: 10 }, (_, i) =>
        kind === 'pair'
          ? JSON.stringify({
              prompt: `Fresh question ${batch}-${i}?`,
              responses: [{ text: `Yes ${i}.` }, { text: `No ${i}.` }],
            })
          : JSON.stringify({ text: `Fresh item ${batch}-${i}.` }),
      );
      if (kind === 'pair')
        await importPreferences(db, () => Readable.from([lines.join('\n')]), {
          projectId: pref.id,
          format: 'arbiter',
          rng: createRng(1),
        });
      else
        await importSentiment(db, () => Readable.from([lines.join('\n')]), {
          projectId: senti.id,
          format: 'jsonl',
        });
    },
    known: {
      ids: [
        ...pairIds,
        ...judgmentIds,
        ...itemIds,
        ...preference.assignmentIds,
        ...sentiment.assignmentIds,
        pref.id,
        senti.id,
        victim.id,
        randomUUID(),
      ],
      slugs: [pref.slug, senti.slug, 'no-such-project'],
      emails: [victim.email, invited.email, users.annotator.email, 'nobody@example.org'],
    },
  };
}

/**
 * What a refused request must leave alone: the row count of every data table, and a fingerprint
 * of the rows that forms update in place (users, projects, leases, judgments, labels).
 */
export async function snapshot(db: Kysely<Database>): Promise<Record<string, string | number>> {
  const fingerprint = (query: ReturnType<typeof sql>) =>
    sql<string>`(select md5(coalesce(string_agg(r::text, '|' order by r::text), '')) from (${query}) r)`;
  const counts = DATA_TABLES.map((t) => sql`(select count(*) from ${sql.table(t)})::int as ${sql.id(t)}`);
  const prints = {
    users_rows: fingerprint(
      sql`select id, email, display_name, roles, languages, domains, is_active, password_hash from users`,
    ),
    projects_rows: fingerprint(
      sql`select id, slug, name, description, guidelines, redundancy, lease_seconds, gold_rate, repeat_rate, members_only, label_set, settings, archived_at from projects`,
    ),
    assignments_rows: fingerprint(sql`select id, status, skip_reason from assignments`),
    judgments_rows: fingerprint(sql`select id, helpfulness, safety, rationale, revision from judgments`),
    labels_rows: fingerprint(sql`select id, label from sentiment_labels`),
    tokens_rows: fingerprint(sql`select id, revoked_at from api_tokens`),
  };
  const columns = [...counts, ...Object.entries(prints).map(([name, q]) => sql`${q} as ${sql.id(name)}`)];
  const result = await sql<Record<string, string | number>>`select ${sql.join(columns)}`.execute(db);
  return result.rows[0]!;
}
