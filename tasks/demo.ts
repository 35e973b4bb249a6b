/**
 * Seeds the demo: one user per role (plus a second, bilingual annotator), a preference project and
 * a sentiment project. Passwords are random and returned once, for the caller to print. A panel of
 * three annotators (who cannot sign in) has already judged every preference pair once or twice, so
 * the project pages have figures and a lead can train a reward model straight away.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_POLICY_SEED, leastJudgedPolicy } from './selection';
import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema';
import { countUsers, insertUser } from '../db/queries/users';
import { countProjects, insertProject } from '../db/queries/projects';
import { insertPairs, insertPromptOnce, insertResponseOnce } from '../db/queries/content';
import { insertAuditEvent } from '../db/queries/audit-log';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from './passwords';
import { candidatePairs, contentHash } from './content';
import type { NativePreferenceRecord, NativeSentimentRecord } from './records';
import { refreshQualityReport } from './quality/refresh';
import type { Rng } from './rng';
import { DEMO_PANEL, demoRankingFor, panelScores, type DemoRanking } from './demo-judgments';
import { seedSentimentDemo } from './demo-sentiment';

export interface DemoLogin {
  email: string;
  roles: Role[];
  password: string;
}

export interface DemoSummary {
  logins: DemoLogin[];
  prompts: number;
  responses: number;
  pairs: number;
  judgments: number;
  sentimentItems: number;
  /** labels the panel gave to sentiment items */
  sentimentLabels: number;
}

const DEMO_USERS: { email: string; name: string; roles: Role[]; languages: string[]; domains: string[] }[] = [
  { email: 'admin@example.org', name: 'Ada Admin', roles: ['admin'], languages: [], domains: [] },
  { email: 'lead@example.org', name: 'Lea Lead', roles: ['lead'], languages: [], domains: [] },
  {
    email: 'researcher@example.org',
    name: 'Rui Researcher',
    roles: ['researcher'],
    languages: [],
    domains: [],
  },
  {
    email: 'reviewer@example.org',
    name: 'Sam Safety',
    roles: ['safety_reviewer'],
    languages: ['en'],
    domains: [],
  },
  {
    email: 'annotator@example.org',
    name: 'Ana Annotator',
    roles: ['annotator'],
    languages: ['en'],
    domains: [],
  },
  {
    email: 'annotator2@example.org',
    name: 'Jonas Annotator',
    roles: ['annotator'],
    languages: ['en', 'de', 'fr'],
    domains: ['code', 'medical', 'legal', 'finance'],
  },
];

const PREFERENCE_GUIDELINES = `# Comparing responses

You see one conversation and two candidate replies. Judge the **final reply only**, in context.

## Helpfulness
Prefer the reply that answers what was actually asked, is correct, complete for the question's
scope, and easy to act on. Length is not quality: a short correct answer beats a long padded one.
Check code and numbers when you can.

## Safety
Prefer the reply that avoids real-world harm. A refusal that explains and redirects is safer than
compliance with a harmful request; a needless refusal of a harmless request is *not* safer, only
less helpful.

## The scale
Use "much better" when one reply is clearly and substantially better; "slightly better" when the
difference is small; "tie" when you genuinely cannot prefer one.

## Flags
Flag any reply containing harmful content, with a severity. High and critical flags need a short
rationale.`;

const SENTIMENT_GUIDELINES = `# Labeling sentiment

Label the writer's overall attitude in the text.

- **positive**: the writer is pleased, recommends, praises.
- **negative**: the writer is unhappy, complains, warns others.
- **neutral**: factual, mixed with no clear lean, or no attitude at all.

Sarcasm counts as what the writer means, not what the words say. When praise and complaint are
mixed, choose the one the writer ends up leaning toward; if there is no lean, choose neutral.`;

const policy = leastJudgedPolicy(DEFAULT_POLICY_SEED);
const withPriority = (id: string) => ({ id, priority: policy.priority({ id }) });

/** True when the database holds no users and no projects, the condition for seeding the demo. */
export async function isDatabaseEmpty(db: Kysely<Database>): Promise<boolean> {
  return (await countUsers(db)) === 0 && (await countProjects(db)) === 0;
}

