import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArbiter as arbiter } from '../../tests/setup/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-export-cli-'));
const env = { ARBITER_DATA_DIR: path.join(dir, 'data') };
const file = (name: string) => path.join(dir, name);
const lines = (name: string) => fs.readFileSync(file(name), 'utf8').trim().split('\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('arbiter export', () => {
  beforeAll(async () => {
    const demo = await arbiter(['demo'], env);
    expect(demo.code, demo.stderr).toBe(0);
  }, 120_000);

  it('writes a training-ready file that re-imports to the same pairs and trains a reward model', async () => {
    const run = await arbiter(
      [
        'export',
        '--project',
        'demo-preferences',
        '--format',
        'trl-conversational',
        '--margin',
        '--out',
        file('trl.jsonl'),
        '--report',
        file('trl.json'),
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(file('trl.json'), 'utf8'));
    const records = lines('trl.jsonl').map((l) => JSON.parse(l));
    expect(records.length).toBe(report.rows);
    expect(report.rows).toBeGreaterThan(50);
    expect(report.sha256).toBe(
      createHash('sha256')
        .update(fs.readFileSync(file('trl.jsonl')))
        .digest('hex'),
    );
    expect(run.stdout).toMatch(new RegExp(`^Wrote ${report.rows} trl-conversational records`));
    expect(records[0]).toEqual({
      prompt: expect.any(Array),
      chosen: [{ role: 'assistant', content: expect.any(String) }],
      rejected: [{ role: 'assistant', content: expect.any(String) }],
      margin: expect.any(Number),
    });
    const imported = await arbiter(
      ['import', '--project', 'round-trip', '--create', '--file', file('trl.jsonl')],
      env,
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`${report.rows} new pair(s)`);
    const trained = await arbiter(
      [
        'reward',
        'train',
        '--data',
        file('trl.jsonl'),
        '--out',
        file('model'),
        '--members',
        '2',
        '--no-learning-curve',
      ],
      env,
    );
    expect(trained.code, trained.stderr).toBe(0);
  }, 120_000);

  it('writes provenance as CSV and JSON lines, and standard TRL says which pairs it cannot hold', async () => {
    const judgments = await arbiter(
      ['export', '--project', 'demo-preferences', '--format', 'judgments', '--csv', '--out', file('j.csv')],
      env,
    );
    expect(judgments.code, judgments.stderr).toBe(0);
    expect(lines('j.csv')[0]).toBe(
      'judgment_id,pair_id,annotator,helpfulness,safety,both_unacceptable,flags,rationale,shown_left,time_on_task_ms,created_at,updated_at,is_gold,is_repeat,revision,edits',
    );
    expect(fs.readFileSync(file('j.csv'), 'utf8')).not.toContain('@example.org');
    const consensus = await arbiter(
      ['export', '--project', 'demo-preferences', '--format', 'consensus', '--out', file('c.jsonl.gz')],
      env,
    );
    expect(consensus.code, consensus.stderr).toBe(0);
    expect(fs.existsSync(file('c.jsonl.gz'))).toBe(true);
    const standard = await arbiter(
      ['export', '--project', 'demo-preferences', '--format', 'trl', '--out', file('std.jsonl')],
      env,
    );
    expect(standard.code, standard.stderr).toBe(0);
    expect(standard.stdout).toMatch(
      /pair\(s\) do not fit trl \(.*\); export them as trl-conversational or openai/,
    );
    const sentiment = await arbiter(
      ['export', '--project', 'demo-sentiment', '--format', 'sentiment', '--csv', '--out', file('s.csv')],
      env,
    );
    expect(sentiment.code, sentiment.stderr).toBe(0);
    expect(lines('s.csv')[0]).toBe('item_id,text,label,provenance,confidence,labels,annotators,is_gold');
  }, 120_000);

  it('writes raw judgments and consensus as Parquet that read back with the same rows', async () => {
    const { readParquetRows } = await import('../../tasks/export/parquet');
    const jsonl = await arbiter(
      ['export', '--project', 'demo-preferences', '--format', 'judgments', '--out', file('j.jsonl')],
      env,
    );
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const parquet = await arbiter(
      [
        'export',
        '--project',
        'demo-preferences',
        '--format',
        'judgments',
        '--parquet',
        '--out',
        file('j.parquet'),
      ],
      env,
    );
    expect(parquet.code, parquet.stderr).toBe(0);
    const fromJson = lines('j.jsonl').map((l) => JSON.parse(l));
    const fromParquet = await readParquetRows(file('j.parquet'));
    expect(fromParquet).toHaveLength(fromJson.length);
    expect(
      fromParquet.map((r) => ({
        ...r,
        created_at: (r.created_at as Date).toISOString(),
        updated_at: (r.updated_at as Date).toISOString(),
      })),
    ).toEqual(fromJson);
    const consensus = await arbiter(
      [
        'export',
        '--project',
        'demo-preferences',
        '--format',
        'consensus',
        '--parquet',
        '--out',
        file('c.parquet'),
      ],
      env,
    );
    expect(consensus.code, consensus.stderr).toBe(0);
    expect((await readParquetRows(file('c.parquet')))[0]).toMatchObject({
      axis: 'helpfulness',
      direction: expect.stringMatching(/^(a|b|tie)$/),
    });
    const refused = await arbiter(
      ['export', '--project', 'demo-preferences', '--format', 'trl', '--parquet', '--out', file('t.parquet')],
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--parquet is for judgments and consensus/);
  }, 120_000);

  it('refuses bad requests with one line and writes nothing', async () => {
    for (const [args, message] of [
      [['--format', 'parquet-ish'], /--format must be one of trl, trl-conversational/],
      [['--format', 'hh-rlhf', '--margin'], /--margin is for trl, trl-conversational/],
      [
        ['--format', 'trl', '--min-agreement', '2'],
        /--min-agreement: Minimum agreement: a share from 0 to 1/,
      ],
      [['--format', 'sentiment'], /"sentiment" is for sentiment projects/],
      [['--format', 'trl', '--csv'], /CSV is for judgments, consensus, sentiment/],
    ] as const) {
      const out = file(`bad-${args[1]}.jsonl`);
      const run = await arbiter(['export', '--project', 'demo-preferences', ...args, '--out', out], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
    }
  }, 120_000);
});
