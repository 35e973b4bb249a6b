import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { gzipSync, createGunzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../tasks/import/formats';
import {
  SHARED_SETS,
  readSharedSet,
  sharedDataDir,
  writeSharedSetJsonl,
  type TrlRecord,
} from './shared-sets';

const DATA_DIR = sharedDataDir(path.resolve(import.meta.dirname, '..', '..'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-shared-sets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Counts checked by hand against the data README and a separate count of the raw files: e.g.
 * helpful-base has 1,646 pairs, of which 6 have differing shared turns, 2 an empty final turn and 1
 * the same text twice; PandaLM has 630 majority pairs, 36 with an empty response; Auto-J 708 non-ties.
 */
const EXPECTED: Record<string, { written: number; skipped: number }> = {
  'hh-helpful-base': { written: 1637, skipped: 9 },
  'hh-helpful-online': { written: 788, skipped: 7 },
  'hh-helpful-rejection-sampled': { written: 1898, skipped: 26 },
  'hh-helpful-all': { written: 4323, skipped: 42 },
  'hh-train-helpful': { written: 348, skipped: 2 },
  'hh-train-harmless': { written: 349, skipped: 1 },
  'hh-dahoas': { written: 346, skipped: 4 },
  ultrafeedback: { written: 994, skipped: 6 },
  'reward-bench': { written: 350, skipped: 0 },
  'pku-safe-vs-unsafe': { written: 3593, skipped: 0 },
  'pku-sample-helpful': { written: 350, skipped: 0 },
  'pku-sample-safety': { written: 350, skipped: 0 },
  'autoj-no-ties': { written: 706, skipped: 2 },
  'pandalm-majority': { written: 594, skipped: 36 },
  'oasst-ranked': { written: 542, skipped: 0 },
  'llmbar-faireval': { written: 66, skipped: 0 },
  'llmbar-llmeval2': { written: 198, skipped: 2 },
  'llmbar-mt-bench': { written: 200, skipped: 0 },
  'mt-bench-human': { written: 47, skipped: 0 },
  arena: { written: 244, skipped: 0 },
  'stack-exchange': { written: 485, skipped: 0 },
  helpsteer: { written: 198, skipped: 3 },
};

async function readAll(dataDir: string, name: string) {
  const records: TrlRecord[] = [];
  let skipped = 0;
  for await (const record of readSharedSet(dataDir, name, { onSkip: () => skipped++ })) records.push(record);
  return { records, skipped };
}

/** A fake data folder with one gzip file, so label directions are checked on rows we wrote. */
function fakeDataDir(file: string, rows: unknown[]): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'data-'));
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  const body = file.endsWith('.json.gz')
    ? JSON.stringify(rows)
    : rows.map((r) => JSON.stringify(r)).join('\n');
  fs.writeFileSync(path.join(dir, file), gzipSync(body));
  return dir;
}

