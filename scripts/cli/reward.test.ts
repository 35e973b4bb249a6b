import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticPairs } from '../../reward/testing/synthetic';
import { createRng } from '../../reward/rng';
import { runArbiter as arbiter } from '../../tests/setup/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-reward-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pairs = syntheticPairs(300, createRng(5));
// TRL as plain JSONL, HH-RLHF transcripts as JSONL.gz: both auto-detected
const trl = path.join(dir, 'trl.jsonl');
fs.writeFileSync(
  trl,
  pairs
    .slice(0, 200)
    .map((p) =>
      JSON.stringify({ prompt: p.prompt, chosen: p.target ? p.a : p.b, rejected: p.target ? p.b : p.a }),
    )
    .join('\n'),
);
const hh = path.join(dir, 'hh.jsonl.gz');
fs.writeFileSync(
  hh,
  gzipSync(
    pairs
      .slice(200)
      .map((p) =>
        JSON.stringify({
          chosen: `\n\nHuman: ${p.prompt}\n\nAssistant: ${p.target ? p.a : p.b}`,
          rejected: `\n\nHuman: ${p.prompt}\n\nAssistant: ${p.target ? p.b : p.a}`,
        }),
      )
      .join('\n'),
  ),
);
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('arbiter reward', () => {
  const model = path.join(dir, 'model');

  it('trains on several files, then evaluates, scores and cross-validates', async () => {
    const train = await arbiter([
      'reward',
      'train',
      '--data',
      trl,
      '--data',
      hh,
      '--out',
      model,
      '--seed',
      '3',
      '--report',
      path.join(dir, 'train.json'),
    ]);
    expect(train.stderr).toContain('(hh-rlhf)');
    expect(train.code).toBe(0);
    expect(fs.existsSync(path.join(model, 'model.onnx'))).toBe(true);
    expect(read(path.join(dir, 'train.json'))).toMatchObject({ train_pairs: 240, test_pairs: 60 });

    const evaluation = await arbiter([
      'reward',
      'eval',
      '--model',
      model,
      '--data',
      hh,
      '--report',
      path.join(dir, 'eval.json'),
    ]);
    expect(evaluation.code).toBe(0);
    const report = read(path.join(dir, 'eval.json'));
    expect(report.n).toBe(100);
    expect(report.accuracy).toBeGreaterThan(0.5);
    expect(report.ece).toBeGreaterThanOrEqual(0);
    expect(report.accuracy_by_uncertainty_quintile).toHaveLength(5);

    const scored = await arbiter([
      'reward',
      'score',
      '--model',
      model,
      '--data',
      trl,
      '--out',
      path.join(dir, 'scores.jsonl'),
    ]);
    expect(scored.code).toBe(0);
    const lines = fs
      .readFileSync(path.join(dir, 'scores.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(200);
    expect(lines[0]).toEqual({
      pair: 1,
      reward_a: expect.any(Number),
      reward_b: expect.any(Number),
      probability_a: expect.any(Number),
      uncertainty: expect.any(Number),
    });

    const cv = await arbiter([
      'reward',
      'cv',
      '--data',
      trl,
      '--folds',
      '3',
      '--members',
      '2',
      '--report',
      path.join(dir, 'cv.json'),
    ]);
    expect(cv.code).toBe(0);
    expect(read(path.join(dir, 'cv.json'))).toMatchObject({
      accuracy_mean: expect.any(Number),
      accuracy_folds: [expect.any(Number), expect.any(Number), expect.any(Number)],
      length_baseline_accuracy: expect.any(Number),
      train_seconds: expect.any(Number),
    });
  }, 120_000);

  it('names the file and line of a bad record, and writes nothing', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(
      bad,
      `${JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' })}\n{"prompt": "p", "chosen": 3, "rejected": "b"}\n`,
    );
    const run = await arbiter(['reward', 'train', '--data', bad, '--out', path.join(dir, 'never')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.jsonl line 2 \(trl\): chosen/);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('refuses a corrupted model with a clear message', async () => {
    const broken = path.join(dir, 'broken');
    fs.cpSync(model, broken, { recursive: true });
    const onnx = path.join(broken, 'model.onnx');
    const bytes = fs.readFileSync(onnx);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(onnx, bytes);
    const run = await arbiter([
      'reward',
      'eval',
      '--model',
      broken,
      '--data',
      trl,
      '--report',
      path.join(dir, 'x.json'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/changed or corrupted/);
  });
});
