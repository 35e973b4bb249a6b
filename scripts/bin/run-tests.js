#!/usr/bin/env node
// `npm test`: every layer of checks in order, a summary of which layers ran, and one closing line.
//   format (prettier) → lint (eslint) → types (tsc) → build (remix) →
//   unit + integration on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set (vitest) →
//   end-to-end in Chromium when one is installed (playwright).
// With CI=true a layer that cannot run (no TEST_DATABASE_URL, no Chromium) is a failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const chromium = [process.env.ARBITER_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p && fs.existsSync(p),
);
const results = [];
const counts = { passed: 0, failed: 0, skipped: 0 };

function step(name, command, args, env = {}) {
  console.log(`\n━━ ${name} ━━`);
  const began = Date.now();
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = run.status === 0;
  results.push({ name, status: ok ? 'passed' : 'FAILED', seconds: (Date.now() - began) / 1000 });
  return ok;
}

function missing(name, why) {
  results.push({ name, status: ci ? 'MISSING' : 'skipped', seconds: 0, why });
  console.log(`\n━━ ${name} ━━\n${ci ? 'MISSING' : 'skipped'}: ${why}`);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
  } catch {
    return null;
  }
}

fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
step('format (prettier --check)', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
step('lint (eslint)', bin('eslint'), ['.', '--max-warnings', '0']);
step('types (tsc --noEmit)', bin('tsc'), ['--noEmit']);
const built = step('build (remix build)', bin('remix'), ['build']);

const postgres = !!process.env.TEST_DATABASE_URL;
const vitestName = `unit + integration on PGlite${postgres ? ' and PostgreSQL' : ''} (vitest)`;
if (built) {
  fs.rmSync(path.join(root, 'test-results', 'vitest.json'), { force: true });
  step(vitestName, bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=test-results/vitest.json',
  ]);
  const report = readJson('test-results/vitest.json');
  if (report) {
    counts.passed += report.numPassedTests ?? 0;
    counts.failed += report.numFailedTests ?? 0;
    counts.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  } else {
    counts.failed += 1;
  }
} else {
  missing(vitestName, 'the build failed');
}
if (!postgres) missing('integration on PostgreSQL', 'TEST_DATABASE_URL is not set');

if (!built) missing('end-to-end (playwright)', 'the build failed');
else if (!chromium)
  missing('end-to-end (playwright)', 'no Chromium found (apt-get install chromium, or set ARBITER_CHROMIUM)');
else {
  fs.rmSync(path.join(root, 'test-results', 'e2e-report.json'), { force: true });
  step('end-to-end in Chromium (playwright)', bin('playwright'), ['test']);
  const report = readJson('test-results/e2e-report.json');
  if (report?.stats) {
    counts.passed += (report.stats.expected ?? 0) + (report.stats.flaky ?? 0);
    counts.failed += report.stats.unexpected ?? 0;
    counts.skipped += report.stats.skipped ?? 0;
  } else {
    counts.failed += 1;
  }
}

console.log('\n━━ summary ━━');
for (const r of results) {
  console.log(
    `${r.status.padEnd(8)} ${r.name}${r.why ? ` — ${r.why}` : ''}${r.seconds ? ` (${r.seconds.toFixed(1)} s)` : ''}`,
  );
}
const failed = results.some((r) => r.status === 'FAILED' || r.status === 'MISSING');
console.log(`total: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failed || counts.failed > 0 ? 1 : 0);
