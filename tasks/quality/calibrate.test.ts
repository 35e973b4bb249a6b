import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { bootstrapFleiss, bootstrapKrippendorff, fleissKappa, krippendorffAlpha } from './agreement';
import { calibrate, type CrowdLabelInput } from './calibrate';
import { readCrowdFile, readGoldFile, KEY_SEPARATOR } from './crowd-files';
import { dawidSkene } from './dawid-skene';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-calibrate-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Six items, three annotators: good1 is always right, good2 misses i2, bad is never right.
const GOLD = new Map(Object.entries({ i1: 'pos', i2: 'pos', i3: 'neg', i4: 'neg', i5: 'neu', i6: 'pos' }));
const ANSWERS: Record<string, string[]> = {
  good1: ['pos', 'pos', 'neg', 'neg', 'neu', 'pos'],
  good2: ['pos', 'neg', 'neg', 'neg', 'neu', 'pos'],
  bad: ['neg', 'neg', 'pos', 'pos', 'pos', 'neg'],
};
const ITEMS = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'];
const crowd: CrowdLabelInput[] = ITEMS.flatMap((item, i) =>
  Object.entries(ANSWERS).map(([annotator, labels]) => ({ item, annotator, label: labels[i]! })),
);
const units = ITEMS.map((_, i) => Object.values(ANSWERS).map((labels) => labels[i]!));

function write(name: string, text: string, gzip = false): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, gzip ? gzipSync(text) : text);
  return file;
}

