import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { describeDb } from '../../tests/setup/db';
import { SHARED_DATA_DIR } from '../../tests/setup/test-env';
import { createProject } from '../projects';
import { ImportError } from './preferences';
import { importSentiment } from './sentiment';
import { labelResolver, parseLabelMap, resolveColumns, toSentimentRecord } from './sentiment-records';
import { readTabular, sniffFormat } from './tabular';

const open = (text: string | Buffer) => () =>
  Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);

async function rows(text: string, format: 'csv' | 'tsv' | 'jsonl') {
  const out = [];
  for await (const row of readTabular(open(text)(), format)) out.push(row);
  return out;
}

describe('reading CSV, TSV and JSONL', () => {
  it('tells the format by content, gzip included', async () => {
    expect(await sniffFormat(open('label\tsentence\n1\tgood\n'))).toBe('tsv');
    expect(await sniffFormat(open('text,label\n"a, b",positive\n'))).toBe('csv');
    expect(await sniffFormat(open('\uFEFF{"text": "hi"}\n'))).toBe('jsonl');
    expect(await sniffFormat(open(gzipSync('label\tsentence\n1\tgood\n')))).toBe('tsv');
  });

  it('reads RFC 4180 CSV with quotes, embedded newlines and a BOM, naming each row’s first line', async () => {
    const got = await rows(
      '\uFEFFtext,label\n"He said ""wow""",positive\n"two\nlines",negative\n\nplain,neutral\n',
      'csv',
    );
    expect(got).toEqual([
      { line: 2, fields: { text: 'He said "wow"', label: 'positive' } },
      { line: 3, fields: { text: 'two\nlines', label: 'negative' } },
      { line: 6, fields: { text: 'plain', label: 'neutral' } },
    ]);
  });

  it('reads TSV as GLUE writes it: quotes are ordinary characters', async () => {
    expect(await rows('label\tsentence\n1\t" the title " is apt\n', 'tsv')).toEqual([
      { line: 2, fields: { label: '1', sentence: '" the title " is apt' } },
    ]);
  });

  it('reports rows with the wrong number of fields and goes on', async () => {
    expect(await rows('text,label\na,b,c\nd,e\n', 'csv')).toEqual([
      { line: 2, error: 'has 3 field(s) but the header has 2 (text, label)' },
      { line: 3, fields: { text: 'd', label: 'e' } },
    ]);
  });

  it('refuses a header with a repeated or empty column name, and an unclosed quote', async () => {
    await expect(rows('text,text\na,b\n', 'csv')).rejects.toThrow(
      'line 1: the header names column "text" twice',
    );
    await expect(rows('text,\na,b\n', 'csv')).rejects.toThrow('line 1: the header has an empty column name');
    await expect(rows('text,label\n"open,positive\nmore,negative\n', 'csv')).rejects.toThrow(
      /CSV cannot be read/,
    );
  });

  it('reads JSONL objects and names lines that are not objects', async () => {
    expect(await rows('{"text":"a","label":"positive"}\n[1]\nnope\n', 'jsonl')).toEqual([
      { line: 1, fields: { text: 'a', label: 'positive' } },
      { line: 2, error: 'expected a JSON object like {"text": "…", "label": "…"}' },
      { line: 3, error: expect.stringMatching(/^not valid JSON/) },
    ]);
  });
});

