/**
 * The setup side's form actions: signing in, invites and the account page; user administration;
 * creating and configuring projects, uploads for import, reward models and export snapshots.
 */
import fc from 'fast-check';
import { checkbox, number, oneOf, uuid, type FormTarget, type Value } from './http';
import { email, known, ROLES, segment, text } from './form-values';
import { preferenceFile } from './imports-preferences';
import type { World } from './world';

export function sessionTargets(w: World): FormTarget[] {
  return [
    {
      name: 'POST /login',
      routeId: 'routes/login',
      actor: 'anonymous',
      path: fc.constantFrom('/login', '/login?redirectTo=%2Fprojects'),
      fields: {
        email: known(w.known.emails),
        password: text('wrong password 1'),
        redirectTo: oneOf('/', '/projects', '//evil.example', '/\\evil', 'https://evil.example/'),
      },
    },
    {
      name: 'POST /invite/:token',
      routeId: 'routes/invite.$token',
      actor: 'anonymous',
      path: segment([w.inviteToken, 'expired-token']).map((t) => `/invite/${t}`),
      fields: { password: text('a long enough password', 'short'), confirm: text('a long enough password') },
    },
    {
      name: 'POST /logout',
      routeId: 'routes/logout',
      actor: 'anonymous',
      path: fc.constant('/logout'),
      fields: {},
    },
    {
      name: 'POST /account',
      routeId: 'routes/account',
      actor: 'researcher',
      path: fc.constant('/account'),
      fields: {
        intent: oneOf('password', 'create-token', 'revoke-token', 'logout-everywhere', 'delete'),
        current: text('not the password'),
        next: text('a new long password'),
        confirm: text('a new long password'),
        name: text('ci token'),
        projectId: known([w.preference.id, '']),
        expiresInDays: number,
        tokenId: uuid,
      },
    },
  ];
}

export function adminTargets(w: World): FormTarget[] {
  const profile = {
    displayName: text('Ada'),
    languages: text('en, de', 'EN', 'en-US'),
    domains: text('code medical', 'Not A Code'),
  };
  return [
    {
      name: 'POST /admin/users',
      routeId: 'routes/admin.users._index',
      actor: 'admin',
      path: fc.constant('/admin/users'),
      fields: {
        email: fc.oneof(email, fc.constant(w.victim.email)) as fc.Arbitrary<Value>,
        roles: ROLES,
        ...profile,
      },
    },
    {
      name: 'POST /admin/users/:userId',
      routeId: 'routes/admin.users.$userId',
      actor: 'admin',
      path: segment([w.victim.id]).map((id) => `/admin/users/${id}`),
      fields: {
        intent: oneOf('roles', 'profile', 'deactivate', 'reactivate', 'logout-everywhere', 'reset-link', 'x'),
        roles: ROLES,
        ...profile,
      },
    },
  ];
}

