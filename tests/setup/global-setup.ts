/**
 * Runs once per vitest run: makes sure the server build is fresh (integration tests serve it), and
 * creates the golden migrated databases that every test copies: a PGlite data-dir dump, and, when
 * TEST_DATABASE_URL is set, a PostgreSQL template database.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDb } from '../../db/client';
import { migrateToLatest } from '../../db/migrate';
import { adminQuery, databaseUrl } from './postgres-admin';
import { TEST_DATABASE_URL } from './test-env';

declare module 'vitest' {
  export interface ProvidedContext {
    goldenPglite: string;
    goldenPostgres: string | null;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function ensureBuild(): void {
  const build = path.join(ROOT, 'build', 'index.js');
  const sources = Math.max(...['app', 'db', 'tasks', 'reward'].map((d) => newestMtime(path.join(ROOT, d))));
  if (fs.existsSync(build) && fs.statSync(build).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', '@remix-run', 'dev', 'dist', 'cli.js'), 'build'],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
}

export default async function setup(project: TestProject) {
  ensureBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-golden-'));
  const memory = await openDb({ kind: 'pglite', dataDir: null });
  await migrateToLatest(memory.db);
  const dumpFile = path.join(dir, 'golden.tar.gz');
  fs.writeFileSync(dumpFile, Buffer.from(await (await memory.dumpDataDir!()).arrayBuffer()));
  await memory.close();
  project.provide('goldenPglite', dumpFile);

  let golden: string | null = null;
  if (TEST_DATABASE_URL) {
    golden = `arbiter_golden_${process.pid}`;
    await adminQuery(`DROP DATABASE IF EXISTS ${golden}`);
    await adminQuery(`CREATE DATABASE ${golden}`);
    const handle = await openDb({ kind: 'postgres', url: databaseUrl(golden), poolSize: 2 });
    await migrateToLatest(handle.db);
    await handle.close();
  }
  project.provide('goldenPostgres', golden);

  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (golden) {
      // databases copied from the template by crashed test files are dropped too
      const leftovers = await adminQuery<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'arbiter_t_${process.pid}_%'`,
      );
      for (const { datname } of leftovers)
        await adminQuery(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await adminQuery(`DROP DATABASE IF EXISTS ${golden} WITH (FORCE)`);
    }
  };
}
