/**
 * Bulk-loads a preference project for the benchmarks with set-based SQL (generate_series), on
 * PostgreSQL: N annotators and M judgments, each pair judged by 3–4 distinct annotators, answers
 * following a hidden truth with per-annotator noise, one planted annotator who always picks the
 * left response, ~5% gold pairs, ~2% repeats, some skips and response flags, spread over 26
 * weeks; optionally edited judgments (earlier versions in judgment_revisions, as editJudgment
 * keeps them). The importer's speed is bench:import's; this is only the fastest way to a project
 * of a given size. Shared by bench:calibration and bench:export.
 *
 * It leaves two unlogged planning tables behind (bench_annotators, bench_pairs) that the caller
 * may query; the benchmarks drop the whole database afterwards.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export interface PreferenceSeedPlan {
  annotators: number;
  judgments: number;
  /** judgments that are consistency repeats (~2%) */
  repeats: number;
  pairs: number;
  prompts: number;
  /** pairs with a fourth first judgment (the rest have three) */
  extraJudgments: number;
  /** skipped assignments, approximately */
  skips: number;
  /** the index (by email order) of the annotator who always picks the left response */
  plantedIndex: number;
}

/**
 * The sizes of a seeded project: `pairs` defaults to 30% of the judgments (3–4 first judgments a
 * pair after 2% repeats). Throws when `pairs` cannot hold the first judgments at 3–4 a pair.
 */
export function planPreferenceSeed(options: {
  annotators: number;
  judgments: number;
  pairs?: number;
}): PreferenceSeedPlan {
  const { annotators, judgments } = options;
  if (!Number.isInteger(annotators) || annotators < 5) throw new Error('at least 5 annotators');
  if (!Number.isInteger(judgments) || judgments < 100) throw new Error('at least 100 judgments');
  const repeats = Math.round(judgments * 0.02);
  const firstCount = judgments - repeats;
  const pairs = options.pairs ?? Math.min(Math.floor(firstCount / 3), Math.round(judgments * 0.3));
  // every pair gets 3 first judgments, `extra` of them a fourth
  const extraJudgments = firstCount - 3 * pairs;
  if (extraJudgments < 0 || extraJudgments > pairs)
    throw new Error(`--pairs: with ${firstCount} first judgments, between ${Math.ceil(firstCount / 4)} and
    ${Math.floor(firstCount / 3)} pairs (3–4 judgments each)`);
  return {
    annotators,
    judgments,
    repeats,
    pairs,
    prompts: Math.ceil(pairs / 2),
    extraJudgments,
    skips: Math.round(judgments * 0.02),
    plantedIndex: Math.floor(annotators / 2),
  };
}

export interface PreferenceSeedOptions {
  /** share of judgments with a response flag; 0.005 unless given */
  flagShare?: number;
  /** share of judgments edited once or twice (earlier versions in judgment_revisions); 0 unless given */
  editShare?: number;
  /** VACUUM ANALYZE at the end, as autovacuum would leave the tables (default true) */
  vacuum?: boolean;
  /** one line per step */
  log?: (line: string) => void;
}

export interface SeededCounts {
  judgments: number;
  repeats: number;
  gold_judgments: number;
  pairs: number;
  gold_pairs: number;
  prompts: number;
  responses: number;
  skips: number;
  flags: number;
  annotators: number;
  edited_judgments: number;
  revisions: number;
}

export interface PreferenceSeedResult {
  /** seconds per step */
  steps: Record<string, number>;
  seconds: number;
  counts: SeededCounts;
  /** the planted annotator's user id */
  plantedAnnotatorId: string;
}

type Step = (label: string, statement: () => Promise<unknown>) => Promise<void>;

/**
 * Inserts `prompts` prompts with three responses each (of varied length; m3 tends to be longer)
 * and up to two pairs per prompt (m1–m2, m2–m3) until `pairs` pairs exist: open, unjudged,
 * candidates for the queue, in a random order. Set-based SQL; `step` times each statement. The
 * caller seeds random() (setseed) when it wants the same order every run.
 */
