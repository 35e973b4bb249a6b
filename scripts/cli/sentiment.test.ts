import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl } from '../../tests/setup/postgres-admin';
import { sentimentCsv, sentimentTexts } from '../../tests/setup/sentiment-fixtures';
import { TEST_DATABASE_URL } from '../../tests/setup/test-env';
import { writeTinySentimentModel } from '../../reward/testing/tiny-sentiment-model';
import { runArbiter as arbiter } from '../../tests/setup/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-sentiment-cli-'));

const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

// the GLUE SST-2 layout: header "label<TAB>sentence", 0 = negative, 1 = positive, gzip-compressed
const polar = sentimentTexts(600, 11).filter((r) => r.label !== 'neutral');
const glue = (rows: typeof polar, column = 'sentence') =>
  gzipSync(
    `label\t${column}\n${rows.map((r) => `${r.label === 'positive' ? 1 : 0}\t${r.text}`).join('\n')}\n`,
  );
const train = path.join(dir, 'train.tsv.gz');
const dev = path.join(dir, 'dev.tsv.gz');
fs.writeFileSync(train, glue(polar.slice(0, 350)));
fs.writeFileSync(dev, glue(polar.slice(350), 'content'));

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('arbiter sentiment', () => {
  const model = path.join(dir, 'model');

  it('trains on the GLUE layout as it is, evaluates through ONNX and pre-labels a file', async () => {
    const trained = await arbiter([
      'sentiment',
      'train',
      '--data',
      train,
      '--out',
      model,
      '--report',
      path.join(dir, 'train.json'),
    ]);
    expect(trained.stderr).toContain(`read 350 labelled texts from ${train} (tsv)`);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(
      /^trained on \d+ texts \(0, 1\) in [\d.]+ s → .*; held-out accuracy [\d.]+% on \d+ texts/,
    );
    const report = read(path.join(dir, 'train.json'));
    expect(report).toMatchObject({ labels: ['0', '1'], onnx: { file: 'model.onnx' } });
    expect(report.test.accuracy).toBeGreaterThan(0.8);
    expect(fs.existsSync(path.join(model, 'manifest.json'))).toBe(true);

    const evaluated = await arbiter([
      'sentiment',
      'eval',
      '--model',
      model,
      '--data',
      dev,
      '--report',
      path.join(dir, 'eval.json'),
    ]);
    expect(evaluated.code).toBe(0);
    const evalReport = read(path.join(dir, 'eval.json'));
    expect(Object.keys(evalReport)).toEqual(expect.arrayContaining(['accuracy', 'macro_f1', 'n', 'ece']));
    expect(evalReport.n).toBe(polar.length - 350);
    expect(evalReport.accuracy).toBeGreaterThan(0.85);
    expect(evalReport.auto_accept_at_threshold).toMatchObject({ threshold: 0.9 });
    expect(evaluated.stdout).toMatch(
      /^accuracy [\d.]+% on \d+ texts, macro-F1 [\d.]+, ECE [\d.]+; at confidence ≥ 0.9: /,
    );

    const out = path.join(dir, 'prelabels.jsonl.gz');
    const pre = await arbiter([
      'sentiment',
      'prelabel',
      '--model',
      model,
      '--data',
      dev,
      '--out',
      out,
      '--threshold',
      '0.8',
    ]);
    expect(pre.code).toBe(0);
    const lines = gunzipSync(fs.readFileSync(out))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(polar.length - 350);
    expect(lines[0]).toMatchObject({
      line: 2,
      text: polar[350]!.text,
      route: expect.stringMatching(/^(auto|human)$/),
    });
    expect(Object.keys(lines[0].probabilities)).toEqual(['0', '1']);
    for (const l of lines) expect(l.route).toBe(l.confidence >= 0.8 ? 'auto' : 'human');
  }, 120_000);

  it('renames labels with --label-map and reads CSV with named columns', async () => {
    const csv = path.join(dir, 'named.csv');
    fs.writeFileSync(
      csv,
      'review,stars\n' +
        polar
          .slice(0, 120)
          .map((r) => `"${r.text}",${r.label === 'positive' ? 5 : 1}`)
          .join('\n'),
    );
    const out = path.join(dir, 'named-model');
    const run = await arbiter([
      'sentiment',
      'train',
      '--data',
      csv,
      '--out',
      out,
      '--label-col',
      'stars',
      '--label-map',
      '1=bad,5=good',
    ]);
    expect(run.code).toBe(0);
    expect(read(path.join(out, 'manifest.json')).labels).toEqual(['bad', 'good']);
  }, 60_000);

  it('names the file and line of a bad record, and exits 2', async () => {
    const bad = path.join(dir, 'bad.tsv');
    fs.writeFileSync(bad, 'label\tsentence\n1\tfine\n0\t   \n');
    const run = await arbiter(['sentiment', 'train', '--data', bad, '--out', path.join(dir, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`error: ${bad} line 3: "sentence" is empty`);
    const noColumn = path.join(dir, 'nocol.csv');
    fs.writeFileSync(noColumn, 'words,mood\nhi,1\n');
    const col = await arbiter(['sentiment', 'train', '--data', noColumn, '--out', path.join(dir, 'y')]);
    expect(col.code).toBe(2);
    expect(col.stderr).toContain('Cannot tell which column holds the text');
    const unknown = await arbiter([
      'sentiment',
      'eval',
      '--model',
      model,
      '--data',
      bad,
      '--report',
      path.join(dir, 'z.json'),
    ]);
    expect(unknown.code).toBe(2);
    const missing = await arbiter([
      'sentiment',
      'eval',
      '--model',
      path.join(dir, 'nope'),
      '--data',
      dev,
      '--report',
      path.join(dir, 'z.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
  }, 60_000);
});

const pgName = `arbiter_scli_${process.pid}`;
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
  describe(`arbiter import --type sentiment and sentiment cycle [${backend.name}]`, () => {
    it('creates a sentiment project from a CSV, refuses the wrong type, and refuses a cycle without labels', async () => {
      const csv = path.join(dir, `items-${backend.name}.csv`);
      fs.writeFileSync(csv, sentimentCsv(sentimentTexts(40, 2)));
      const imported = await arbiter(
        [
          'import',
          '--project',
          'cli-sent',
          '--file',
          csv,
          '--type',
          'sentiment',
          '--create',
          '--report',
          path.join(dir, `imp-${backend.name}.json`),
        ],
        backend.env(),
      );
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(
        /^Imported 40 record\(s\) \(csv, text "text", label "label"\) into cli-sent: 40 new item\(s\); 40 carry the file's label as a hidden reference; \d+ held out for measuring; pre-labeled by the lexicon: 40 to people, 0 accepted, 0 to audit\.$/m,
      );
      expect(read(path.join(dir, `imp-${backend.name}.json`))).toMatchObject({
        type: 'sentiment',
        records: 40,
      });

      const wrong = await arbiter(['import', '--project', 'cli-sent', '--file', csv], backend.env());
      expect(wrong.code).toBe(2);
      expect(wrong.stderr.trim()).toBe(
        'error: Project "cli-sent" is a sentiment project; pass --type sentiment to import into it.',
      );

      const bad = path.join(dir, `bad-${backend.name}.csv`);
      fs.writeFileSync(bad, 'text,label\nok,positive\n,negative\nfine,sarcastic\n');
      const refused = await arbiter(
        ['import', '--project', 'cli-sent', '--file', bad, '--type', 'sentiment'],
        backend.env(),
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${bad}:3: "text" is empty`);
      expect(refused.stderr).toContain(
        `${bad}:4: label: label "sarcastic" is not one of the labels (positive, negative, neutral)`,
      );

      const cycle = await arbiter(['sentiment', 'cycle', '--project', 'cli-sent'], backend.env());
      expect(cycle.code).toBe(2);
      expect(cycle.stderr).toContain('Only 0 item(s) outside the held-out set have a label from a person');

      const set = await arbiter(
        ['project', 'set', '--project', 'cli-sent', '--auto-accept-threshold', '0.95', '--blind', 'yes'],
        backend.env(),
      );
      expect(set.code).toBe(0);
      const pref = await arbiter(
        ['project', 'set', '--project', 'cli-sent', '--rationale-required', 'yes'],
        backend.env(),
      );
      expect(pref.code).toBe(2);
      expect(pref.stderr.trim()).toBe(
        'error: rationaleRequired: rationaleRequired applies to preference projects only.',
      );
      const range = await arbiter(
        ['project', 'set', '--project', 'cli-sent', '--audit-rate', '2'],
        backend.env(),
      );
      expect(range.code).toBe(2);
      expect(range.stderr.trim()).toBe('error: auditRate: The audit rate must be at most 1.');

      // a pretrained cold start from the model directory, run at once (no server is up)
      const withModels = { ...backend.env(), ARBITER_MODELS_DIR: path.join(dir, `models-${backend.name}`) };
      writeTinySentimentModel(withModels.ARBITER_MODELS_DIR, 'test/tiny-sst2');
      const absent = await arbiter(
        ['project', 'set', '--project', 'cli-sent', '--cold-start-model', 'test/absent'],
        withModels,
      );
      expect(absent.code).toBe(2);
      expect(absent.stderr).toContain('error: coldStartModel: text-classification model test/absent in');
      const cold = await arbiter(
        ['project', 'set', '--project', 'cli-sent', '--cold-start-model', 'test/tiny-sst2'],
        withModels,
      );
      expect(cold.stderr).toBe('');
      expect(cold.code).toBe(0);
      expect(cold.stdout).toMatch(
        /Pre-labeled the waiting items again with test\/tiny-sst2: 40 to people, 0 accepted, 0 to audit\./,
      );
    }, 120_000);
  });
}
