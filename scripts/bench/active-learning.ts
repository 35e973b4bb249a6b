/**
 * Active-learning rescoring benchmark: a preference project with N candidate pairs on PostgreSQL
 * (bulk-loaded with SQL), a reward model active on it with a stored score for every pair, some
 * judgments (a share of them split) and a hundred pairs leased; then the first refresh of the queue
 * with the project's policy (every pair's priority changes), new scores as from a retrained model,
 * a second refresh (the steady state), both timed; then the next-pair lookup, timed and EXPLAINed.
 *
 *   npm run bench:al -- --pairs 1000000 [--policy hybrid] [--report reports/active-learning.json]
 *
 * PostgreSQL comes from BENCH_DATABASE_URL (a server URL; a fresh database is created and dropped).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { openDb } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { insertNextModelVersion, setModelTrained } from '../../db/queries/models';
import { encodeArtefact } from '../../reward/artefact';
import { DEFAULT_FEATURIZER } from '../../reward/featurizer-config';
import { createRng } from '../../reward/rng';
import { trainAndEvaluate } from '../../reward/run';
import { syntheticPairs } from '../../reward/testing/synthetic';
import { createUser } from '../../tasks/accounts';
import { POLICY_NAMES } from '../../tasks/active-learning/policies';
import { refreshQueue } from '../../tasks/active-learning/refresh';
import { packArtefact } from '../../tasks/model-artefacts';
import { createProject, updateProjectSettings } from '../../tasks/projects';
import { nextPair } from '../../tasks/queue';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '1000000' },
    policy: { type: 'string', default: 'hybrid' },
    judgments: { type: 'string', default: '50000' },
    report: { type: 'string' },
  },
});
const pairs = Number(values.pairs);
const judgments = Number(values.judgments);
if (!Number.isInteger(pairs) || pairs < 10) throw new Error('--pairs must be a whole number ≥ 10');
if (!Number.isInteger(judgments) || judgments < 0) throw new Error('--judgments must be a whole number ≥ 0');
if (!POLICY_NAMES.includes(values.policy as never))
  throw new Error(`--policy: one of ${POLICY_NAMES.join(', ')}`);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `arbiter_bench_al_${process.pid}`;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const out = await fn();
  return [out, (performance.now() - t) / 1000];
};

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
// no statement timeout: the bulk load runs statements of minutes (the refresh's own statements are timed below)
const handle = await openDb({ kind: 'postgres', url: url.toString(), statementTimeoutMs: 0 });
try {
  const db = handle.db;
  await migrateToLatest(db);
  const lead = await createUser(db, { email: 'lead@bench.local', displayName: 'Lead', roles: ['lead'] });
  const annotators = await Promise.all(
    [1, 2, 3].map((i) =>
      createUser(db, { email: `a${i}@bench.local`, displayName: `A${i}`, roles: ['annotator'] }),
    ),
  );
  const project = await createProject(
    db,
    { slug: 'bench-al', name: 'Bench', type: 'preference', redundancy: 3 },
    {},
  );
  await updateProjectSettings(db, project.id, { alPolicy: values.policy as never, alRetrainEvery: 100 }, {});

  // bulk load: N prompts, two responses each, one pair each (plain SQL; the importer's speed is bench:import's)
  const [, seedSeconds] = await timed(async () => {
    await sql`select setseed(0.42)`.execute(db);
    await sql`insert into prompts (project_id, messages, content_hash)
      select ${project.id}, jsonb_build_array(jsonb_build_object('role', 'user', 'content',
               'Question ' || g || ': how do ' || md5(g::text) || ' and ' || md5((g * 7)::text) || ' compare?')),
             md5('prompt' || g)
      from generate_series(1, ${pairs}) g`.execute(db);
    for (const side of ['a', 'b'])
      await sql`insert into responses (prompt_id, model, text, content_hash)
        select id, ${side}, 'Answer ' || ${side} || ': ' || md5(id::text || ${side}) || ' because ' ||
               repeat(md5(content_hash || ${side}) || ' ', 1 + (abs(hashtext(id::text || ${side})) % 6)),
               md5(id::text || ${side})
        from prompts where project_id = ${project.id}`.execute(db);
    await sql`insert into pairs (project_id, prompt_id, response_a_id, response_b_id)
      select ${project.id}, p.id, ra.id, rb.id from prompts p
      join responses ra on ra.prompt_id = p.id and ra.model = 'a'
      join responses rb on rb.prompt_id = p.id and rb.model = 'b'
      where p.project_id = ${project.id}`.execute(db);
  });

  // an active reward model (trained on synthetic pairs: what matters here is its featurizer and
  // a stored score per pair), scores for every pair, judgments, and some pairs leased
  const trained = trainAndEvaluate(syntheticPairs(300, createRng(3)), {
    axis: 'helpfulness',
    seed: 1,
    testFraction: 0,
    featurizer: DEFAULT_FEATURIZER,
    sources: ['synthetic'],
  });
  const model = await db.transaction().execute((trx) =>
    insertNextModelVersion(trx, {
      projectId: project.id,
      kind: 'reward',
      axis: 'helpfulness',
      formatVersion: 1,
      jobId: null,
      createdBy: lead.id,
      snapshot: {},
    }),
  );
  await setModelTrained(db, model.id, {
    artefact: await packArtefact(encodeArtefact(trained.model.head, trained.manifest)),
    formatVersion: 1,
    featurizer: trained.manifest.featurizer as Record<string, unknown>,
    metrics: {},
    snapshot: {},
  });
  await db.updateTable('models').set({ is_active: true }).where('id', '=', model.id).execute();
  const [, scoreSeconds] = await timed(async () => {
    await sql`insert into pair_scores (pair_id, axis, model_id, reward_a, reward_b, probability_a, uncertainty, spread)
      select id, 'helpfulness', ${model.id}, 0, 0, r, 0, 0.05 * random()
      from (select id, random() as r from pairs where project_id = ${project.id}) s`.execute(db);
    // judgments on the first pairs by id: two per pair, one pair in five split
    const judgedPairs = Math.min(pairs, Math.floor(judgments / 2));
    for (const [k, annotator] of annotators.slice(0, 2).entries())
      await sql`insert into judgments (id, project_id, pair_id, annotator_id, helpfulness, safety, shown_left_response_id)
        select gen_random_uuid(), ${project.id}, p.id, ${annotator.id},
               case when ${k} = 1 and n % 5 = 0 then 2 else -2 end, 0, p.response_a_id
        from (select id, response_a_id, row_number() over (order by id) as n from pairs
              where project_id = ${project.id} order by id limit ${judgedPairs}) p`.execute(db);
    await sql`update pairs set judgment_count = 2 where id in (select pair_id from judgments where project_id = ${project.id})`.execute(
      db,
    );
    await sql`update pairs set lease_count = 1 where id in (
      select id from pairs where project_id = ${project.id} and judgment_count = 0 order by id desc limit 100)`.execute(
      db,
    );
    // an import gives every pair a seeded random priority (the breadth-first default)
    await sql`update pairs set priority = random() where project_id = ${project.id}`.execute(db);
    await sql`analyze`.execute(db);
  });

  // the first refresh after turning the policy on rewrites every pair; a later one, after a new
  // model scored the pairs, writes only the head of the order and the targets that changed
  const [first, firstSeconds] = await timed(() => refreshQueue(db, project.id));
  await sql`update pair_scores set probability_a = random(), spread = 0.05 * random()
    where pair_id in (select id from pairs where project_id = ${project.id})`.execute(db);
  const [result, refreshSeconds] = await timed(() => refreshQueue(db, project.id));

  const lookups: number[] = [];
  for (let i = 0; i < 20; i++) {
    const [, s] = await timed(() =>
      nextPair(db, {
        annotator: { id: annotators[2]!.id, languages: [], domains: [] },
        projectSlug: 'bench-al',
        rng: createRng(i),
      }),
    );
    lookups.push(s * 1000);
    // release it so every lookup searches the full queue again
    await sql`update assignments set status = 'released' where annotator_id = ${annotators[2]!.id} and status = 'leased'`.execute(
      db,
    );
    await sql`update pairs set lease_count = 0 where id in (select pair_id from assignments where annotator_id = ${annotators[2]!.id})`.execute(
      db,
    );
  }
  const plan = await sql<{ 'QUERY PLAN': string }>`explain
    select u.id from pairs u join projects pr on pr.id = u.project_id
    where u.status = 'open' and u.project_id = ${project.id}
      and u.judgment_count + u.lease_count < coalesce(u.target_judgments, pr.redundancy)
    order by u.judgment_count + u.lease_count - u.queue_boost, u.priority desc, u.id limit 1`.execute(db);
  lookups.sort((a, b) => a - b);
  const report = {
    pairs,
    judgments,
    policy: values.policy,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    seed_seconds: seedSeconds,
    score_and_judge_seconds: scoreSeconds,
    first_refresh_seconds: firstSeconds,
    first_refresh: first,
    refresh_seconds: refreshSeconds,
    refresh: result,
    next_pair_ms: { p50: lookups[10], max: lookups.at(-1) },
    next_pair_plan: plan.rows.map((r) => r['QUERY PLAN']),
    peak_rss_mb: Math.round(peakRss / 2 ** 20),
  };
  console.log(JSON.stringify(report, null, 2));
  if (values.report) {
    fs.mkdirSync(path.dirname(path.resolve(values.report)), { recursive: true });
    fs.writeFileSync(values.report, JSON.stringify(report, null, 2) + '\n');
  }
} finally {
  clearInterval(sampler);
  await handle.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