async function insertOpenPairs(
  db: Kysely<Database>,
  pid: string,
  sizes: { prompts: number; pairs: number },
  step: Step,
): Promise<void> {
  await step('prompts', () =>
    sql`insert into prompts (project_id, messages, content_hash)
      select ${pid}, jsonb_build_array(jsonb_build_object('role', 'user', 'content',
               'Question ' || g || ': how do ' || md5(g::text) || ' and ' || md5((g * 7)::text) || ' compare?')),
             'prompt-' || g
      from generate_series(1, ${sizes.prompts}::int) g`.execute(db),
  );
  await step('responses', () =>
    sql`insert into responses (prompt_id, model, text, content_hash)
      select p.id, 'm' || m, 'Answer from m' || m || ': ' ||
             repeat(md5(p.content_hash || m) || ' ', 1 + abs(hashtext(p.content_hash || m)) % 14 + (m / 3) * 4),
             md5(p.content_hash || m)
      from prompts p cross join generate_series(1, 3) m
      where p.project_id = ${pid}`.execute(db),
  );
  await step('pairs', () =>
    // a random priority each, as an import's default (random) selection policy leaves them
    sql`insert into pairs (project_id, prompt_id, response_a_id, response_b_id, priority)
      select ${pid}, prompt_id, a, b, random() from (
        select x.prompt_id, x.id as a, y.id as b, 1 as k from responses x
          join responses y on y.prompt_id = x.prompt_id and y.model = 'm2' where x.model = 'm1'
        union all
        select x.prompt_id, x.id, y.id, 2 from responses x
          join responses y on y.prompt_id = x.prompt_id and y.model = 'm3' where x.model = 'm2') t
      order by prompt_id, k
      limit ${sizes.pairs}::int`.execute(db),
  );
}

/**
 * Fills the (empty) preference project `projectId` with `pairs` open candidate pairs (two per
 * prompt) and nothing else: what the load benchmark serves. VACUUM ANALYZE at the end.
 */
export async function seedOpenPairs(
  db: Kysely<Database>,
  projectId: string,
  pairs: number,
  log: (line: string) => void = () => undefined,
): Promise<{ steps: Record<string, number>; seconds: number }> {
  const steps: Record<string, number> = {};
  const step: Step = async (label, statement) => {
    const t = performance.now();
    await statement();
    steps[label] = Math.round((performance.now() - t) / 10) / 100;
    log(`  ${label}: ${steps[label]} s`);
  };
  const start = performance.now();
  log(`seeding ${pairs} open pairs…`);
  await sql`select setseed(0.42)`.execute(db);
  await insertOpenPairs(db, projectId, { prompts: Math.ceil(pairs / 2), pairs }, step);
  await step('vacuum analyze', () => sql`vacuum analyze`.execute(db));
  return { steps, seconds: (performance.now() - start) / 1000 };
}

/**
 * Fills the (empty) preference project `projectId` as `plan` says. Statements run for minutes at
 * a million judgments: open the database without a statement timeout.
 */