export function projectTargets(w: World): FormTarget[] {
  const slugs = [w.preference.slug, w.sentiment.slug];
  const settings: Record<string, fc.Arbitrary<Value>> = Object.fromEntries(
    ['redundancy', 'leaseMinutes', 'safetyMargin', 'autoAcceptThreshold', 'auditRate', 'auditTolerance']
      .concat([
        'holdoutRate',
        'holdoutMax',
        'alRetrainEvery',
        'alCap',
        'alExploration',
        'goldRate',
        'repeatRate',
      ])
      .concat(['goldThreshold', 'adjudicateBelow', 'qualityRefreshEvery', 'safetySuggestThreshold'])
      .concat(['safetyRiskThreshold', 'safetyTargetRecall'])
      .map((name) => [name, number]),
  );
  for (const name of [
    'rationaleRequired',
    'safetyOverrides',
    'blindPrelabels',
    'reliabilityWeights',
    'safetySuggestions',
  ])
    settings[name] = checkbox;
  return [
    {
      name: 'POST /projects',
      routeId: 'routes/projects._index',
      actor: 'lead',
      path: fc.constant('/projects'),
      fields: {
        name: text('New project'),
        slug: fc.oneof(
          fc.stringMatching(/^[a-z][a-z0-9-]{2,24}$/),
          fc.constantFrom(w.preference.slug, 'Bad Slug'),
        ) as fc.Arbitrary<Value>,
        type: oneOf('preference', 'sentiment', 'image'),
        labels: text('pos, neg', 'a,a', ','),
        redundancy: number,
        description: text('About it'),
      },
    },
    {
      name: 'POST /projects/:slug',
      routeId: 'routes/projects.$slug',
      actor: 'lead',
      path: segment(slugs).map((s) => `/projects/${s}`),
      fields: {
        intent: oneOf('settings', 'settings', 'add-member', 'remove-member', 'access', 'cycle', 'archive'),
        email: known(w.known.emails),
        membersOnly: oneOf('true', 'false'),
        activate: oneOf('auto', 'always', 'never'),
        name: text('Renamed'),
        description: text('New text'),
        guidelines: text('# Guidelines\n\nBe kind.'),
        license: text('CC-BY-4.0'),
        coldStartModel: text('none', 'owner/name', '../../etc'),
        coldStartLabelMap: text('POSITIVE=positive', '{}'),
        alPolicy: oneOf('uncertainty', 'least-judged', 'random', 'magic'),
        alAxis: oneOf('helpfulness', 'safety', 'joy'),
        consensusMethod: oneOf('mean', 'dawid-skene', 'majority', 'vibes'),
        safetyCategoryMap: text('{"privacy_violation": "privacy"}', '{"x": "nope"}', '[]'),
        labels: text('negative, positive', 'negative, positive, mixed', ''),
        ...settings,
      },
    },
    {
      name: 'POST /projects/:slug/import',
      routeId: 'routes/projects.$slug_.import',
      actor: 'lead',
      path: segment(slugs).map((s) => `/projects/${s}/import`),
      fields: {
        format: oneOf('auto', 'trl', 'hh-rlhf', 'csv', 'jsonl', 'xml'),
        skipInvalid: checkbox,
        textColumn: text('text', 'sentence'),
        labelColumn: text('label'),
        labelMap: text('0=negative,1=positive', '0=', 'a=b,a=c'),
      },
      file: {
        field: 'file',
        content: fc.record({
          bytes: preferenceFile,
          name: fc.constantFrom('pairs.jsonl', 'pairs.jsonl.gz', 'x'),
        }),
      },
    },
    {
      name: 'POST /models',
      routeId: 'routes/models',
      actor: 'lead',
      path: fc.constant('/models'),
      fields: {
        intent: oneOf('train', 'activate', 'simulate', 'refresh-queue', 'score', 'delete'),
        project: known(slugs),
        axis: oneOf('helpfulness', 'safety', 'x'),
        languages: text('en', 'en de'),
        domains: text('code'),
        since: text('2026-01-01', '2026-13-45'),
        seed: number,
        activate: checkbox,
        modelId: uuid,
        strategy: oneOf('random', 'uncertainty', 'least-judged', 'x'),
        budget: number,
        batch: number,
        seeds: number,
        prompt: text('Hi?'),
        a: text('Hello.'),
        b: text('Go away.'),
      },
    },
    {
      name: 'POST /exports',
      routeId: 'routes/exports',
      actor: 'researcher',
      path: fc.constant('/exports'),
      fields: {
        project: known(slugs),
        format: oneOf(
          'trl',
          'trl-conversational',
          'hh-rlhf',
          'openai',
          'kto',
          'consensus',
          'items',
          'judgments',
          'x',
        ),
        csv: checkbox,
        parquet: checkbox,
        margin: checkbox,
        axis: oneOf('helpfulness', 'safety', 'x'),
        since: text('2026-01-01', 'yesterday'),
        until: text('2027-01-01'),
        minAgreement: number,
        minJudgments: number,
        minReliability: number,
        minGoldAccuracy: number,
        excludeGold: checkbox,
        includeRepeats: checkbox,
        ties: oneOf('drop', 'keep', 'half', 'x'),
        safetyOverrides: oneOf('on', 'off', 'x'),
        reliabilityWeighted: oneOf('on', 'off', 'x'),
      },
    },
  ];
}
