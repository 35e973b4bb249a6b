/**
 * Seeds the demo: one user per role (plus a second, bilingual annotator), a preference project and
 * a sentiment project. Passwords are random and returned once, for the caller to print.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_POLICY_SEED, leastJudgedPolicy } from './selection';
import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema';
import { countUsers, insertUser } from '../db/queries/users';
import { countProjects, insertProject } from '../db/queries/projects';
import {
  insertPairs,
  insertPromptOnce,
  insertResponseOnce,
  insertSentimentItems,
} from '../db/queries/content';
import { insertAuditEvent } from '../db/queries/audit-log';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from './passwords';
import { candidatePairs, contentHash } from './content';
import type { NativePreferenceRecord, NativeSentimentRecord } from './records';
import type { Rng } from './rng';

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
  sentimentItems: number;
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
      }
      pairs += await insertPairs(
        trx,
        candidatePairs(responseIds, options.pairCapPerPrompt ?? 6, options.rng).map(([a, b]) => ({
          ...withPriority(randomUUID()),
          project_id: preference.id,
          prompt_id: prompt.id,
          response_a_id: a,
          response_b_id: b,
        })),
      );
    }
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
    const sentimentItems = await insertSentimentItems(
      trx,
      data.sentiment.map((item) => ({
        project_id: sentiment.id,
        text: item.text,
        content_hash: contentHash(item.text),
        reference_label: item.label ?? null,
        meta: item.meta,
      })),
    );
    await insertAuditEvent(trx, {
      event: 'demo.seeded',
      details: { users: DEMO_USERS.length, prompts, responses, pairs, sentimentItems },
    });
    return { logins, prompts, responses, pairs, sentimentItems };
  });
}
