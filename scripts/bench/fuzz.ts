/**
 * Fuzz benchmark: the long form of the property-based hostile-input tests (tests/fuzz/). Every
 * family (each import format, each group of form actions, the JSON API, query-string filters, body
 * limits) runs `--runs` generated inputs against a fresh database and the real server (from
 * build/: run `npm run build` first), and the report counts, per family, the inputs, each outcome
 * class, the 5xx answers, partial writes and unexpected exceptions (all three must be 0), and the
 * errors the server logged meanwhile.
 *
 *   npm run bench:fuzz -- --runs 10000 [--seed 20261210] [--backend pglite|postgres]
 *                         [--family api,forms-admin] [--report reports/fuzz.json]
 *
 * The backend is PGlite (in memory) unless --backend postgres: then the server URL comes from
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and a fresh database is
 * created and dropped. A failing family prints fast-check's seed and counterexample; rerun it with
 * --seed and --family. Exits 1 when any family failed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDb, type DbHandle } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { startTestServer } from '../../tests/setup/server';
import { FAMILIES } from '../../tests/fuzz/families';
import { DEFAULT_SEED, runFamily, type FamilyReport } from '../../tests/fuzz/runner';
import { fuzzServerConfig } from '../../tests/fuzz/server-config';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    backend: { type: 'string', default: 'pglite' },
    family: { type: 'string' },
    report: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
const backend = values.backend === 'postgres' ? 'postgres' : 'pglite';
const wanted = values.family?.split(',').map((f) => f.trim());
const families = FAMILIES.filter((f) => !wanted || wanted.includes(f.key));
if (families.length === 0)
  throw new Error(`--family names none of: ${FAMILIES.map((f) => f.key).join(', ')}`);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `arbiter_bench_fuzz_${process.pid}`;

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-bench-fuzz-'));
let handle: DbHandle;
if (backend === 'postgres') {
  await adminQuery(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  handle = await openDb({ kind: 'postgres', url: url.toString(), poolSize: 10 });
} else {
  handle = await openDb({ kind: 'pglite', dataDir: null });
}

// the server logs every 5xx (and Express its own errors) with console.error: count them per
// family, so a failure that never reached a response status shows in the report too
let logged = 0;
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
  logged++;
  if (logged <= 5) consoleError(...args);
};

const reports: (FamilyReport & { logged_errors: number })[] = [];
const started = performance.now();
try {
  await migrateToLatest(handle.db);
  const config = fuzzServerConfig(path.join(dir, 'uploads'));
  const server = await startTestServer(handle, config);
  const limits = { maxBodyBytes: config.maxBodyBytes!, maxUploadBytes: config.maxUploadBytes! };
  try {
    for (const entry of families) {
      const spec = await entry.make({ db: handle.db, dir, url: server.url, config: limits });
      logged = 0;
      const report = { ...(await runFamily(spec, { runs, seed })), logged_errors: logged };
      reports.push(report);
      const status = report.failure ? 'FAILED' : 'ok';
      console.log(
        `${status.padEnd(6)} ${report.family}: ${report.inputs} inputs in ${report.seconds} s, ${report.server_errors} 5xx, ${report.partial_writes} partial writes, ${report.unexpected} unexpected, ${report.logged_errors} logged errors — ${JSON.stringify(report.outcomes)}`,
      );
      if (report.failure) console.log(report.failure);
      writeReport(false);
    }
  } finally {
    await server.close();
  }
} finally {
  await handle.close();
  if (backend === 'postgres') await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * The report so far. Written after every family, so a run stopped part-way (a long one, on a
 * machine someone needs back) keeps the families it finished; `complete` says whether it ran all.
 */
function writeReport(complete: boolean) {
  const sum = (key: 'inputs' | 'server_errors' | 'partial_writes' | 'unexpected' | 'logged_errors') =>
    reports.reduce((n, r) => n + r[key], 0);
  const result = {
    benchmark: 'fuzz',
    backend,
    runs_per_family: runs,
    seed,
    families: reports,
    totals: {
      families: reports.length,
      inputs: sum('inputs'),
      server_errors: sum('server_errors'),
      partial_writes: sum('partial_writes'),
      unexpected: sum('unexpected'),
      logged_errors: sum('logged_errors'),
      failed_families: reports.filter((r) => r.failure).map((r) => r.family),
    },
    ok: reports.every((r) => !r.failure),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    at: new Date().toISOString(),
    complete,
  };
  if (values.report) {
    fs.mkdirSync(path.dirname(path.resolve(values.report)), { recursive: true });
    fs.writeFileSync(values.report, JSON.stringify(result, null, 2) + '\n');
  }
  return result;
}

const result = writeReport(true);
console.log(JSON.stringify(result.totals, null, 2));
process.exitCode = result.ok ? 0 : 1;
