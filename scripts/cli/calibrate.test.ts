/**
 * `arbiter calibrate` end to end, as a person runs it: on a tiny crowd always, and on the PandaLM
 * three-annotator pairs when the shared data is present (CI has it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runArbiter as arbiter } from '../../tests/setup/cli';
import type { CalibrationReport } from '../../tasks/quality/calibrate';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-calibrate-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const PANDALM = path.resolve('../shared/data/pandalm-human-testset/pairs_3annotators.jsonl.gz');

const readReport = (file: string) =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as CalibrationReport & { labels_file: string };

// 4 items × 3 workers; w3 gets everything wrong but t4, where it abstains.
const labels = path.join(dir, 'crowd.csv');
fs.writeFileSync(
  labels,
  [
    'tweet_id,worker_id,emotion',
    't1,w1,Positive',
    't1,w2,Positive',
    't1,w3,Negative',
    't2,w1,Negative',
    't2,w2,Negative',
    't2,w3,Positive',
    't3,w1,Positive',
    't3,w2,Negative',
    't3,w3,Negative',
    't4,w1,Negative',
    't4,w2,Negative',
    "t4,w3,I can't tell",
  ].join('\n'),
);
const gold = path.join(dir, 'gold.csv');
fs.writeFileSync(
  gold,
  'tweet_id,sentiment\nt1,Positive\nt2,Negative\nt3,Positive\nt4,Negative\nt9,Positive\n',
);
const long = [
  '--labels',
  labels,
  '--item-col',
  'tweet_id',
  '--annotator-col',
  'worker_id',
  '--label-col',
  'emotion',
];

describe('arbiter calibrate', () => {
  it('writes the report for a long CSV with gold and prints a summary', async () => {
    const report = path.join(dir, 'report.json');
    const run = await arbiter([
      'calibrate',
      ...long,
      '--gold',
      gold,
      '--gold-label-col',
      'sentiment',
      '--ignore-label',
      "I can't tell",
      '--resamples',
      '100',
      '--report',
      report,
    ]);
    expect(run.stderr).toContain('read 12 labels from 12 records');
    expect(run.code).toBe(0);
    const r = readReport(report);
    expect(r).toMatchObject({ labels_file: labels, items: 4, annotators: 3, rows: 11 });
    expect(r.dropped).toEqual({ total: 1, empty_label: 0, ignored: { "I can't tell": 1 }, duplicate: 0 });
    expect(r.labels).toEqual([
      { label: 'Negative', count: 7 },
      { label: 'Positive', count: 4 },
    ]);
    expect(typeof r.fleiss_kappa.estimate).toBe('number');
    expect(r.fleiss_kappa).toMatchObject({ level: 0.95, resamples: expect.any(Number) });
    expect(r.krippendorff_alpha.metric).toBe('nominal');
    // majority: t1 Positive ✓, t2 Negative ✓, t3 Negative ✗, t4 Negative ✓
    expect(r.majority_vote_accuracy).toMatchObject({ accuracy: 0.75, correct: 3, n: 4 });
    expect(r.dawid_skene_accuracy!.n).toBe(4);
    expect(r.consensus_method!.method).toBe('majority'); // 4 gold items are too few to validate a model
    expect(r.gold).toEqual({ items: 5, matched: 4, unmatched: 1, ignored: 0, unknown_labels: 0 });
    const w3 = r.per_annotator.find((a) => a.annotator === 'w3')!;
    expect(w3).toMatchObject({ labels: 3, gold_accuracy: { correct: 0, n: 3 } });
    expect(run.stdout).toMatch(/^4 items, 3 annotators, 11 labels in 2 classes; dropped 1 \(1 ignored\)$/m);
    expect(run.stdout).toContain(
      'gold: 4 of 5 gold items scored (1 unlabelled); accuracy: majority vote 0.750 (3/4)',
    );
  }, 20_000);

  it('names the wrong flag, column or file in one line and exits 2', async () => {
    const report = path.join(dir, 'bad.json');
    const [level, mixed, column, missing, noGold] = await Promise.all([
      arbiter(['calibrate', ...long, '--level', 'ratio', '--report', report]),
      arbiter(['calibrate', ...long, '--annotator-cols', 'a,b', '--report', report]),
      arbiter(['calibrate', ...long.slice(0, 3), 'unit_id', ...long.slice(4), '--report', report]),
      arbiter([
        'calibrate',
        ...long.slice(0, 1),
        path.join(dir, 'none.csv'),
        ...long.slice(2),
        '--report',
        report,
      ]),
      arbiter(['calibrate', ...long, '--gold-label-col', 'sentiment', '--report', report]),
    ]);
    for (const run of [level, mixed, column, missing, noGold]) {
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(level.stderr).toContain('--level must be one of nominal, ordinal, interval; got "ratio"');
    expect(mixed.stderr).toContain('--annotator-cols (a wide file');
    expect(column.stderr).toContain(
      'no column "unit_id" (--item-col); the file has columns: tweet_id, worker_id, emotion',
    );
    expect(missing.stderr).toContain('error: --labels: no such file');
    expect(noGold.stderr).toContain('--gold-item-col and --gold-label-col need --gold <file>');
    expect(fs.existsSync(report)).toBe(false);
  }, 20_000);

  describe.skipIf(!fs.existsSync(PANDALM))('on the PandaLM three-annotator pairs (shared data)', () => {
    it('finds Fleiss kappa ≈ 0.88 on the wide file', async () => {
      const report = path.join(dir, 'pandalm.json');
      const run = await arbiter([
        'calibrate',
        '--labels',
        PANDALM,
        '--item-col',
        'idx',
        '--annotator-cols',
        'annotator1,annotator2,annotator3',
        '--labels-map',
        '1=a,2=b,0=tie',
        '--resamples',
        '200',
        '--report',
        report,
      ]);
      expect(run.code).toBe(0);
      const r = readReport(report);
      expect(r).toMatchObject({ items: 699, annotators: 3, rows: 2097 });
      expect(r.labels.map((l) => l.label)).toEqual(['a', 'b', 'tie']);
      expect(r.fleiss_kappa.estimate).toBeGreaterThan(0.86);
      expect(r.fleiss_kappa.estimate).toBeLessThan(0.9);
      expect(r.fleiss_kappa.low!).toBeLessThan(r.fleiss_kappa.estimate!);
      expect(r.krippendorff_alpha.estimate).toBeCloseTo(r.fleiss_kappa.estimate!, 2);
    }, 20_000);
  });
});
