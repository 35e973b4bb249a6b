/**
 * `arbiter simulate` end to end, as a person runs it: on a synthetic file always, and on small
 * slices of the shared data (PKU-SafeRLHF pairs, SST-2 dev) when that folder is present (CI has it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticPairs } from '../../reward/testing/synthetic';
import { createRng } from '../../reward/rng';
import { sharedDataDir, writeSharedSetJsonl } from '../bench/shared-sets';
import { runArbiter as arbiter } from '../../tests/setup/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-simulate-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const shared = sharedDataDir(path.resolve('.'));

interface Report {
  task: string;
  pool: number;
  test: number;
  random_final_accuracy: number;
  strategies: Record<
    string,
    {
      curve: { labels: number; median: number; spread: number }[];
      savings_vs_random: number | null;
      never_worse_than_random: boolean;
      runs: { seed: number; curve: { labels: number; accuracy: number }[] }[];
    }
  >;
  chart: string;
}

const readReport = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Report;

describe('arbiter simulate', () => {
  it('replays a preference file for each strategy and seed, and writes the report and its chart', async () => {
    const file = path.join(dir, 'synthetic.jsonl');
    fs.writeFileSync(
      file,
      syntheticPairs(240, createRng(9))
        .map((p) =>
          JSON.stringify({ prompt: p.prompt, chosen: p.target ? p.a : p.b, rejected: p.target ? p.b : p.a }),
        )
        .join('\n'),
    );
    const report = path.join(dir, 'synthetic.json');
    const run = await arbiter([
      'simulate',
      '--data',
      file,
      '--strategies',
      'random,hybrid,hybrid-without-diversity',
      '--budget',
      '60',
      '--batch',
      '20',
      '--seeds',
      '2',
      '--report',
      report,
    ]);
    expect(run.stderr).toContain('pool 168, held out 72');
    expect(run.code).toBe(0);
    const r = readReport(report);
    expect(r).toMatchObject({ task: 'preference', pool: 168, test: 72 });
    expect(Object.keys(r.strategies)).toEqual(['random', 'hybrid', 'hybrid-without-diversity']);
    for (const s of Object.values(r.strategies)) {
      expect(s.curve.map((p) => p.labels)).toEqual([20, 40, 60]);
      expect(s.runs.map((x) => x.seed)).toEqual([1, 2]);
      for (const p of s.curve) expect(p.median).toBeGreaterThan(0.3);
    }
    expect(r.random_final_accuracy).toBe(r.strategies.random!.curve.at(-1)!.median);
    const svg = fs.readFileSync(r.chart, 'utf8');
    expect(r.chart).toBe(path.join(dir, 'synthetic.svg'));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('hybrid-without-diversity');
    expect(svg).toContain('recharts-line');
    expect(run.stdout).toMatch(/random\s+final \d+\.\d% {2}\(reference\)/);
  }, 120_000);

  it('names what is wrong with the options and exits 2', async () => {
    const file = path.join(dir, 'synthetic.jsonl');
    const report = path.join(dir, 'bad.json');
    const noRandom = await arbiter([
      'simulate',
      '--data',
      file,
      '--strategies',
      'hybrid',
      '--report',
      report,
    ]);
    expect(noRandom.code).toBe(2);
    expect(noRandom.stderr).toContain('--strategies: must include random');
    const unknown = await arbiter([
      'simulate',
      '--data',
      file,
      '--strategies',
      'random,magic',
      '--report',
      report,
    ]);
    expect(unknown.stderr).toContain('no strategy "magic"');
    const task = await arbiter(['simulate', '--data', file, '--task', 'ranking', '--report', report]);
    expect(task.stderr).toContain('--task must be preference or sentiment');
    const missing = await arbiter(['simulate', '--data', path.join(dir, 'none.jsonl'), '--report', report]);
    expect(missing.stderr).toContain('no such file');
    expect(fs.existsSync(report)).toBe(false);
  }, 60_000);

  it.skipIf(!shared)(
    'runs on a slice of PKU-SafeRLHF pairs and of SST-2 (the shared data)',
    async () => {
      const pku = path.join(dir, 'pku.jsonl');
      await writeSharedSetJsonl(shared!, 'pku-safe-vs-unsafe', pku);
      const slice = path.join(dir, 'pku-slice.jsonl');
      fs.writeFileSync(slice, fs.readFileSync(pku, 'utf8').split('\n').slice(0, 400).join('\n'));
      const report = path.join(dir, 'pku.json');
      const run = await arbiter([
        'simulate',
        '--data',
        slice,
        '--strategies',
        'random,uncertainty,hybrid',
        '--budget',
        '100',
        '--batch',
        '50',
        '--seeds',
        '2',
        '--report',
        report,
      ]);
      expect(run.code).toBe(0);
      expect(Object.keys(readReport(report).strategies)).toEqual(['random', 'uncertainty', 'hybrid']);

      const sst = path.join(dir, 'sst.json');
      const text = await arbiter([
        'simulate',
        '--task',
        'sentiment',
        '--data',
        path.join(shared!, 'sst2/dev.tsv.gz'),
        '--strategies',
        'random,uncertainty',
        '--budget',
        '100',
        '--batch',
        '50',
        '--seeds',
        '2',
        '--report',
        sst,
      ]);
      expect(text.code).toBe(0);
      const r = readReport(sst);
      expect(r).toMatchObject({ task: 'sentiment', pool: 610, test: 262 });
      expect(r.strategies.uncertainty!.curve.at(-1)!.median).toBeGreaterThan(0.55);
    },
    240_000,
  );
});