describe('sentiment records', () => {
  it('finds the text and label columns by name, or as asked, and lists the columns when it cannot', () => {
    expect(resolveColumns(['label', 'sentence'])).toEqual({
      text: 'sentence',
      label: 'label',
      language: null,
    });
    expect(resolveColumns(['Tweet_Body', 'emotion', 'lang'])).toEqual({
      text: 'Tweet_Body',
      label: 'emotion',
      language: 'lang',
    });
    expect(resolveColumns(['a', 'b'], { text: 'b' })).toEqual({ text: 'b', label: null, language: null });
    expect(() => resolveColumns(['a', 'b'])).toThrow(
      /Cannot tell which column holds the text .* the file's columns are "a", "b"/,
    );
    expect(() => resolveColumns(['a', 'b'], { label: 'c', text: 'a' })).toThrow(
      'There is no column "c"; the file\'s columns are "a", "b".',
    );
  });

  it('maps labels by name, through a label map, and 0/1 the GLUE way', () => {
    const resolve = labelResolver(['positive', 'negative', 'neutral']);
    expect(resolve('Positive')).toEqual({ label: 'positive' });
    expect(resolve('1')).toEqual({ label: 'positive' });
    expect(resolve(0)).toEqual({ label: 'negative' });
    expect(resolve('')).toEqual({ label: null });
    expect(resolve('meh')).toEqual({
      error: expect.stringMatching(/^label "meh" is not one of the labels \(positive, negative, neutral\)/),
    });
    const mapped = labelResolver(['joy', 'anger'], parseLabelMap('happy=joy, mad=anger'));
    expect(mapped('happy')).toEqual({ label: 'joy' });
    expect(() => labelResolver(['joy'], { x: 'fear' })).toThrow(
      'The label map sends "x" to "fear", which is not one of the labels (joy).',
    );
    expect(() => parseLabelMap('0=negative,1')).toThrow('Label map entry "1" is not FROM=TO');
  });

  it('checks the text and keeps the other fields as metadata', () => {
    const columns = { text: 'text', label: 'label', language: 'language' };
    const resolve = labelResolver(['positive', 'negative']);
    expect(
      toSentimentRecord({ text: '  Nice  ', label: '1', language: 'en', id: 7 }, columns, resolve),
    ).toEqual({
      text: 'Nice',
      label: 'positive',
      language: 'en',
      meta: { id: 7 },
    });
    expect(toSentimentRecord({ text: ' ', label: '1' }, columns, resolve)).toEqual({
      error: '"text" is empty',
    });
    expect(toSentimentRecord({ text: 'x'.repeat(20_001) }, columns, resolve)).toEqual({
      error: '"text" is longer than 20,000 characters',
    });
    expect(toSentimentRecord({ text: 'ok', language: 'x' }, columns, resolve)).toEqual({
      error: 'language: use a language code such as "en" or "pt-BR"',
    });
  });
});