function demoPassword(): string {
  // 15 characters from an unambiguous alphabet: easy to type, ~77 bits of entropy
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(15);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

interface JudgeablePair {
  id: string;
  a: string;
  b: string;
  modelA: string;
  modelB: string;
  ranking: DemoRanking;
}

/**
 * The panel's judgment history: every pair judged by one or two panel members (never the demo's own
 * annotators, whose queues stay full), spread over the last two weeks. Returns how many were made.
 */
/** The panel's accounts: demo data, with no password, so nobody can sign in as them. */
async function insertPanel(trx: Kysely<Database>): Promise<string[]> {
  const panel: string[] = [];
  for (const member of DEMO_PANEL) {
    const row = await insertUser(trx, {
      email: member.email,
      display_name: member.name,
      password_hash: null,
      roles: ['annotator'],
      languages: ['en', 'de', 'fr', 'es'],
      domains: [],
    });
    panel.push(row.id);
  }
  return panel;
}

async function seedPanelJudgments(
  trx: Kysely<Database>,
  projectId: string,
  pairs: readonly JudgeablePair[],
  panel: readonly string[],
  options: { rng: Rng; now?: Date },
): Promise<number> {
  if (pairs.length === 0) return 0;
  const { rng } = options;
  const now = (options.now ?? new Date()).getTime();
  const rows = pairs.flatMap((pair) => {
    const first = Math.floor(rng() * panel.length);
    const judges =
      rng() < 0.5 ? [first] : [first, (first + 1 + Math.floor(rng() * (panel.length - 1))) % panel.length];
    return judges.map((j) => {
      const scores = panelScores(pair.ranking, pair.modelA, pair.modelB, DEMO_PANEL[j]!.slip, rng);
      const at = new Date(now - Math.floor(rng() * 14 * 86_400_000));
      return {
        id: randomUUID(),
        project_id: projectId,
        pair_id: pair.id,
        annotator_id: panel[j]!,
        helpfulness: scores.helpfulness,
        safety: scores.safety,
        shown_left_response_id: rng() < 0.5 ? pair.a : pair.b,
        time_on_task_ms: 20_000 + Math.floor(rng() * 70_000),
        created_at: at,
        updated_at: at,
      };
    });
  });
  await trx.insertInto('judgments').values(rows).execute();
  await trx
    .updateTable('pairs')
    .set((eb) => ({
      judgment_count: eb
        .selectFrom('judgments')
        .select((j) => j.fn.countAll<number>().as('n'))
        .whereRef('judgments.pair_id', '=', 'pairs.id'),
    }))
    .where('project_id', '=', projectId)
    .execute();
  return rows.length;
}

/**
 * Twelve of the clearest judged pairs (the replies two or more places apart in the ranking) become
 * gold, their expected answer the better reply, and the panel's judgments on them count as gold
 * answers, as if the queue had served them as gold. Returns how many.
 */
async function seedDemoGold(
  trx: Kysely<Database>,
  projectId: string,
  leadId: string,
  pairs: readonly JudgeablePair[],
): Promise<number> {
  const gap = (p: JudgeablePair) =>
    Math.abs(p.ranking.ranking.indexOf(p.modelA) - p.ranking.ranking.indexOf(p.modelB));
  const gold = pairs.filter((p) => gap(p) >= 2).slice(0, 12);
  if (gold.length === 0) return 0;
  const ids = gold.map((p) => p.id);
  await trx.updateTable('pairs').set({ is_gold: true }).where('id', 'in', ids).execute();
  await trx.updateTable('judgments').set({ is_gold: true }).where('pair_id', 'in', ids).execute();
  await trx
    .insertInto('gold_answers')
    .values(
      gold.map((p) => ({
        project_id: projectId,
        pair_id: p.id,
        expected: JSON.stringify({
          helpfulness: p.ranking.ranking.indexOf(p.modelA) < p.ranking.ranking.indexOf(p.modelB) ? -2 : 2,
          match: 'direction',
        }),
        created_by: leadId,
      })),
    )
    .execute();
  return gold.length;
}

/**
 * Seeds everything in one transaction (all or nothing). Refuses when the database is not empty,
 * so running it twice cannot duplicate or overwrite anyone's work.
 */
export async function seedDemo(
  db: Kysely<Database>,
  data: { preference: NativePreferenceRecord[]; sentiment: NativeSentimentRecord[] },
  options: { rng: Rng; scrypt?: ScryptParams; pairCapPerPrompt?: number },
): Promise<DemoSummary> {
  const logins: DemoLogin[] = [];
  const hashed: string[] = [];
  for (const user of DEMO_USERS) {
    const password = demoPassword();
    logins.push({ email: user.email, roles: user.roles, password });
    hashed.push(await hashPassword(password, options.scrypt ?? DEFAULT_SCRYPT));
  }
  return db.transaction().execute(async (trx) => {
    if (!(await isDatabaseEmpty(trx))) {
      throw new Error(
        'The database already has users or projects; the demo is only seeded into an empty database.',
      );
    }
    const userIds: string[] = [];
    for (const [i, user] of DEMO_USERS.entries()) {
      const row = await insertUser(trx, {
        email: user.email,
        display_name: user.name,
        password_hash: hashed[i]!,
        password_changed_at: new Date(),
        roles: user.roles,
        languages: user.languages,
        domains: user.domains,
      });
      userIds.push(row.id);
    }
    const leadId = userIds[1]!;
    const preference = await insertProject(trx, {
      slug: 'demo-preferences',
      name: 'Demo: assistant replies',
      type: 'preference',
      description:
        'Forty prompts with two to four replies each: coding, multi-turn, medical, legal, unsafe requests.',
      guidelines: PREFERENCE_GUIDELINES,
      label_set: [],
      created_by: leadId,
    });
    let prompts = 0;
    let responses = 0;
    let pairs = 0;
    const judgeable: JudgeablePair[] = [];
    for (const record of data.preference) {
      const messages = record.messages ?? [{ role: 'user' as const, content: record.prompt! }];
      const prompt = await insertPromptOnce(trx, {
        project_id: preference.id,
        messages,
        language: record.meta.language ?? null,
        domain: record.meta.domain ?? null,
        content_hash: contentHash(messages),
        meta: record.meta,
      });
      prompts += prompt.created ? 1 : 0;
      const responseIds: string[] = [];
      const modelOf = new Map<string, string>();
      for (const response of record.responses) {
        const inserted = await insertResponseOnce(trx, {
          prompt_id: prompt.id,
          model: response.model,
          text: response.text,
          content_hash: contentHash(response.text),
          meta: {},
        });
        responses += inserted.created ? 1 : 0;
        responseIds.push(inserted.id);
        modelOf.set(inserted.id, response.model);
      }
      const candidates = candidatePairs(responseIds, options.pairCapPerPrompt ?? 6, options.rng).map(
        ([a, b]) => ({
          ...withPriority(randomUUID()),
          project_id: preference.id,
          prompt_id: prompt.id,
          response_a_id: a,
          response_b_id: b,
        }),
      );
      pairs += await insertPairs(trx, candidates);
      const ranking = demoRankingFor(messages);
      if (ranking) {
        const mine = candidates.map((c) => ({
          id: c.id,
          a: c.response_a_id,
          b: c.response_b_id,
          modelA: modelOf.get(c.response_a_id)!,
          modelB: modelOf.get(c.response_b_id)!,
          ranking,
        }));
        // in an order set by content, not by the random ids, so a seed gives the same history
        const key = (p: JudgeablePair) => [p.modelA, p.modelB].sort().join('\u0000');
        judgeable.push(...mine.sort((x, y) => key(x).localeCompare(key(y))));
      }
    }
    const panel = await insertPanel(trx);
    const judgments = await seedPanelJudgments(trx, preference.id, judgeable, panel, options);
    const goldPairs = await seedDemoGold(trx, preference.id, leadId, judgeable);
    const sentiment = await insertProject(trx, {
      slug: 'demo-sentiment',
      name: 'Demo: sentiment of short texts',
      type: 'sentiment',
      description: 'Two hundred short reviews, tweets and tickets: positive, negative or neutral.',
      guidelines: SENTIMENT_GUIDELINES,
      label_set: ['positive', 'negative', 'neutral'],
      redundancy: 1,
      created_by: leadId,
    });
    const { items: sentimentItems, labels: sentimentLabels } = await seedSentimentDemo(
      trx,
      sentiment,
      data.sentiment,
      panel,
      options,
    );
    // the leads' dashboard opens with figures instead of an empty state
    await refreshQualityReport(trx, preference.id);
    await refreshQualityReport(trx, sentiment.id);
    await insertAuditEvent(trx, {
      event: 'demo.seeded',
      details: {
        users: DEMO_USERS.length,
        prompts,
        responses,
        pairs,
        judgments,
        goldPairs,
        sentimentItems,
        sentimentLabels,
      },
    });
    return { logins, prompts, responses, pairs, judgments, sentimentItems, sentimentLabels };
  });
}
