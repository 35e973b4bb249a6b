/**
 * Calibration dashboard benchmark: a preference project on PostgreSQL with N annotators and M
 * judgments (bulk-loaded with SQL: each pair judged by 3–4 distinct annotators, answers following
 * a hidden truth with per-annotator noise, one planted annotator who always picks the left
 * response, ~5% gold pairs, ~2% repeats, some skips, spread over 26 weeks); then the quality
 * refresh job's function, timed with its peak memory; then the built Remix server on the same
 * database, signed in as a lead, serving the dashboard and one annotator's drill-down, timed over
 * HTTP. The baseline, measured in the same run, is the single SQL read of the latest report that
 * the dashboard's loader makes, issued directly.
 *
 *   npm run bench:calibration -- --annotators 200 --judgments 1000000 [--report reports/calibration.json]
 *
 * PostgreSQL comes from BENCH_DATABASE_URL (a server URL; a fresh database is created and dropped).
 * The server build must exist (`npx remix build`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { openDb } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { findLatestJob } from '../../db/queries/jobs';
import { listProjectSummaries } from '../../db/queries/projects';
import { findLatestQualityReport } from '../../db/queries/quality';
import { loadConfig } from '../../app/utils/env.server';
import { createUser } from '../../tasks/accounts';
import { TEST_SCRYPT } from '../../tasks/passwords';
import { createProject } from '../../tasks/projects';
import { listDisagreements } from '../../tasks/quality/disagreements';
import { QUALITY_REFRESH_JOB, refreshQualityReport } from '../../tasks/quality/refresh';
import type { QualityReport } from '../../tasks/quality/report';
import { planPreferenceSeed, seedPreferences } from './seed-preferences';

const wallStart = performance.now();
const { values } = parseArgs({
  options: {
    annotators: { type: 'string', default: '200' },
    judgments: { type: 'string', default: '1000000' },
    /** default: 30% of the judgments (3–4 first judgments per pair after 2% repeats) */
    pairs: { type: 'string' },
    'dashboard-requests': { type: 'string', default: '20' },
    'drilldown-requests': { type: 'string', default: '10' },
    report: { type: 'string', default: 'reports/calibration.json' },
  },
});
const wholeAtLeast = (name: string, raw: string | undefined, min: number) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
  return n;
};
const annotatorCount = wholeAtLeast('annotators', values.annotators, 5);
const judgmentCount = wholeAtLeast('judgments', values.judgments, 100);
const dashboardRequests = wholeAtLeast('dashboard-requests', values['dashboard-requests'], 2);
const drilldownRequests = wholeAtLeast('drilldown-requests', values['drilldown-requests'], 1);
const plan = planPreferenceSeed({
  annotators: annotatorCount,
  judgments: judgmentCount,
  pairs: values.pairs ? wholeAtLeast('pairs', values.pairs, 10) : undefined,
});
const { repeats: repeatCount, pairs: pairCount, prompts: promptCount, skips: skipCount } = plan;
const TARGET_P95_MS = 2000;
const SLUG = 'bench-calibration';
const LEAD = { email: 'lead@bench.local', password: 'calibration bench passphrase 42' };

// The server build must exist. `remix build` compiles JSX for its mode (NODE_ENV at build time): a
// production build calls react/jsx-runtime, any other mode react/jsx-dev-runtime, which only works
// with React's development build. React picks that from NODE_ENV when the server build loads it, so
// NODE_ENV follows the build unless set; a development build makes every render time pessimistic.
// (Nothing imported above loads React.)
const buildPath = path.resolve(import.meta.dirname, '..', '..', 'build', 'index.js');
const givenNodeEnv = process.env.NODE_ENV;
const checkBuild = (): 'production' | 'development' => {
  if (!fs.existsSync(buildPath))
    throw new Error('No server build at build/index.js: run `NODE_ENV=production npx remix build` first.');
  const mode = fs.readFileSync(buildPath, 'utf8').includes('react/jsx-dev-runtime')
    ? 'development'
    : 'production';
  if (givenNodeEnv !== undefined && (givenNodeEnv === 'production') !== (mode === 'production'))
    throw new Error(
      `build/index.js is a ${mode} build but NODE_ENV=${givenNodeEnv}: rebuild (\`NODE_ENV=production npx remix build\`) or unset NODE_ENV.`,
    );
  return mode;
};
if (checkBuild() !== 'production')
  console.error(
    'warning: build/index.js is a development build (React development mode): render times are pessimistic. Rebuild with `NODE_ENV=production npx remix build` to measure what is deployed.',
  );

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `arbiter_bench_calibration_${process.pid}`;

let peakRss = 0;
let phasePeakRss = 0;
const sample = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  phasePeakRss = Math.max(phasePeakRss, rss);
};
const sampler = setInterval(sample, 100);
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
};
/** p50/p95/max of millisecond samples (nearest rank). */
const stats = (ms: readonly number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return { n: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1)!) };
};
const repeat = async (n: number, fn: () => Promise<unknown>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await timed(fn))[1]);
  return out;
};

