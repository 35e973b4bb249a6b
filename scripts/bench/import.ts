/**
 * Import benchmark: writes a synthetic TRL file of N pairs (seeded), imports it into a fresh
 * database with the real importer, and reports the time and peak memory as JSON.
 *
 *   npm run bench:import -- --pairs 50000 [--backend postgres|pglite] [--report reports/import.json]
 *
 * PostgreSQL comes from BENCH_DATABASE_URL (a server URL; a fresh database is created and dropped).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDb, type DbHandle } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { createProject } from '../../tasks/projects';
import { importPreferences } from '../../tasks/import/preferences';
import { createRng } from '../../tasks/rng';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '50000' },
    backend: { type: 'string', default: 'postgres' },
    report: { type: 'string' },
    seed: { type: 'string', default: '7' },
  },
});
const pairs = Number(values.pairs);
if (!Number.isInteger(pairs) || pairs < 1) throw new Error('--pairs must be a positive whole number');
const backend = values.backend === 'pglite' ? 'pglite' : 'postgres';
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const WORDS =
  'the of and to in is you that it was for on are as with they at be this have from or one had by word but not what all were we when your can said there use each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part'.split(
    ' ',
  );
const rng = createRng(Number(values.seed));
const sentence = (n: number) =>
  Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(' ');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-bench-import-'));
const file = path.join(dir, 'pairs.jsonl.gz');
const lines: string[] = [];
for (let i = 0; i < pairs; i++) {
  lines.push(
    JSON.stringify({
      prompt: `Question ${i}: ${sentence(12)}?`,
      chosen: `${sentence(40)} ${i}`,
      rejected: `${sentence(25)} x${i}`,
    }),
  );
}
fs.writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
const fileBytes = fs.statSync(file).size;

const dbName = `arbiter_bench_${process.pid}`;
let handle: DbHandle;
if (backend === 'postgres') {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  handle = await openDb({ kind: 'postgres', url: url.toString() });
} else {
  handle = await openDb({ kind: 'pglite', dataDir: path.join(dir, 'store'), lockPurpose: 'bench' });
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
try {
  await migrateToLatest(handle.db);
  const project = await createProject(
    handle.db,
    { slug: 'bench', name: 'bench', type: 'preference' },
    { email: 'bench' },
  );
  const started = performance.now();
  const report = await importPreferences(handle.db, () => fs.createReadStream(file), {
    projectId: project.id,
    format: 'auto',
    rng: createRng(1),
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const result = {
    benchmark: 'import',
    backend,
    pairs,
    file_bytes: fileBytes,
    seconds: Number(seconds.toFixed(2)),
    pairs_per_second: Math.round(report.pairs.created / seconds),
    peak_rss_mb: Math.round(peakRss / 1024 / 1024),
    created: {
      prompts: report.prompts.created,
      responses: report.responses.created,
      pairs: report.pairs.created,
    },
    target: { pairs: 50000, seconds: 60, met: pairs >= 50000 ? seconds < 60 : null },
    machine: {
      cpus: os.cpus().length,
      memory_gb: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
    },
    at: new Date().toISOString(),
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.report) {
    fs.mkdirSync(path.dirname(path.resolve(values.report)), { recursive: true });
    fs.writeFileSync(values.report, JSON.stringify(result, null, 2) + '\n');
  }
} finally {
  clearInterval(sampler);
  await handle.close();
  if (backend === 'postgres') {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