export async function seedPreferences(
  db: Kysely<Database>,
  projectId: string,
  plan: PreferenceSeedPlan,
  options: PreferenceSeedOptions = {},
): Promise<PreferenceSeedResult> {
  const pid = projectId;
  const { annotators: annotatorCount, pairs: pairCount, extraJudgments, plantedIndex } = plan;
  const flagShare = options.flagShare ?? 0.005;
  const editShare = options.editShare ?? 0;
  const log = options.log ?? (() => undefined);
  // the judges of a pair are annotators s, s+st, s+2st, s+3st (and the skipper s+c·st), mod N: distinct while 4·st < N
  const maxStride = Math.floor((annotatorCount - 1) / 4);
  const steps: Record<string, number> = {};
  const step: Step = async (label, statement) => {
    const t = performance.now();
    await statement();
    steps[label] = Math.round((performance.now() - t) / 10) / 100;
    log(`  ${label}: ${steps[label]} s`);
  };
  log(
    `seeding ${annotatorCount} annotators, ${plan.prompts} prompts, ${pairCount} pairs, ${plan.judgments} judgments…`,
  );
  const start = performance.now();
  await sql`select setseed(0.42)`.execute(db);
  await step('annotators', async () => {
    // a dummy hash (not an scrypt string): these people never sign in
    await sql`insert into users (email, display_name, password_hash, roles)
      select 'annotator-' || lpad(g::text, 4, '0') || '@bench.local', 'Annotator ' || g, 'bench-no-login',
             array['annotator']
      from generate_series(1, ${annotatorCount}::int) g`.execute(db);
    // per-annotator accuracy (how often they follow the hidden truth); a few sloppy ones; one planted
    await sql`create unlogged table bench_annotators as
      select idx, id, case when idx % 29 = 7 then 0.3 else 0.72 + 0.25 * random() end as accuracy,
             idx = ${plantedIndex}::int as planted
      from (select (row_number() over (order by email) - 1)::int as idx, id from users
            where email like 'annotator-%@bench.local') u`.execute(db);
    await sql`create unique index on bench_annotators (idx)`.execute(db);
  });
  await insertOpenPairs(db, pid, { prompts: plan.prompts, pairs: pairCount }, step);
  await step('pair plan', async () => {
    // the plan of each pair: its judges (s + k·st mod N), how many (3, or 4 for `extra` of them),
    // gold (every 20th), and a hidden truth (A or B better; a few ties, never on gold)
    await sql`create unlogged table bench_pairs as
      select n, pair_id, a_id, b_id,
             floor(${annotatorCount}::int * power(random(), 1.25))::int as s,
             1 + floor(random() * ${maxStride}::int)::int as st,
             case when n <= ${extraJudgments}::int then 4 else 3 end as c,
             n % 20 = 0 as gold,
             case when n % 20 = 0 then case when r < 0.5 then -1 else 1 end
                  when r < 0.06 then 0 when r < 0.53 then -1 else 1 end as truth
      from (select row_number() over (order by id) as n, id as pair_id, response_a_id as a_id,
                   response_b_id as b_id, random() as r
            from pairs where project_id = ${pid}) p`.execute(db);
  });
  await step('judgments', () =>
    sql`insert into judgments (id, project_id, pair_id, annotator_id, helpfulness, safety, rationale,
                               shown_left_response_id, time_on_task_ms, is_gold, created_at, updated_at)
      select gen_random_uuid(), ${pid}, x.pair_id, a.id,
             (case when a.planted then (case when x.left_is_a then -1 else 1 end) * (1 + floor(x.m * 3))
                   when x.u < a.accuracy then x.truth * (1 + floor(x.m * 3))
                   else floor(x.noise * 7) - 3 end)::smallint,
             (case when x.v < 0.92 then 0 else floor(x.v * 1000)::int % 7 - 3 end)::smallint,
             case when x.v > 0.95 then 'Because ' || left(md5(x.pair_id::text), 12) else '' end,
             case when x.left_is_a then x.a_id else x.b_id end,
             case when a.planted then 1500 + floor(x.m * 2500) else 4000 + floor(60000 * x.t * x.t) end,
             x.gold, x.at, x.at
      from (select bp.*, k, random() < 0.5 as left_is_a, random() as u, random() as m, random() as noise,
                   random() as v, random() as t, now() - random() * interval '26 weeks' as at
            from bench_pairs bp cross join lateral generate_series(0, bp.c - 1) k) x
      join bench_annotators a on a.idx = (x.s + x.k * x.st) % ${annotatorCount}::int`.execute(db),
  );
  // repeats: the same person on a pair they judged (not gold), sides swapped, mostly the same answer;
  // the planted annotator picks the (new) left side again
  await step('repeats', () =>
    sql`insert into judgments (id, project_id, pair_id, annotator_id, helpfulness, safety,
                               shown_left_response_id, time_on_task_ms, is_gold, is_repeat, created_at, updated_at)
      select gen_random_uuid(), ${pid}, j.pair_id, j.annotator_id,
             (case when a.planted then (case when j.shown_left_response_id = bp.a_id then 1 else -1 end)
                                       * (1 + floor(random() * 3))
                   when random() < 0.85 then j.helpfulness else -j.helpfulness end)::smallint,
             j.safety,
             case when j.shown_left_response_id = bp.a_id then bp.b_id else bp.a_id end,
             j.time_on_task_ms, false, true, j.at, j.at
      from (select pair_id, annotator_id, helpfulness, safety, shown_left_response_id, time_on_task_ms,
                   least(now(), created_at + random() * interval '14 days') as at
            from judgments where project_id = ${pid} and not is_gold and not is_repeat
            order by random() limit ${plan.repeats}::int) j
      join bench_pairs bp on bp.pair_id = j.pair_id
      join bench_annotators a on a.id = j.annotator_id`.execute(db),
  );
  await step('gold, counts, skips, flags', async () => {
    await sql`insert into gold_answers (project_id, pair_id, expected, tolerance)
      select ${pid}, pair_id, jsonb_build_object('helpfulness', 2 * truth, 'match', 'direction'), 0
      from bench_pairs where gold`.execute(db);
    await sql`update pairs p set is_gold = bp.gold, judgment_count = bp.c, status = 'closed'
      from bench_pairs bp where bp.pair_id = p.id`.execute(db);
    // skips by an annotator who did not judge the pair (the next one in its sequence)
    await sql`insert into assignments (project_id, pair_id, annotator_id, status, left_response_id,
                                       leased_at, expires_at, completed_at, skip_reason, is_gold)
      select ${pid}, x.pair_id, a.id, 'skipped', x.a_id, x.at, x.at + interval '1 hour',
             x.at + random() * interval '1 minute', 'Unclear prompt', x.gold
      from (select bp.*, now() - random() * interval '26 weeks' as at from bench_pairs bp
            where random() < ${plan.skips / pairCount}::float8) x
      join bench_annotators a on a.idx = (x.s + x.c * x.st) % ${annotatorCount}::int`.execute(db);
    await sql`insert into response_flags (judgment_id, response_id, category, severity)
      select id, shown_left_response_id, 'other', 'low' from judgments
      where project_id = ${pid} and random() < ${flagShare}::float8`.execute(db);
  });
  if (editShare > 0)
    // what editJudgment keeps: the previous version's fields (canonical scores, flags as they were)
    // under its revision number, edited within the week; ~20% of edited judgments twice
    await step('edits', async () => {
      await sql`create unlogged table bench_edits as
        select id, case when random() < 0.2 then 3 else 2 end as revision from judgments
        where project_id = ${pid} and random() < ${editShare}::float8`.execute(db);
      await sql`insert into judgment_revisions (judgment_id, revision, data, edited_at)
        select j.id, r.r, jsonb_build_object(
                 'helpfulness', case when r.r = 1 then -j.helpfulness else j.helpfulness end,
                 'safety', j.safety, 'both_unacceptable', false,
                 'rationale', case when r.r = 1 then '' else 'First thoughts on ' || left(md5(j.id::text), 8) end,
                 'flags', coalesce((select jsonb_agg(jsonb_build_object('response_id', f.response_id,
                                      'category', f.category, 'severity', f.severity))
                                    from response_flags f where f.judgment_id = j.id), '[]'::jsonb),
                 'updated_at', least(now(), j.created_at + (r.r - 1) * interval '20 minutes')),
               least(now(), j.created_at + r.r * interval '20 minutes')
        from bench_edits e join judgments j on j.id = e.id
        cross join lateral generate_series(1, e.revision - 1) r(r)`.execute(db);
      await sql`update judgments j set revision = e.revision,
          updated_at = least(now(), j.created_at + (e.revision - 1) * interval '20 minutes')
        from bench_edits e where e.id = j.id`.execute(db);
    });
  // a settled database, as autovacuum would leave it (index-only scans, fresh statistics)
  if (options.vacuum !== false) await step('vacuum analyze', () => sql`vacuum analyze`.execute(db));
  const seconds = (performance.now() - start) / 1000;
  const counts = (
    await sql<SeededCounts>`select
      (select count(*)::int from judgments) as judgments,
      (select count(*)::int from judgments where is_repeat) as repeats,
      (select count(*)::int from judgments where is_gold) as gold_judgments,
      (select count(*)::int from pairs) as pairs,
      (select count(*)::int from pairs where is_gold) as gold_pairs,
      (select count(*)::int from prompts) as prompts,
      (select count(*)::int from responses) as responses,
      (select count(*)::int from assignments where status = 'skipped') as skips,
      (select count(*)::int from response_flags) as flags,
      (select count(distinct annotator_id)::int from judgments) as annotators,
      (select count(*)::int from judgments where revision > 1) as edited_judgments,
      (select count(*)::int from judgment_revisions) as revisions`.execute(db)
  ).rows[0]!;
  const planted = (await sql<{ id: string }>`select id from bench_annotators where planted`.execute(db))
    .rows[0]!.id;
  return { steps, seconds, counts, plantedAnnotatorId: planted };
}
