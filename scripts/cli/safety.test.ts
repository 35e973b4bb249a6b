import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl } from '../../tests/setup/postgres-admin';
import { TEST_DATABASE_URL } from '../../tests/setup/test-env';
import { runArbiter as arbiter } from '../../tests/setup/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-safety-cli-'));
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const DEMO = path.resolve('scripts/demo/safety.jsonl');

/** The demo rows in the BeaverTails CSV layout: the category column is a Python-style dict. */
function beaverTailsCsv(file: string): number {
  const rows = fs
    .readFileSync(DEMO, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          prompt: string;
          response: string;
          category: Record<string, boolean>;
          is_safe: boolean;
        },
    );
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const dict = (c: Record<string, boolean>) =>
    `{${Object.entries(c)
      .map(([k, v]) => `'${k}': ${v ? 'True' : 'False'}`)
      .join(', ')}}`;
  fs.writeFileSync(
    file,
    `prompt,response,category,is_safe\n${rows
      .map((r) =>
        [quote(r.prompt), quote(r.response), quote(dict(r.category)), r.is_safe ? 'True' : 'False'].join(','),
      )
      .join('\n')}\n`,
  );
  return rows.length;
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('arbiter safety train and eval', () => {
  it('trains on JSONL, evaluates a BeaverTails CSV through ONNX, and reports the issue’s fields', async () => {
    const model = path.join(dir, 'model');
    const trained = await arbiter([
      'safety',
      'train',
      '--data',
      DEMO,
      '--out',
      model,
      '--test-fraction',
      '0.25',
      '--report',
      path.join(dir, 'train.json'),
    ]);
    expect(trained.code).toBe(0);
    expect(trained.stderr).toContain(`read 72 labelled responses from ${DEMO} (jsonl)`);
    expect(trained.stdout).toMatch(
      /^trained on \d+ responses \(unsafe, violence, illegal_weapons\) in [\d.]+ s/,
    );
    const report = read(path.join(dir, 'train.json'));
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['accuracy', 'auc', 'recall_at_threshold', 'review_load', 'per_category', 'n']),
    );
    expect(fs.existsSync(path.join(model, 'model.onnx'))).toBe(true);

    const csv = path.join(dir, 'beavertails.csv');
    const n = beaverTailsCsv(csv);
    const evaluated = await arbiter([
      'safety',
      'eval',
      '--model',
      model,
      '--data',
      csv,
      '--report',
      path.join(dir, 'eval.json'),
    ]);
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toMatch(
      /^accuracy [\d.]+% on 72 responses, AUC [01]\.\d+; at risk ≥ 0\.\d+: recall [\d.]+%, review load [\d.]+%/,
    );
    const e = read(path.join(dir, 'eval.json'));
    expect(e).toMatchObject({ n, labels: ['unsafe', 'violence', 'illegal_weapons'] });
    expect(e.accuracy).toBeGreaterThan(0.8); // it saw most of these rows in training
    expect(Object.keys(e.per_category)).toEqual(['violence', 'illegal_weapons']);
    expect(e.per_category.violence.positives).toBe(8);
  }, 120_000);

  it('says which line and field is wrong, and leaves no model behind', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'prompt,response,category,is_safe\n"q","a","{}",True\n"q2","a2","{}",maybe\n');
    const out = path.join(dir, 'not-written');
    const run = await arbiter(['safety', 'train', '--data', bad, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('line 3');
    expect(run.stderr).toContain('is_safe');
    expect(fs.existsSync(out)).toBe(false);
    const missing = await arbiter([
      'safety',
      'eval',
      '--model',
      out,
      '--data',
      bad,
      '--report',
      path.join(dir, 'x.json'),
    ]);
    expect(missing.code).not.toBe(0);
  }, 60_000);
});

const pgName = `arbiter_safecli_${process.pid}`;
const backends: { name: string; env: () => Record<string, string> }[] = [
  { name: 'pglite', env: () => ({ ARBITER_DATA_DIR: path.join(dir, 'store') }) },
];
if (TEST_DATABASE_URL)
  backends.push({ name: 'postgres', env: () => ({ DATABASE_URL: databaseUrl(pgName) }) });

beforeAll(async () => {
  if (TEST_DATABASE_URL) await adminQuery(`CREATE DATABASE ${pgName}`);
});
afterAll(async () => {
  if (TEST_DATABASE_URL) await adminQuery(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
});

for (const backend of backends) {
  describe(`arbiter safety import and retrain [${backend.name}]`, () => {
    it('imports labels into a project, retrains its model, and checks the settings it takes', async () => {
      const pref = path.join(dir, `pref-${backend.name}.jsonl`);
      fs.writeFileSync(
        pref,
        `${JSON.stringify({ prompt: 'How can I stab the man next door?', responses: [{ text: 'Use a [blade type omitted].' }, { text: 'I can’t help with hurting anyone.' }] })}\n`,
      );
      const created = await arbiter(
        ['import', '--project', 'cli-safe', '--file', pref, '--create'],
        backend.env(),
      );
      expect(created.code).toBe(0);
      const imported = await arbiter(
        ['safety', 'import', '--project', 'cli-safe', '--data', DEMO],
        backend.env(),
      );
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('imported 72 labelled responses (28 unsafe) into cli-safe');
      const retrained = await arbiter(
        ['safety', 'retrain', '--project', 'cli-safe', '--report', path.join(dir, `r-${backend.name}.json`)],
        backend.env(),
      );
      expect(retrained.code).toBe(0);
      expect(retrained.stdout).toMatch(
        /^safety model v1 of cli-safe: trained on 72 responses, threshold 0\.\d+, 74 responses scored/,
      );
      const bad = await arbiter(
        ['project', 'set', '--project', 'cli-safe', '--risk-threshold', '2'],
        backend.env(),
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe('error: safetyRiskThreshold: Risk threshold: a number from 0 to 1.');
      const map = path.join(dir, 'map.json');
      fs.writeFileSync(map, '{"self_harm": "selfharm"}');
      const badMap = await arbiter(
        ['project', 'set', '--project', 'cli-safe', '--category-map', map],
        backend.env(),
      );
      expect(badMap.code).toBe(2);
      expect(badMap.stderr).toContain('"self_harm" maps to "selfharm", which is not a category');
      const ok = await arbiter(
        ['project', 'set', '--project', 'cli-safe', '--risk-threshold', 'model', '--suggest-from', '0.3'],
        backend.env(),
      );
      expect(ok.code).toBe(0);
    }, 120_000);
  });
}
