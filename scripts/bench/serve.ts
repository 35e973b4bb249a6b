/**
 * Load benchmark: a preference project with N open candidate pairs on PostgreSQL, the built server
 * started as its own process (or several, behind a round-robin client), and simulated annotators
 * signed in with real sessions doing what the compare screen does: next pair → think time →
 * submit. Then the baseline in the same run: the same queue and judgment functions called
 * directly through pg at the same concurrency and think time. It ends with an audit: every
 * acknowledged submission stored exactly once, no pair over its redundancy.
 *
 *   npm run bench:serve -- --annotators 100 --pairs 1000000 --seconds 60 [--processes 2]
 *                          [--think-ms 4000] [--warmup 5] [--seed 1] [--report reports/serve.json]
 *
 * Think time is uniform in [0.5, 1.5] × --think-ms. A person ranking two LLM responses takes 20–90 s;
 * the default (2–6 s) keeps each simulated annotator 5–45 times faster than that, so 100 of them
 * offer the load of several hundred real ones. --think-ms 1000 is the stress run (docs/benchmarks.md).
 *
 * PostgreSQL comes from BENCH_DATABASE_URL (a server URL; a fresh database is created and dropped
 * at the end). The server build must exist (`NODE_ENV=production npx remix build`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { openDb } from '../../db/client';
import { insertSession } from '../../db/queries/sessions';
import { migrateToLatest } from '../../db/migrate';
import { createUser } from '../../tasks/accounts';
import { TEST_SCRYPT } from '../../tasks/passwords';
import { createProject } from '../../tasks/projects';
import { latencyStats, runAnnotators, type LoadResult } from './load/annotators';
import { directOps } from './load/direct-ops';
import { httpOps, SessionClient } from './load/http-ops';
import { checkIntegrity } from './load/integrity';
import { cpuBetween, snapshot, type CpuSnapshot } from './load/cpu';
import { spawnServer, type ServerProcess } from './load/server-process';
import { seedOpenPairs } from './seed-preferences';

const { values } = parseArgs({
  options: {
    annotators: { type: 'string', default: '100' },
    pairs: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '60' },
    processes: { type: 'string', default: '1' },
    'think-ms': { type: 'string', default: '4000' },
    warmup: { type: 'string', default: '5' },
    'pool-size': { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    report: { type: 'string', default: 'reports/serve.json' },
  },
});
const whole = (name: string, min: number) => {
  const n = Number(values[name as keyof typeof values]);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
  return n;
};
const annotatorCount = whole('annotators', 1);
const pairCount = whole('pairs', 10);
const seconds = whole('seconds', 1);
const processes = whole('processes', 1);
const thinkMs = whole('think-ms', 0);
const warmup = whole('warmup', 0);
const poolSize = whole('pool-size', 1);
const seed = whole('seed', 0);
if (warmup >= seconds) throw new Error('--warmup must be shorter than --seconds');
const TARGET_P99_MS = 50;
const TARGET_RATIO = 3;
const SLUG = 'bench-serve';
const PASSWORD = 'serve bench passphrase 42';
const SESSION_SECRET = 'bench-serve-session-secret-0123456789abcdef';
const log = (line: string) => console.error(line);

const buildPath = path.resolve(import.meta.dirname, '..', '..', 'build', 'index.js');
if (!fs.existsSync(buildPath) || fs.readFileSync(buildPath, 'utf8').includes('react/jsx-dev-runtime'))
  throw new Error('No production server build: run `NODE_ENV=production npx remix build` first.');

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `arbiter_bench_serve_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const dbUrl = url.toString();
const servers: ServerProcess[] = [];
// no statement timeout for the bulk load; the baseline pool below has the app's settings
const setup = await openDb({ kind: 'postgres', url: dbUrl, statementTimeoutMs: 0 });
const wallStart = performance.now();
try {
  const db = setup.db;
  await migrateToLatest(db);
  const project = await createProject(
    db,
    { slug: SLUG, name: 'Bench serve', type: 'preference', redundancy: 3 },
    {},
  );
  const seeded = await seedOpenPairs(db, project.id, pairCount, log);
  // flush the bulk load's dirty pages now: otherwise the next checkpoint writes a gigabyte in the
  // middle of a measured phase and stalls it for seconds (seen as 2 s outliers in the baseline)
  await sql`checkpoint`.execute(db).catch((error: Error) => log(`checkpoint skipped: ${error.message}`));
  log(`creating ${2 * annotatorCount} annotators…`);
  const makeAnnotators = async (group: string) => {
    const out = [];
    for (let i = 0; i < annotatorCount; i++) {
      out.push(
        await createUser(
          db,
          {
            email: `${group}-${String(i).padStart(4, '0')}@bench.local`,
            displayName: `${group} ${i}`,
            roles: ['annotator'],
            password: PASSWORD,
          },
          {},
          TEST_SCRYPT,
        ),
      );
    }
    return out;
  };
  const httpAnnotators = await makeAnnotators('http');
  const directAnnotators = await makeAnnotators('direct');
  // the baseline reads a session on every request, as the route does: one live row per annotator
  const directSessions: string[] = [];
  for (const a of directAnnotators) {
    const id = `bench-${randomBytes(24).toString('base64url')}`;
    await insertSession(db, {
      id,
      user_id: a.id,
      data: { userId: a.id },
      expires_at: new Date(Date.now() + 86_400_000),
      ip: null,
      user_agent: 'bench:serve baseline',
    });
    directSessions.push(id);
  }

  // ---- 1. over HTTP: the built server(s), each its own process with the app's pool ----
  // e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server(s)
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  log(`starting ${processes} server process(es)…`);
  const env = {
    DATABASE_URL: dbUrl,
    SESSION_SECRET,
    ARBITER_WORKER: 'off',
    ARBITER_PG_POOL_SIZE: String(poolSize),
    ARBITER_LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
  };
  for (let i = 0; i < processes; i++) servers.push(await spawnServer({ env, nodeArgs }));
  const bases = servers.map((s) => s.url);
  log(`signing in ${annotatorCount} annotators…`);
  const clients = httpAnnotators.map(() => new SessionClient(bases));
  for (let i = 0; i < clients.length; i++) await clients[i]!.login(httpAnnotators[i]!.email, PASSWORD);
  const think: [number, number] = [thinkMs * 0.5, thinkMs * 1.5];
  const phase = async (label: string, ops: Parameters<typeof runAnnotators>[0], pids: number[]) => {
    log(`${label}: ${annotatorCount} annotators for ${seconds} s (think ${think[0]}–${think[1]} ms)…`);
    const began = Date.now();
    // CPU is counted over the recorded part of the phase, as the latencies are
    let from: CpuSnapshot | undefined;
    const startCount = setTimeout(() => (from = snapshot(pids)), warmup * 1000);
    const result = await runAnnotators(ops, {
      deadline: began + seconds * 1000,
      recordFrom: began + warmup * 1000,
      thinkMs: think,
      seed,
    });
    clearTimeout(startCount);
    const to = snapshot(pids);
    const cpu = cpuBetween(from ?? to, to, result.nextPairMs.length + result.submitMs.length);
    log(`  ${result.acknowledged.length} judgments acknowledged, ${sum(result.errors)} errors`);
    log(`  cpu ${JSON.stringify(cpu)}`);
    return { ...result, cpu };
  };
  const http = await phase(
    'http',
    clients.map((c) => httpOps(c, SLUG)),
    servers.map((s) => s.pid()).filter((pid): pid is number => pid !== undefined),
  );
  const serverRss = await Promise.all(servers.map((s) => rssOf(s.pid())));
  for (const s of servers) await s.kill('SIGTERM');

  // ---- 2. the baseline: the same functions through pg, same concurrency, same pool size in all ----
  const direct = await openDb({ kind: 'postgres', url: dbUrl, poolSize: poolSize * processes });
  let baseline: LoadResult & { cpu: ReturnType<typeof cpuBetween> };
  try {
    baseline = await phase(
      'direct',
      directAnnotators.map((a, i) => directOps(direct.db, a, SLUG, directSessions[i]!)),
      [],
    );
  } finally {
    await direct.close();
  }

  // ---- 3. audit ----
  const integrity = await checkIntegrity(db, project.id, [...http.acknowledged, ...baseline.acknowledged]);
  const summary = (r: LoadResult & { cpu: ReturnType<typeof cpuBetween> }) => ({
    judgmentsPerSecond: round(r.acknowledged.length / ((r.endedAt - r.startedAt) / 1000), 1),
    acknowledged: r.acknowledged.length,
    unacknowledged: r.unacknowledged.length,
    nextPair: latencyStats(r.nextPairMs),
    submit: latencyStats(r.submitMs),
    errors: sum(r.errors),
    errorKinds: r.errors,
    rejected: r.rejected,
    empty: r.empty,
    slowestMs: round(r.slowestMs, 1),
    cpu: r.cpu,
  });
  const httpSummary = summary(http);
  const baseSummary = summary(baseline);
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : null);
  const ratios = {
    nextPairP99: ratio(httpSummary.nextPair.p99, baseSummary.nextPair.p99),
    submitP99: ratio(httpSummary.submit.p99, baseSummary.submit.p99),
  };
  const targets = {
    nextPairP99: httpSummary.nextPair.p99 <= TARGET_P99_MS,
    submitP99: httpSummary.submit.p99 <= TARGET_P99_MS,
    zeroErrors: httpSummary.errors === 0 && baseSummary.errors === 0,
    withinRatio: (ratios.nextPairP99 ?? 0) <= TARGET_RATIO && (ratios.submitP99 ?? 0) <= TARGET_RATIO,
    integrity: integrity.ok,
  };
  const report = {
    benchmark: 'serve',
    date: new Date().toISOString(),
    command: `npm run bench:serve -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      postgres: (await admin.query('show server_version')).rows[0].server_version as string,
    },
    setup: {
      annotators: annotatorCount,
      pairs: pairCount,
      redundancy: 3,
      seconds,
      warmupSeconds: warmup,
      processes,
      poolSizePerProcess: poolSize,
      thinkMs: think,
      seed,
      seedSeconds: round(seeded.seconds, 1),
      seedSteps: seeded.steps,
      workerInServer: false,
      serverRssMB: serverRss,
    },
    http: httpSummary,
    direct: baseSummary,
    ratios,
    integrity,
    targets: { p99Ms: TARGET_P99_MS, ratio: TARGET_RATIO, met: targets },
    wallSeconds: round((performance.now() - wallStart) / 1000, 1),
  };
  fs.mkdirSync(path.dirname(path.resolve(values.report!)), { recursive: true });
  fs.writeFileSync(values.report!, JSON.stringify(report, null, 2) + '\n');
  log(
    `http   next p50/p95/p99 ${fmt(httpSummary.nextPair)}  submit ${fmt(httpSummary.submit)}  ${httpSummary.judgmentsPerSecond}/s`,
  );
  log(
    `direct next p50/p95/p99 ${fmt(baseSummary.nextPair)}  submit ${fmt(baseSummary.submit)}  ${baseSummary.judgmentsPerSecond}/s`,
  );
  log(
    `ratio p99 next ${ratios.nextPairP99}× submit ${ratios.submitP99}×; integrity ${JSON.stringify(integrity)}`,
  );
  log(`report: ${values.report}`);
  if (!integrity.ok) process.exitCode = 1;
} finally {
  for (const s of servers) await s.kill('SIGKILL').catch(() => undefined);
  await setup.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

function sum(map: Record<string, number>): number {
  return Object.values(map).reduce((a, b) => a + b, 0);
}
function round(x: number, digits: number): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}
function fmt(s: { p50: number; p95: number; p99: number }): string {
  return `${s.p50}/${s.p95}/${s.p99} ms`;
}
/** A process's resident memory in MB, from /proc (Linux), or null. */
async function rssOf(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const status = await fs.promises.readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}
