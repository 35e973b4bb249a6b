/**
 * The researchers' JSON API (/api/v1), with bearer tokens of each kind (every scope, read only,
 * project-scoped, revoked-looking junk, none): JSON bodies near the valid ones for starting an
 * export and scoring pairs (with an active reward model, so scoring really runs), any JSON value,
 * huge arrays, bodies that are not JSON, wrong Content-Types and methods, and junk in every path
 * parameter. Rules: never a 5xx; every error is JSON with an "error" message (Remix's own 405 for
 * a method a GET-only route lacks says {"message": …}); a refused request changes no data.
 */
import fc from 'fast-check';
import { findJob } from '../../db/queries/jobs';
import { PREFERENCE_FORMATS } from '../../tasks/export/formats';
import { runRewardTrainingJob } from '../../tasks/reward-training-job';
import { startRewardTraining } from '../../tasks/reward-training';
import { makeJudgedProject } from '../setup/factories';
import { hostileJson, hostileString, nearValid } from './arbitraries';
import { encodePart } from './form-values';
import { NODE_REFUSAL, rawRequest } from './http';
import { FuzzViolation, shown, type FamilySpec } from './runner';
import { makeWorld, snapshot, type FuzzTarget, type World } from './world';

export interface ApiInput {
  method: string;
  path: string;
  token: 'all' | 'read' | 'scoped' | 'junk' | 'none';
  contentType: string | null;
  body: string | null;
}

const share = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-1, 2, '0.5', null));
const exportBody = fc.record(
  {
    format: fc.constantFrom(...PREFERENCE_FORMATS, 'consensus', 'judgments', 'sentiment', 'csv'),
    csv: fc.boolean(),
    parquet: fc.boolean(),
    margin: fc.boolean(),
    filters: fc.record(
      {
        axis: fc.constantFrom('helpfulness', 'safety'),
        since: fc.constantFrom('2026-01-01', '2026-02-30', '2026-01-01T00:00:00Z'),
        until: fc.constantFrom('2027-01-01'),
        minAgreement: share,
        minJudgments: fc.integer({ min: 0, max: 5 }),
        minReliability: share,
        minGoldAccuracy: share,
        excludeGold: fc.boolean(),
        excludeRepeats: fc.boolean(),
        ties: fc.constantFrom('drop', 'half', 'keep'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['format'] },
);
const text = fc.oneof(
  { weight: 5, arbitrary: fc.lorem({ maxCount: 8 }) },
  { weight: 1, arbitrary: hostileString() },
);
const scoreBody = fc.record(
  {
    axis: fc.constantFrom('helpfulness', 'safety'),
    pairs: fc.array(fc.record({ prompt: text, a: text, b: text }), { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ['pairs'] },
);

/** A body: near-valid JSON, any JSON value, a huge list, or text that is not JSON at all. */
function bodyOf(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 4, arbitrary: nearValid(valid).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: hostileJson().map((v) => JSON.stringify(v) ?? 'null') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(101, 5000).map((n) =>
        JSON.stringify({
          pairs: Array.from({ length: n }, (_, i) => ({ prompt: 'q', a: `a${i}`, b: 'b' })),
        }),
      ),
    },
    { weight: 1, arbitrary: hostileString() },
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  null,
];

function apiInputs(w: World, judgedSlug: string, exportIds: string[]): fc.Arbitrary<ApiInput> {
  const slug = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(judgedSlug, w.preference.slug, w.sentiment.slug) },
    { weight: 1, arbitrary: hostileString({ maxLength: 20 }).map(encodePart) },
  );
  const id = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...w.preference.pairIds, ...exportIds) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: hostileString({ maxLength: 20 }).map(encodePart) },
  );
  const token = fc.constantFrom(
    'all',
    'all',
    'all',
    'all',
    'all',
    'read',
    'scoped',
    'junk',
    'none',
  ) as fc.Arbitrary<ApiInput['token']>;
  // scoring reaches the model only in the project that has one
  const scoredSlug = fc.oneof(
    { weight: 4, arbitrary: fc.constant(judgedSlug) },
    { weight: 1, arbitrary: slug },
  );
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  );
  const post = (path: fc.Arbitrary<string>, body: fc.Arbitrary<unknown>) =>
    fc.record({ method: fc.constant('POST'), path, token, contentType, body: bodyOf(body) });
  const get = (path: fc.Arbitrary<string>) =>
    fc.record({
      method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'POST'),
      path,
      token,
      contentType: fc.constant(null),
      body: fc.constant(null),
    });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: post(
        slug.map((s) => `/api/v1/projects/${s}/exports`),
        exportBody,
      ),
    },
    {
      weight: 4,
      arbitrary: post(
        scoredSlug.map((s) => `/api/v1/projects/${s}/score`),
        scoreBody,
      ),
    },
    {
      weight: 3,
      arbitrary: get(
        fc.oneof(
          fc.constantFrom('/api/v1/me', '/api/v1/projects', '/api/v1/openapi.json'),
          slug.map((s) => `/api/v1/projects/${s}/exports`),
          slug.map((s) => `/api/v1/projects/${s}/score`),
          id.map((i) => `/api/v1/exports/${i}`),
          id.map((i) => `/api/v1/exports/${i}/download`),
          id.map((i) => `/api/v1/pairs/${i}/consensus`),
          hostileString({ maxLength: 20 }).map((s) => `/api/v1/${encodePart(s)}`),
        ),
      ),
    },
  );
}

