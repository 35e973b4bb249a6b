import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runArbiter as arbiter } from '../../tests/setup/cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-quality-cli-'));
const env = { ARBITER_DATA_DIR: path.join(dir, 'data') };
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('arbiter quality', () => {
  it('makes gold from imported preferences and computes a report', async () => {
    const file = path.join(dir, 'pairs.jsonl');
    fs.writeFileSync(
      file,
      Array.from({ length: 8 }, (_, i) =>
        JSON.stringify({ prompt: `Question ${i}?`, chosen: `A careful answer ${i}.`, rejected: `No ${i}.` }),
      ).join('\n'),
    );
    const imported = await arbiter(['import', '--project', 'q-cli', '--create', '--file', file], env);
    expect(imported.code).toBe(0);
    const gold = await arbiter(['quality', 'gold', '--project', 'q-cli', '--from-references', '5'], env);
    expect(gold.stderr).toBe('');
    expect(gold.stdout).toMatch(
      /^5 pair\(s\) are gold now; they are served at the project's gold rate \(0.05/,
    );
    const more = await arbiter(['quality', 'gold', '--project', 'q-cli', '--from-references', '10'], env);
    expect(more.stdout).toMatch(/^3 pair\(s\) are gold now \(only 3 qualified\)/);
    const bad = await arbiter(['quality', 'gold', '--project', 'q-cli', '--from-references', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from-references must be a whole number/);
    const report = path.join(dir, 'report.json');
    const csv = path.join(dir, 'report.csv');
    const refreshed = await arbiter(
      ['quality', 'refresh', '--project', 'q-cli', '--report', report, '--csv', csv],
      env,
    );
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toContain('0 answers from 0 annotators; 8 gold units.');
    expect(refreshed.stdout).toContain('Nobody is flagged.');
    expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toMatchObject({ project: 'q-cli', answers: 0 });
    expect(fs.readFileSync(csv, 'utf8').split('\n')[0]).toMatch(/^annotator_id,name,email,flags,judgments/);
    const missing = await arbiter(['quality', 'refresh', '--project', 'nope'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No project with slug "nope".');
  });
});

describe('arbiter project set (quality control)', () => {
  it('sets the gold and repeat rates and refuses a bad method by name', async () => {
    const ok = await arbiter(
      [
        'project',
        'set',
        '--project',
        'q-cli',
        '--gold-rate',
        '0.1',
        '--repeat-rate',
        '0',
        '--consensus-method',
        'majority',
      ],
      env,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const bad = await arbiter(['project', 'set', '--project', 'q-cli', '--consensus-method', 'vibes'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Consensus method: one of auto, majority, dawid-skene, one-coin/);
    const rate = await arbiter(['project', 'set', '--project', 'q-cli', '--gold-rate', '2'], env);
    expect(rate.stderr).toMatch(/Gold rate: a share from 0 to 0.5/);
  });
});

describe('arbiter quality gold (sentiment)', () => {
  it("makes gold from a labelled file's labels, skipping labels outside the project's set", async () => {
    const file = path.join(dir, 'items.csv');
    fs.writeFileSync(
      file,
      [
        'text,label',
        'Lovely day,positive',
        'Awful food,negative',
        'Opens at nine,neutral',
        'Meh,sarcastic',
      ].join('\n'),
    );
    const imported = await arbiter(
      [
        'import',
        '--type',
        'sentiment',
        '--project',
        's-cli',
        '--create',
        '--file',
        file,
        '--text-col',
        'text',
        '--label-col',
        'label',
        '--skip-invalid',
      ],
      env,
    );
    expect(imported.code, imported.stderr).toBe(0);
    const gold = await arbiter(['quality', 'gold', '--project', 's-cli', '--from-references', '10'], env);
    expect(gold.stdout).toMatch(/^\d item\(s\) are gold now \(only \d qualified\)/);
    expect(Number(gold.stdout.match(/^(\d)/)![1])).toBeLessThanOrEqual(3);
  });
});