describe('shared set conversions on small hand-written rows', () => {
  it('Auto-J: label 0 prefers response 1, ties are dropped without counting as skipped', async () => {
    const dir = fakeDataDir('autoj-pairwise-test/testdata_pairwise.jsonl.gz', [
      { label: 0, prompt: 'p', 'response 1': ' one', 'response 2': 'two' },
      { label: 1, prompt: 'p', 'response 1': 'one', 'response 2': 'two' },
      { label: 2, prompt: 'p', 'response 1': 'one', 'response 2': 'two' },
      { label: 0, prompt: 'p', 'response 1': 'same', 'response 2': 'same ' },
    ]);
    expect(await readAll(dir, 'autoj-no-ties')).toEqual({
      records: [
        { prompt: 'p', chosen: 'one', rejected: 'two' },
        { prompt: 'p', chosen: 'two', rejected: 'one' },
      ],
      skipped: 1,
    });
  });

  it('PandaLM: the majority label wins; ties and no-majority are dropped; non-strings are coerced', async () => {
    const row = { instruction: 'Is it?', input: 'x', response1: true, response2: 'No.' };
    const dir = fakeDataDir('pandalm-human-testset/pairs_3annotators.jsonl.gz', [
      { ...row, annotator1: 2, annotator2: 1, annotator3: 2 },
      { ...row, annotator1: 1, annotator2: 1, annotator3: 0 },
      { ...row, annotator1: 1, annotator2: 2, annotator3: 0 },
      { ...row, annotator1: 0, annotator2: 0, annotator3: 1 },
    ]);
    expect((await readAll(dir, 'pandalm-majority')).records).toEqual([
      { prompt: 'Is it?\n\nx', chosen: 'No.', rejected: 'true' },
      { prompt: 'Is it?\n\nx', chosen: 'true', rejected: 'No.' },
    ]);
  });

  it('OASST: every two ranked siblings of different rank, the prompt is the path from the root', async () => {
    const reply = (text: string, rank: number | null, replies: unknown[] = []) => ({
      role: 'assistant',
      text,
      rank,
      replies,
    });
    const dir = fakeDataDir('oasst-en100-ranked/message_trees.jsonl.gz', [
      {
        role: 'prompter',
        text: 'Q1',
        rank: null,
        replies: [
          reply('A', 1, [
            { role: 'prompter', text: 'Q2', rank: null, replies: [reply('C', 1), reply('D', 0)] },
          ]),
          reply('B', 0),
          reply('E', 1),
          reply('unranked', null),
        ],
      },
    ]);
    const q1 = { role: 'user', content: 'Q1' };
    expect((await readAll(dir, 'oasst-ranked')).records).toEqual([
      { prompt: [q1], chosen: 'B', rejected: 'A' },
      { prompt: [q1], chosen: 'B', rejected: 'E' },
      {
        prompt: [q1, { role: 'assistant', content: 'A' }, { role: 'user', content: 'Q2' }],
        chosen: 'D',
        rejected: 'C',
      },
    ]);
  });

  it('Stack Exchange: best vs worst and best vs runner-up, as plain text', async () => {
    const answer = (text: string, pm_score: number) => ({ text, pm_score });
    const dir = fakeDataDir('stack-exchange-preferences-sample/sample500.jsonl.gz', [
      {
        question: '<p>How &amp; why?</p>\n<ul><li>a</li><li>b</li></ul>',
        answers: [answer('<p>mid</p>', 2), answer('<p>low &#39;x&#39;</p>', -1), answer('<b>top</b>', 5)],
      },
      { question: 'tie', answers: [answer('a', 1), answer('b', 1)] },
    ]);
    const prompt = 'How & why?\n\n- a\n- b';
    expect((await readAll(dir, 'stack-exchange')).records).toEqual([
      { prompt, chosen: 'top', rejected: "low 'x'" },
      { prompt, chosen: 'top', rejected: 'mid' },
    ]);
  });

  it('MT-Bench human: turn-1 votes only, first user message and first assistant replies', async () => {
    const conversation = (answer: string) => [
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: answer },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: `${answer} again` },
    ];
    const vote = { conversation_a: conversation('a'), conversation_b: conversation('b') };
    const dir = fakeDataDir('mt-bench-human-judgments-sample/human_judgments_first200.jsonl.gz', [
      { ...vote, turn: 1, winner: 'model_b' },
      { ...vote, turn: 1, winner: 'tie' },
      { ...vote, turn: 2, winner: 'model_a' },
    ]);
    expect((await readAll(dir, 'mt-bench-human')).records).toEqual([
      { prompt: 'q1', chosen: 'b', rejected: 'a' },
    ]);
  });

  it('HH: skips (and counts) pairs whose turns before the final assistant turn differ', async () => {
    const dir = fakeDataDir('hh-rlhf-train-sample/helpful-base_train_first500.jsonl.gz', [
      { chosen: '\n\nHuman: hi\n\nAssistant: good', rejected: '\n\nHuman: hi\n\nAssistant: bad' },
      { chosen: '\n\nHuman: hi\n\nAssistant: good', rejected: '\n\nHuman: hey\n\nAssistant: bad' },
    ]);
    expect(await readAll(dir, 'hh-train-helpful')).toEqual({
      records: [{ prompt: [{ role: 'user', content: 'hi' }], chosen: 'good', rejected: 'bad' }],
      skipped: 1,
    });
  });

  it('rejects an unknown set name and reports an absent data folder as null', async () => {
    await expect(readAll(tmp, 'no-such-set')).rejects.toThrow(/no shared set "no-such-set"/);
    expect(sharedDataDir(path.join(tmp, 'nowhere', 'repo'))).toBeNull();
  });
});

describe.skipIf(!DATA_DIR)(
  `shared preference sets${DATA_DIR ? '' : ' (skipped: ../shared/data is absent)'}`,
  () => {
    it('has an expected count for every set', () => {
      expect(SHARED_SETS.map((s) => s.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    });

    it.each(SHARED_SETS)('$name ($axis) reads as valid TRL records', async ({ name }) => {
      const { records, skipped } = await readAll(DATA_DIR!, name);
      expect({ written: records.length, skipped }).toEqual(EXPECTED[name]);
      const invalid = records.flatMap((record, i) => {
        if (record.chosen === record.rejected) return [`${i}: chosen === rejected`];
        try {
          parseRecord('trl', record);
          return [];
        } catch (error) {
          return [`${i}: ${(error as Error).message}`];
        }
      });
      expect(invalid).toEqual([]);
    });

    it.each(['out/faireval.jsonl.gz', 'out/faireval.jsonl'])(
      'writes a set to %s and reads it back line by line',
      async (file) => {
        const outFile = path.join(tmp, file);
        const report = await writeSharedSetJsonl(DATA_DIR!, 'llmbar-faireval', outFile);
        expect(report).toEqual({ name: 'llmbar-faireval', ...EXPECTED['llmbar-faireval'] });
        const input = fs.createReadStream(outFile);
        const lines: unknown[] = [];
        const stream = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
        for await (const line of readline.createInterface({ input: stream, crlfDelay: Infinity })) {
          lines.push(JSON.parse(line));
        }
        expect(lines).toEqual((await readAll(DATA_DIR!, 'llmbar-faireval')).records);
      },
    );
  },
);