/** An active helpfulness reward model in a judged project, trained as the worker would. */
async function trainedProject(target: FuzzTarget) {
  const judged = await makeJudgedProject(target.db);
  const actor = { userId: judged.lead.id, email: judged.lead.email };
  const jobId = await startRewardTraining(target.db, actor, judged.slug, {
    axis: 'helpfulness',
    filter: { languages: [], domains: [], since: null },
    seed: 1,
    activate: true,
  });
  await runRewardTrainingJob((await findJob(target.db, jobId))!, {
    db: target.db,
    progress: async () => undefined,
  });
  return judged;
}

/** The API family: bodies, methods, tokens and paths, over HTTP. */
export async function apiFamily(target: FuzzTarget): Promise<FamilySpec<ApiInput>> {
  const world = await makeWorld(target, 'api');
  const judged = await trainedProject(target);
  const exportIds = (await target.db.selectFrom('exports').select('id').limit(3).execute()).map((e) => e.id);
  const tokens: Record<ApiInput['token'], string | null> = {
    ...world.tokens,
    junk: 'arb_0000000000000000000000000000000000000000000',
    none: null,
  };
  return {
    family: 'api: JSON bodies, methods, tokens and paths',
    arbitrary: apiInputs(world, judged.slug, exportIds),
    examples: [
      // found by fuzzing: a NUL in a path parameter reached the slug lookup (a driver error, 500)
      { method: 'GET', path: '/api/v1/projects/%00/exports', token: 'all', contentType: null, body: null },
    ],
    async check(input) {
      const headers: Record<string, string> = {};
      const token = tokens[input.token];
      if (token) headers.Authorization = `Bearer ${token}`;
      if (input.contentType) headers['Content-Type'] = input.contentType;
      const before = await snapshot(target.db);
      const sendsBody = input.method !== 'GET' && input.method !== 'HEAD' && input.body !== null;
      const response = await rawRequest(
        `${target.url}${input.path}`,
        input.method,
        headers,
        sendsBody ? input.body : null,
      );
      const body = response.text;
      const what = () =>
        `${input.method} ${input.path} (${input.token}, ${input.contentType}) ${shown(input.body)}`;
      if (response.status >= 500)
        throw new FuzzViolation('server-error', `${response.status} from ${what()}: ${body.slice(0, 400)}`);
      if (response.status >= 400) {
        if (input.method !== 'HEAD' && response.status !== NODE_REFUSAL) {
          let error: unknown;
          try {
            const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
            // a method a GET-only route has no action for gets Remix's own 405, {"message": …}
            error = response.status === 405 ? (parsed.error ?? parsed.message) : parsed.error;
          } catch {
            error = undefined;
          }
          if (typeof error !== 'string' || !error.trim())
            throw new FuzzViolation(
              'unexpected',
              `${response.status} without a JSON error from ${what()}: ${body.slice(0, 200)}`,
            );
        }
        const after = await snapshot(target.db);
        const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
        if (changed.length)
          throw new FuzzViolation(
            'partial-write',
            `${response.status} from ${what()} still changed ${changed.join(', ')}`,
          );
      }
      const route = input.path
        .replace(/\/api\/v1\/(projects|exports|pairs)\/[^/]+/, '/api/v1/$1/:id')
        .replace(/^\/api\/v1\/(?!projects|exports|pairs|me|openapi)[^/]*$/, '/api/v1/*');
      return {
        outcome: `${Math.floor(response.status / 100)}xx`,
        detail: `${input.method} ${route} ${response.status}`,
      };
    },
  };
}
