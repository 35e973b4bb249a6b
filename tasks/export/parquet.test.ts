import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { createParquetWriter, ParquetValueError, readParquetRows, type ParquetColumn } from './parquet';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-parquet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

const COLUMNS: ParquetColumn[] = [
  { name: 'judgment_id', type: 'string' },
  { name: 'rationale', type: 'string', nullable: true },
  { name: 'helpfulness', type: 'int32' },
  { name: 'time_on_task_ms', type: 'int32', nullable: true },
  { name: 'revision', type: 'int64' },
  { name: 'agreement', type: 'double', nullable: true },
  { name: 'is_gold', type: 'boolean' },
  { name: 'created_at', type: 'timestamp' },
  { name: 'updated_at', type: 'timestamp', nullable: true },
  { name: 'flags', type: 'json' },
  { name: 'edits', type: 'json', nullable: true },
];

const ROWS: Record<string, unknown>[] = [
  {
    judgment_id: '0b7e5f0c-9f6a-4f59-8a34-0d7b0a1c2e3f',
    rationale: 'Réponse B est plus sûre — 安全 🛡️ "quoted", comma, and\nnewline',
    helpfulness: -3,
    time_on_task_ms: 2_147_483_647,
    revision: 9_007_199_254_740_991n + 10n,
    agreement: 0.6667,
    is_gold: true,
    created_at: '2026-03-01T09:15:30.123Z',
    updated_at: new Date('2026-03-02T10:00:00.000Z'),
    flags: [{ response: 'b', category: 'unsafe', severity: 'high' }],
    edits: [
      { revision: 1, edited_at: '2026-03-01T09:20:00.000Z', data: { helpfulness: 2, note: null, tags: [] } },
    ],
  },
  {
    judgment_id: '',
    rationale: '',
    helpfulness: 0,
    time_on_task_ms: null,
    revision: -(2n ** 63n),
    agreement: null,
    is_gold: false,
    created_at: '2026-03-01T11:15:30+02:00',
    updated_at: null,
    flags: [],
    edits: null,
  },
  {
    judgment_id: 'x',
    rationale: null,
    helpfulness: 3,
    // time_on_task_ms, agreement, updated_at and edits missing: written as null
    revision: 42,
    is_gold: false,
    created_at: new Date(0),
    flags: { nested: { deeper: [1, 'two', { three: true }] } },
  },
];

/** What the library gives back: int64 as bigint, timestamps as Date, json parsed, missing as null. */
function expected(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, type } of COLUMNS) {
    const value = row[name] ?? null;
    if (value === null) out[name] = null;
    else if (type === 'int64') out[name] = BigInt(value as number | bigint);
    else if (type === 'timestamp') out[name] = new Date(value as string | Date);
    else if (type === 'json') out[name] = JSON.parse(JSON.stringify(value));
    else out[name] = value;
  }
  return out;
}

async function rowGroups(p: string) {
  return (await parquetMetadataAsync(await asyncBufferFromFile(p))).row_groups;
}