describe('calibrate', () => {
  it('counts items, annotators and labels, and matches direct agreement calls', () => {
    const r = calibrate(crowd, { resamples: 200, seed: 3 });
    expect(r).toMatchObject({ items: 6, annotators: 3, rows: 18 });
    expect(r.labels).toEqual([
      { label: 'neg', count: 8 },
      { label: 'neu', count: 2 },
      { label: 'pos', count: 8 },
    ]);
    expect(r.dropped).toEqual({ total: 0, empty_label: 0, ignored: {}, duplicate: 0 });
    expect(r.fleiss_kappa.estimate).toBeCloseTo(fleissKappa(units).kappa, 12);
    expect(r.krippendorff_alpha.estimate).toBeCloseTo(krippendorffAlpha(units, 'nominal').alpha, 12);
    const fleiss = bootstrapFleiss(units, { rng: createRng(3), resamples: 200 });
    const alpha = bootstrapKrippendorff(units, 'nominal', { rng: createRng(3), resamples: 200 });
    expect(r.fleiss_kappa).toMatchObject({ low: fleiss.low, high: fleiss.high, level: 0.95, resamples: 200 });
    expect(r.krippendorff_alpha).toMatchObject({ low: alpha.low, high: alpha.high, metric: 'nominal' });
    expect(r.majority_vote_accuracy).toBeUndefined();
    expect(r.gold).toBeUndefined();
    expect(r.per_annotator.map((a) => a.annotator)).toEqual(['bad', 'good1', 'good2']);
  });

  it('scores majority vote and Dawid-Skene against gold, and each annotator on it', () => {
    const r = calibrate(crowd, { resamples: 50, gold: GOLD, minGold: 3 });
    // majority: i2 goes 2-1 to the wrong "neg"; every other item is right
    expect(r.majority_vote_accuracy).toMatchObject({ accuracy: 5 / 6, correct: 5, n: 6 });
    expect(r.majority_vote_accuracy!.low).toBeLessThan(5 / 6);
    const ds = dawidSkene(crowd.map((c) => ({ ...c })));
    const dsCorrect = ITEMS.filter((item) => ds.consensus.get(item) === GOLD.get(item)).length;
    expect(r.dawid_skene_accuracy).toMatchObject({ correct: dsCorrect, n: 6 });
    expect(r.one_coin_accuracy!.n).toBe(6);
    expect(r.consensus_method!.method).toMatch(/majority|dawid-skene|one-coin/);
    expect(r.gold).toEqual({ items: 6, matched: 6, unmatched: 0, ignored: 0, unknown_labels: 0 });
    const by = Object.fromEntries(r.per_annotator.map((a) => [a.annotator, a]));
    expect(by.good1!.gold_accuracy).toMatchObject({ correct: 6, n: 6, accuracy: 1 });
    expect(by.good2!.gold_accuracy).toMatchObject({ correct: 5, n: 6 });
    expect(by.bad!.gold_accuracy).toMatchObject({ correct: 0, n: 6, accuracy: 0 });
    // bad: the other two agree on i1, i3, i4, i5, i6 (level on i2), and bad differs on all five
    expect(by.bad!.agreement_loo).toEqual({ agreed: 0, n: 5, rate: 0 });
    // good1: only on i2 do good2 and bad agree ("neg"), and good1 said "pos"
    expect(by.good1!.agreement_loo).toEqual({ agreed: 0, n: 1, rate: 0 });
    expect(by.good2!.agreement_loo).toEqual({ agreed: 0, n: 0, rate: null });
    expect(by.bad!.dawid_skene_reliability!).toBeLessThan(by.good1!.dawid_skene_reliability!);
  });

  it('drops empty, ignored (raw or renamed) and repeated labels and says how many', () => {
    const rows: CrowdLabelInput[] = [
      ...crowd,
      { item: 'i1', annotator: 'good1', label: 'neg' }, // a second label: the first is kept
      { item: 'i7', annotator: 'good1', label: "I can't tell" },
      { item: 'i7', annotator: 'good2', label: '9' }, // 9 → unsure, ignored by its new name
      { item: 'i7', annotator: 'bad', label: '' },
    ];
    const r = calibrate(rows, {
      resamples: 20,
      labelMap: { '9': 'unsure' },
      ignore: ["I can't tell", 'unsure'],
    });
    expect(r.dropped).toEqual({
      total: 4,
      empty_label: 1,
      ignored: { "I can't tell": 1, '9': 1 },
      duplicate: 1,
    });
    expect(r).toMatchObject({ items: 6, rows: 18 });
    expect(r.fleiss_kappa.estimate).toBeCloseTo(fleissKappa(units).kappa, 12);
  });

  it('uses numbers or --order for ordinal and interval alpha, and refuses labels it cannot place', () => {
    const numeric = crowd.map((c) => ({ ...c, label: { neg: '1', neu: '2', pos: '3' }[c.label]! }));
    const asNumbers = units.map((u) => u.map((l) => ({ neg: 1, neu: 2, pos: 3 })[l]!));
    const ordinal = calibrate(numeric, { level: 'ordinal', resamples: 20 });
    expect(ordinal.krippendorff_alpha.estimate).toBeCloseTo(
      krippendorffAlpha(asNumbers, 'ordinal').alpha,
      12,
    );
    const ordered = calibrate(crowd, { level: 'interval', order: ['neg', 'neu', 'pos'], resamples: 20 });
    const positions = units.map((u) => u.map((l) => ['neg', 'neu', 'pos'].indexOf(l)));
    expect(ordered.krippendorff_alpha.estimate).toBeCloseTo(
      krippendorffAlpha(positions, 'interval').alpha,
      12,
    );
    expect(() => calibrate(crowd, { level: 'ordinal' })).toThrow(/needs numeric labels or --order.*"neg"/);
    expect(() => calibrate(crowd, { order: ['neg', 'pos'] })).toThrow(/does not list the label "neu"/);
  });

  it('says so when no gold item matches, or nothing is left to calibrate', () => {
    const elsewhere = new Map([
      ['tweet-1', 'pos'],
      ['tweet-2', 'neg'],
    ]);
    expect(() => calibrate(crowd, { gold: elsewhere })).toThrow(
      /none of the 2 gold items matches an item of the labels file \(gold keys look like "tweet-1", label keys like "i1"\)/,
    );
    expect(() => calibrate(crowd, { ignore: ['pos', 'neg', 'neu'] })).toThrow(/no labels left.*18 ignored/);
  });
});