describeDb('sentiment import', ({ db }) => {
  const project = (labelSet?: string[]) =>
    createProject(
      db(),
      { slug: `s-${randomUUID().slice(0, 8)}`, name: 'S', type: 'sentiment', labelSet },
      {},
    );

  it('imports the GLUE layout as it is, with hidden references, lexicon pre-labels and a held-out set', async () => {
    const p = await project();
    const tsv =
      'label\tsentence\n1\ta joyous , moving film\n0\tdull and lifeless\n1\ta joyous , moving film\n';
    const report = await importSentiment(db(), open(tsv), { projectId: p.id, format: 'auto' });
    expect(report).toMatchObject({
      format: 'tsv',
      columns: { text: 'sentence', label: 'label' },
      records: 3,
      duplicates: 1,
      items: { created: 2, existing: 0 },
      references: 2,
      prelabeledBy: 'lexicon',
      routing: { human: 2, auto: 0, audit: 0, unlabelled: 0 },
    });
    const items = await db()
      .selectFrom('sentiment_items as s')
      .innerJoin('prelabels as l', 'l.id', 's.prelabel_id')
      .select(['s.text', 's.reference_label', 's.route', 's.status', 'l.label', 'l.source'])
      .where('s.project_id', '=', p.id)
      .orderBy('s.text')
      .execute();
    expect(items).toEqual([
      {
        text: 'a joyous , moving film',
        reference_label: 'positive',
        route: 'human',
        status: 'open',
        label: 'positive',
        source: 'lexicon',
      },
      {
        text: 'dull and lifeless',
        reference_label: 'negative',
        route: 'human',
        status: 'open',
        label: 'negative',
        source: 'lexicon',
      },
    ]);
    // importing again adds nothing
    const again = await importSentiment(db(), open(tsv), { projectId: p.id, format: 'tsv' });
    expect(again.items).toEqual({ created: 0, existing: 2 });
  });

  it('lists every bad line and writes nothing, or imports the good ones with skipInvalid', async () => {
    const p = await project();
    const csv = 'text,label\nfine,positive\n,negative\nbad label,sarcastic\n"ok",neutral\n';
    const failure = await importSentiment(db(), open(csv), { projectId: p.id, format: 'csv' }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ImportError);
    expect((failure as ImportError).errors).toEqual([
      { line: 3, message: '"text" is empty' },
      { line: 4, message: expect.stringMatching(/^label: label "sarcastic" is not one of the labels/) },
    ]);
    const none = await db()
      .selectFrom('sentiment_items')
      .select('id')
      .where('project_id', '=', p.id)
      .execute();
    expect(none).toEqual([]);
    const partial = await importSentiment(db(), open(csv), {
      projectId: p.id,
      format: 'csv',
      skipInvalid: true,
    });
    expect(partial.items.created).toBe(2);
    expect(partial.skipped).toHaveLength(2);
  });

  it('uses the columns and label map it is given, and refuses a preference project', async () => {
    const p = await project(['joy', 'anger']);
    const jsonl =
      '{"body": "so happy today", "mood": "happy", "lang": "en"}\n{"body": "furious", "mood": "mad"}\n';
    const report = await importSentiment(db(), open(jsonl), {
      projectId: p.id,
      format: 'jsonl',
      textColumn: 'body',
      labelColumn: 'mood',
      labelMap: { happy: 'joy', mad: 'anger' },
    });
    // the lexicon cannot speak for "joy" and "anger": no pre-labels, people in seeded order
    expect(report).toMatchObject({
      items: { created: 2 },
      prelabeledBy: 'nothing',
      routing: { human: 2, unlabelled: 2 },
    });
    const langs = await db()
      .selectFrom('sentiment_items')
      .select(['language', 'reference_label'])
      .where('project_id', '=', p.id)
      .orderBy('text')
      .execute();
    expect(langs).toEqual([
      { language: null, reference_label: 'anger' },
      { language: 'en', reference_label: 'joy' },
    ]);
    const preference = await createProject(
      db(),
      { slug: `p-${randomUUID().slice(0, 8)}`, name: 'P', type: 'preference' },
      {},
    );
    await expect(
      importSentiment(db(), open(jsonl), { projectId: preference.id, format: 'auto' }),
    ).rejects.toThrow(/is a preference project, not a sentiment project/);
  });

  it('caps the held-out set per project', async () => {
    const p = await project();
    await db()
      .updateTable('projects')
      .set({ settings: JSON.stringify({ sentiment: { holdoutRate: 0.5, holdoutMax: 5 } }) })
      .where('id', '=', p.id)
      .execute();
    const csv = ['text', ...Array.from({ length: 60 }, (_, i) => `item number ${i}`)].join('\n');
    const first = await importSentiment(db(), open(csv), { projectId: p.id, format: 'csv' });
    expect(first.holdout).toBe(5);
    const more = ['text', ...Array.from({ length: 60 }, (_, i) => `another item ${i}`)].join('\n');
    expect((await importSentiment(db(), open(more), { projectId: p.id, format: 'csv' })).holdout).toBe(0);
  });

  const sst2 = new URL('sst2/dev.tsv.gz', SHARED_DATA_DIR);
  it.skipIf(!fs.existsSync(sst2))('imports the real SST-2 dev set as it is (GLUE layout, gzip)', async () => {
    const p = await project();
    const report = await importSentiment(db(), () => fs.createReadStream(sst2), {
      projectId: p.id,
      format: 'auto',
    });
    expect(report).toMatchObject({
      format: 'tsv',
      columns: { text: 'content', label: 'label' },
      records: 872,
    });
    expect(report.items.created + report.duplicates).toBe(872);
    expect(report.references).toBe(report.items.created);
  });
});