/** A browser tab's worth of HTTP: a cookie jar, same-origin form posts, no redirect following. */
class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(this.base + pathname, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [key, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(key!.trim());
      else this.cookies.set(key!.trim(), value);
    }
    return response;
  }
  async login(email: string, password: string) {
    const response = await this.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ email, password, redirectTo: '/' }),
      headers: { Origin: this.base },
    });
    if (response.status !== 302)
      throw new Error(`login for ${email} failed with ${response.status}: ${await response.text()}`);
  }
  /** Time to the full body, in ms, with the body's size; throws unless 200. */
  async timedGet(pathname: string): Promise<{ ms: number; bytes: number; body: string }> {
    const t = performance.now();
    const response = await this.request(pathname);
    const body = await response.text();
    const ms = performance.now() - t;
    if (response.status !== 200) throw new Error(`GET ${pathname}: ${response.status} ${body.slice(0, 300)}`);
    return { ms, bytes: Buffer.byteLength(body), body };
  }
}

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
// no statement timeout: the bulk load runs statements of minutes
const handle = await openDb({ kind: 'postgres', url: url.toString(), statementTimeoutMs: 0 });
let server: { url: string; close(): Promise<void> } | undefined;
try {
  const db = handle.db;
  await migrateToLatest(db);
  const project = await createProject(
    db,
    { slug: SLUG, name: 'Bench calibration', type: 'preference', redundancy: 3 },
    {},
  );
  const pid = project.id;

  // ---- 1. seed (plain SQL, set-based; the importer's speed is bench:import's) ----
  const seeded = await seedPreferences(db, pid, plan, { log: (line) => console.error(line) });
  const { steps: loadSteps, seconds: loadSeconds, counts, plantedAnnotatorId: planted } = seeded;

  // ---- 2. aggregate: what the 'quality-refresh' job runs ----
  console.error('refreshing the quality report…');
  sample();
  const rssBefore = process.memoryUsage().rss;
  phasePeakRss = rssBefore;
  const [refresh, refreshMs] = await timed(() => refreshQualityReport(db, pid));
  sample();
  const refreshPeakRss = phasePeakRss;
  const maxRssAfterRefresh = process.resourceUsage().maxRSS * 1024;
  const stored = (
    await sql<{ bytes: number }>`select octet_length(report::text)::int as bytes from quality_reports
      where id = ${refresh.reportId}`.execute(db)
  ).rows[0]!;
  const latest = (await findLatestQualityReport(db, pid))!;
  const report = latest.report as unknown as QualityReport;
  const plantedProfile = report.annotators.find((a) => a.annotator === planted);

  // ---- 3. render: the built server on the same database, a lead signed in over HTTP ----
  await createUser(
    db,
    { email: LEAD.email, displayName: 'Bench lead', roles: ['lead'], password: LEAD.password },
    {},
    TEST_SCRYPT,
  );
  // checked again (the build may have been replaced meanwhile) and NODE_ENV settled before the
  // server build, and with it React, is first imported
  const buildMode = checkBuild();
  process.env.NODE_ENV = givenNodeEnv ?? buildMode;
  const { startServer } = await import('../server/start');
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    ARBITER_COOKIE_SECURE: 'false',
    ARBITER_WORKER: 'off',
  });
  server = await startServer({ config, handle, worker: false, log: () => undefined });
  const client = new Client(server.url);
  await client.login(LEAD.email, LEAD.password);
  const q = `project=${encodeURIComponent(SLUG)}`;
  const dashboardPath = `/calibration?${q}`;
  const drilldownPath = `/calibration/${planted}?${q}`;

  console.error('requesting the dashboard…');
  sample();
  phasePeakRss = process.memoryUsage().rss;
  const cold = await client.timedGet(dashboardPath);
  if (!cold.body.includes('Consensus method')) throw new Error('The dashboard did not show the report.');
  const warm: { ms: number; bytes: number }[] = [];
  for (let i = 1; i < dashboardRequests; i++) warm.push(await client.timedGet(dashboardPath));
  // the loader alone (Remix data request: loader + JSON serialisation, no React render)
  const dashboardData = await repeat(10, () =>
    client.timedGet(`${dashboardPath}&_data=${encodeURIComponent('routes/calibration')}`),
  );
  const dashboardDataBytes = (
    await client.timedGet(`${dashboardPath}&_data=${encodeURIComponent('routes/calibration')}`)
  ).bytes;
  const drilldown: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < drilldownRequests; i++) drilldown.push(await client.timedGet(drilldownPath));
  const drilldownData = await repeat(5, () =>
    client.timedGet(`${drilldownPath}&_data=${encodeURIComponent('routes/calibration_.$annotatorId')}`),
  );
  const renderPeakRss = phasePeakRss;

  // baselines and the loader's parts, issued directly on the same pool
  const baselineRead = await repeat(10, () => findLatestQualityReport(db, pid));
  const rawRead = await repeat(10, () =>
    sql`select report::text from quality_reports where project_id = ${pid}
      order by created_at desc limit 1`.execute(db),
  );
  const summaries = await repeat(10, () => listProjectSummaries(db));
  const pendingJob = await repeat(10, () =>
    findLatestJob(db, { kind: QUALITY_REFRESH_JOB, projectId: pid, statuses: ['queued', 'running'] }),
  );
  const projectsNow = await listProjectSummaries(db);
  const serialise = await repeat(10, async () =>
    JSON.stringify({ projects: projectsNow, project: projectsNow[0], latest: { report: latest.report } }),
  );
  const disagreementsDirect = await repeat(5, () =>
    listDisagreements(db, { projectId: pid, annotatorId: planted, type: 'preference', limit: 200 }),
  );

  const dashboardMs = warm.map((r) => r.ms);
  const dashboard = stats(dashboardMs);
  const baseline = stats(baselineRead);
  const met = dashboard.p95 < TARGET_P95_MS;
  const result = {
    target: {
      statement:
        'The dashboard for 200 annotators and 1,000,000 judgments renders in under 2 s (precomputed aggregates refreshed by a job).',
      dashboard_p95_ms_below: TARGET_P95_MS,
      met,
    },
    parameters: {
      annotators: annotatorCount,
      judgments: judgmentCount,
      pairs: pairCount,
      prompts: promptCount,
      repeats: repeatCount,
      skips_target: skipCount,
      planted_annotator: planted,
      dashboard_requests: dashboardRequests,
      drilldown_requests: drilldownRequests,
    },
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      total_mem_mb: mb(os.totalmem()),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      node_env: process.env.NODE_ENV,
      server_build_mode: buildMode,
      postgres: (await sql<{ v: string }>`select version() as v`.execute(db)).rows[0]!.v,
      server_build_mtime: fs.statSync(buildPath).mtime.toISOString(),
    },
    seeded: counts,
    load_seconds: round(loadSeconds, 1),
    load_steps_seconds: loadSteps,
    refresh: {
      seconds: round(refreshMs / 1000, 2),
      answers: refresh.answers,
      annotators: refresh.annotators,
      rss_before_mb: mb(rssBefore),
      peak_rss_mb: mb(refreshPeakRss),
      // the kernel's high-water mark up to the end of the refresh (the sampler cannot run during synchronous work)
      max_rss_after_refresh_mb: mb(maxRssAfterRefresh),
      report_json_bytes: stored.bytes,
      flagged_annotators: report.annotators.filter((a) => a.flags.length > 0).length,
      planted_flags: plantedProfile?.flags ?? null,
      planted_left_rate: plantedProfile?.position.leftRate ?? null,
      consensus_method: report.consensus.method,
    },
    dashboard: {
      cold_ms: round(cold.ms),
      warm_ms: dashboard,
      body_bytes: cold.bytes,
      loader_data_request_ms: stats(dashboardData),
      loader_data_bytes: dashboardDataBytes,
    },
    drilldown: {
      ms: stats(drilldown.map((r) => r.ms)),
      body_bytes: drilldown[0]!.bytes,
      loader_data_request_ms: stats(drilldownData),
      list_disagreements_direct_ms: stats(disagreementsDirect),
    },
    baseline: {
      what: 'findLatestQualityReport (the single SQL read of the latest report, parsed by pg), issued directly',
      ms: baseline,
      dashboard_over_baseline_p50: round(dashboard.p50 / baseline.p50, 1),
    },
    loader_parts_ms: {
      report_read_raw_text: stats(rawRead),
      list_project_summaries: stats(summaries),
      find_pending_job: stats(pendingJob),
      json_stringify_loader_data: stats(serialise),
    },
    render_peak_rss_mb: mb(renderPeakRss),
    peak_rss_mb: mb(peakRss),
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    wall_seconds: round((performance.now() - wallStart) / 1000, 1),
  };
  const out = path.resolve(values.report!);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(
    [
      `calibration bench: ${annotatorCount} annotators, ${counts.judgments} judgments, ${counts.pairs} pairs (${os.cpus().length} CPUs, node ${process.version}, NODE_ENV=${process.env.NODE_ENV})`,
      `  load ${result.load_seconds} s · refresh ${result.refresh.seconds} s, peak RSS ${result.refresh.peak_rss_mb} MB, report ${Math.round(stored.bytes / 1024)} KiB`,
      `  dashboard: cold ${result.dashboard.cold_ms} ms, p50 ${dashboard.p50} / p95 ${dashboard.p95} / max ${dashboard.max} ms, ${Math.round(cold.bytes / 1024)} KiB` +
        ` (loader only p50 ${result.dashboard.loader_data_request_ms.p50} ms)`,
      `  baseline report read p50 ${baseline.p50} ms → dashboard ${result.baseline.dashboard_over_baseline_p50}× · project summaries p50 ${result.loader_parts_ms.list_project_summaries.p50} ms`,
      `  drill-down (planted annotator, flags ${JSON.stringify(plantedProfile?.flags ?? [])}): p50 ${result.drilldown.ms.p50} / p95 ${result.drilldown.ms.p95} ms`,
      `  target p95 < ${TARGET_P95_MS} ms: ${met ? 'met' : 'MISSED'} · report ${path.relative(process.cwd(), out)} · wall ${result.wall_seconds} s`,
    ].join('\n'),
  );
} finally {
  clearInterval(sampler);
  await server?.close();
  await handle.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