describe('crowd files', () => {
  it('reads a long file with a composite item key and a gold file keyed the same way', async () => {
    const file = write(
      'long.csv',
      [
        'question_id,model_a,model_b,turn,judge,winner',
        '81,alpaca,gpt,1,e1,model_b',
        '81,alpaca,gpt,1,e2,model_b',
        '81,alpaca,gpt,2,e1,tie',
        '81,alpaca,gpt,2,e2,model_a',
        '82,alpaca,gpt,1,e1,',
      ].join('\n'),
    );
    const key = ['question_id', 'model_a', 'model_b', 'turn'];
    const read = await readCrowdFile(file, { kind: 'long', item: key, annotator: 'judge', label: 'winner' });
    expect(read).toMatchObject({ format: 'csv', records: 5 });
    expect(read.rows[0]).toEqual({
      item: ['81', 'alpaca', 'gpt', '1'].join(KEY_SEPARATOR),
      annotator: 'e1',
      label: 'model_b',
      line: 2,
    });
    const r = calibrate(read.rows, { resamples: 10 });
    expect(r).toMatchObject({ items: 2, annotators: 2, rows: 4, dropped: { empty_label: 1 } });
    const gold = write(
      'gold.jsonl',
      '{"question_id":81,"model_a":"alpaca","model_b":"gpt","turn":2,"w":"tie"}\n',
    );
    const g = await readGoldFile(gold, { item: key, label: 'w' });
    expect([...g.gold]).toEqual([[['81', 'alpaca', 'gpt', '2'].join(KEY_SEPARATOR), 'tie']]);
  });

  it('reads a wide file (one column per annotator), gzip and JSONL with numeric labels', async () => {
    const lines = [
      { idx: 1, annotator1: 1, annotator2: 1, annotator3: 2 },
      { idx: 2, annotator1: 0, annotator2: 0, annotator3: 0 },
      { idx: 3, annotator1: 2, annotator2: null, annotator3: 2 },
    ];
    const file = write('wide.jsonl.gz', lines.map((l) => JSON.stringify(l)).join('\n'), true);
    const annotators = ['annotator1', 'annotator2', 'annotator3'];
    const read = await readCrowdFile(file, { kind: 'wide', item: ['idx'], annotators });
    expect(read).toMatchObject({ format: 'jsonl', records: 3 });
    expect(read.rows).toHaveLength(9);
    expect(read.rows[2]).toEqual({ item: '1', annotator: 'annotator3', label: '2', line: 1 });
    const r = calibrate(read.rows, { labelMap: { '1': 'a', '2': 'b', '0': 'tie' }, resamples: 10 });
    expect(r).toMatchObject({ items: 3, annotators: 3, rows: 8, dropped: { empty_label: 1 } });
    expect(r.labels).toEqual([
      { label: 'a', count: 2 },
      { label: 'b', count: 3 },
      { label: 'tie', count: 3 },
    ]);
    expect(r.fleiss_kappa.estimate).toBeCloseTo(
      fleissKappa([
        ['a', 'a', 'b'],
        ['tie', 'tie', 'tie'],
        ['b', 'b'],
      ]).kappa,
    );
  });

  it('names the missing column with the columns the file has, and the line of a bad record', async () => {
    const file = write('cols.csv', 'tweet_id,worker_id,emotion\n1,w1,Positive\n,w2,Negative\n');
    await expect(
      readCrowdFile(file, { kind: 'long', item: ['unit'], annotator: 'worker_id', label: 'label' }),
    ).rejects.toThrow(
      `${file}: no column "unit" (--item-col), "label" (--label-col); the file has columns: tweet_id, worker_id, emotion`,
    );
    await expect(
      readCrowdFile(file, { kind: 'long', item: ['tweet_id'], annotator: 'worker_id', label: 'emotion' }),
    ).rejects.toThrow(`${file} line 3: the item key column "tweet_id" is empty`);
    const gold = write('conflict.csv', 'id,label\n1,a\n1,b\n');
    await expect(readGoldFile(gold, { item: ['id'], label: 'label' })).rejects.toThrow(
      `${gold} line 3: item "1" has gold label "b" here but "a" on line 2`,
    );
    await expect(
      readCrowdFile(path.join(dir, 'none.csv'), { kind: 'wide', item: ['id'], annotators: ['x'] }),
    ).rejects.toThrow('no such file');
  });
});