describe('Parquet export files', () => {
  it('reads back every column type unchanged through the library', async () => {
    const p = file('types.parquet');
    const writer = createParquetWriter(p, COLUMNS);
    for (const row of ROWS) await writer.append(row);
    const summary = await writer.close();
    expect(summary).toEqual({ rows: 3, bytes: fs.statSync(p).size });
    const back = await readParquetRows(p);
    expect(back).toEqual(ROWS.map(expected));
    expect(back[1]!.created_at).toEqual(new Date('2026-03-01T09:15:30.000Z'));
    expect(back[0]!.revision).toBe(9_007_199_254_740_991n + 10n);
  });

  it('declares the logical types in the schema', async () => {
    const p = file('schema.parquet');
    const writer = createParquetWriter(p, COLUMNS);
    await writer.append(ROWS[0]!);
    await writer.close();
    const { schema } = await parquetMetadataAsync(await asyncBufferFromFile(p));
    const byName = Object.fromEntries(schema.map((s) => [s.name, s]));
    expect(byName.created_at).toMatchObject({
      type: 'INT64',
      repetition_type: 'REQUIRED',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
    });
    expect(byName.flags).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'JSON' });
    expect(byName.rationale).toMatchObject({ converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
  });

  it('writes one row group per rowGroupSize rows', async () => {
    const p = file('groups.parquet');
    const writer = createParquetWriter(
      p,
      [
        { name: 'i', type: 'int32' },
        { name: 'id', type: 'string' },
        { name: 'even', type: 'boolean' },
      ],
      { rowGroupSize: 50_000 },
    );
    for (let i = 0; i < 120_000; i++) await writer.append({ i, id: `pair-${i}`, even: i % 2 === 0 });
    const { rows, bytes } = await writer.close();
    expect(rows).toBe(120_000);
    expect(bytes).toBe(fs.statSync(p).size);
    expect((await rowGroups(p)).map((g) => g.num_rows)).toEqual([50_000n, 50_000n, 20_000n]);
    const back = await readParquetRows(p);
    expect(back).toHaveLength(120_000);
    expect(back[119_999]).toEqual({ i: 119_999, id: 'pair-119999', even: false });
  });

  it('rejects a value that does not fit its column, naming the column, and keeps the file valid', async () => {
    const p = file('invalid.parquet');
    const writer = createParquetWriter(p, COLUMNS);
    await writer.append(ROWS[0]!);
    const bad = writer.append({ ...ROWS[1], helpfulness: 'very' });
    await expect(bad).rejects.toThrow(ParquetValueError);
    await expect(bad).rejects.toThrow(/column "helpfulness" expects a 32-bit integer, got the string "very"/);
    await expect(writer.append({ ...ROWS[1], is_gold: null })).rejects.toThrow(
      /column "is_gold" is not nullable/,
    );
    await expect(writer.append({ ...ROWS[1], created_at: '1 March 2026' })).rejects.toThrow(/"created_at"/);
    await expect(writer.append({ ...ROWS[1], revision: 1.5 })).rejects.toThrow(/"revision"/);
    await expect(writer.append({ ...ROWS[1], flags: { n: 1n } })).rejects.toThrow(/"flags" expects a JSON/);
    await expect(writer.append({ ...ROWS[1], extra: 1 })).rejects.toThrow(/"extra" is not one of/);
    await writer.append(ROWS[2]!);
    expect((await writer.close()).rows).toBe(2);
    expect(await readParquetRows(p)).toEqual([ROWS[0], ROWS[2]].map((r) => expected(r!)));
  });

  it('writes a valid empty file, and abort removes a partial one', async () => {
    const empty = file('empty.parquet');
    const writer = createParquetWriter(empty, COLUMNS);
    expect((await writer.close()).rows).toBe(0);
    expect(await readParquetRows(empty)).toEqual([]);
    await expect(writer.append(ROWS[0]!)).rejects.toThrow(/closed/);

    const partial = file('partial.parquet');
    const aborted = createParquetWriter(partial, [{ name: 'i', type: 'int32' }], { rowGroupSize: 10 });
    for (let i = 0; i < 25; i++) await aborted.append({ i });
    await aborted.abort();
    expect(fs.existsSync(partial)).toBe(false);
  });

  it('reports a file it cannot create when closing', async () => {
    const writer = createParquetWriter(file('missing-dir/x.parquet'), COLUMNS);
    await writer.append(ROWS[0]!);
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
    await expect(writer.append(ROWS[0]!)).rejects.toThrow(/failed/);
  });

  it('rejects a bad column list before writing', () => {
    expect(() => createParquetWriter(file('dup.parquet'), [COLUMNS[0]!, COLUMNS[0]!])).toThrow(/unique/);
    expect(() => createParquetWriter(file('n.parquet'), COLUMNS, { rowGroupSize: 0 })).toThrow(
      /rowGroupSize/,
    );
  });
});
