import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRecords, type ExportPair, type PreferenceFormat } from './export/formats';
import { promptText, readPreferenceFile } from './reward-files';
import { UserInputError } from './errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-reward-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pairs: ExportPair[] = [
  {
    pairId: 'p1',
    messages: [{ role: 'user', content: 'Name a prime.' }],
    a: { text: '7', model: 'm1' },
    b: { text: '8', model: 'm2' },
    preferred: 'a',
    score: -2,
  },
  {
    pairId: 'p2',
    messages: [{ role: 'user', content: 'Capital of France? Réponds en français 🇫🇷' }],
    a: { text: 'Lyon.', model: 'm1' },
    b: { text: 'Paris.\nLa capitale.', model: 'm2' },
    preferred: 'b',
    score: 1,
  },
];
const chat: ExportPair = {
  pairId: 'p3',
  messages: [
    { role: 'user', content: 'Hi!' },
    { role: 'assistant', content: 'Hello.' },
    { role: 'user', content: 'Tell me a joke.' },
  ],
  a: { text: 'No.', model: 'm1' },
  b: { text: 'Why did the chicken…', model: 'm2' },
  preferred: 'b',
  score: 3,
};
const withSystem: ExportPair = {
  ...chat,
  pairId: 'p4',
  messages: [{ role: 'system', content: 'Be funny.' }, ...chat.messages],
};

function write(name: string, records: object[], gzip = false): string {
  const file = path.join(dir, name);
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  fs.writeFileSync(file, gzip ? gzipSync(text) : text);
  return file;
}

const cases: { format: PreferenceFormat; margin?: boolean; detected: string; pairs: ExportPair[] }[] = [
  { format: 'trl', detected: 'trl', pairs },
  { format: 'trl', margin: true, detected: 'trl', pairs },
  { format: 'trl-conversational', margin: true, detected: 'trl', pairs: [...pairs, chat, withSystem] },
  { format: 'hh-rlhf', detected: 'hh-rlhf', pairs: [...pairs, chat] },
  { format: 'openai', detected: 'openai', pairs: [...pairs, chat, withSystem] },
];

describe('readPreferenceFile reads every paired export as is', () => {
  for (const { format, margin, detected, pairs: exported } of cases) {
    it(`${format}${margin ? ' with margin' : ''}`, async () => {
      const records = exported.flatMap((p) => exportRecords(format, p, { margin }));
      for (const gzip of [false, true]) {
        const file = write(`${format}${margin ? '-margin' : ''}.jsonl${gzip ? '.gz' : ''}`, records, gzip);
        const read = await readPreferenceFile(file);
        expect(read.format).toBe(detected);
        expect(read.unlabelled).toBe(0);
        expect(read.pairs).toEqual(
          exported.map((p) => ({
            prompt: promptText(p.messages),
            a: (p.preferred === 'a' ? p.a : p.b).text,
            b: (p.preferred === 'a' ? p.b : p.a).text,
            target: 1,
            weight: 1,
          })),
        );
      }
    });
  }

  it('says that KTO records are unpaired', async () => {
    const file = write('kto.jsonl', exportRecords('kto', pairs[0]!));
    const error = await readPreferenceFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toBe(
      `${file} line 1: not a preference record; expected Arbiter ("responses" + "preferred"), HH-RLHF ("chosen"/"rejected" transcripts), TRL ("prompt"/"chosen"/"rejected") or OpenAI ("input"/"preferred_output"/"non_preferred_output"); KTO records ("completion" + "label") are unpaired and cannot train a pairwise reward model`,
    );
  });
});
