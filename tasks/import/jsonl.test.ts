import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JSONL_LIMITS,
  InputTooLargeError,
  readJsonLines,
  type JsonLine,
  type JsonlLimits,
} from './jsonl';

async function readAll(input: Readable, limits?: JsonlLimits): Promise<JsonLine[]> {
  const out: JsonLine[] = [];
  for await (const item of readJsonLines(input, limits)) out.push(item);
  return out;
}

/** `data` split into Buffers of `size` bytes, as a slow stream would hand it over. */
function chunked(data: Buffer | string, size: number): Readable {
  const bytes = Buffer.from(data);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

const SAMPLE = '{"id":1,"text":"héllo"}\n{"id":2,"text":"wörld"}\n[3]\n';
const SAMPLE_RECORDS: JsonLine[] = [
  { line: 1, value: { id: 1, text: 'héllo' } },
  { line: 2, value: { id: 2, text: 'wörld' } },
  { line: 3, value: [3] },
];

describe('readJsonLines', () => {
  it('reads plain and gzip input to the same records', async () => {
    expect(await readAll(Readable.from([Buffer.from(SAMPLE)]))).toEqual(SAMPLE_RECORDS);
    expect(await readAll(Readable.from([zlib.gzipSync(SAMPLE)]))).toEqual(SAMPLE_RECORDS);
  });

  it('detects gzip by its magic bytes even when they arrive in separate chunks', async () => {
    expect(await readAll(chunked(zlib.gzipSync(SAMPLE), 1))).toEqual(SAMPLE_RECORDS);
    expect(await readAll(chunked(zlib.gzipSync(SAMPLE), 7))).toEqual(SAMPLE_RECORDS);
  });

  it('reads multi-byte characters split across chunks', async () => {
    expect(await readAll(chunked(SAMPLE, 3))).toEqual(SAMPLE_RECORDS);
  });

  it('handles CRLF line endings and a missing final newline', async () => {
    expect(await readAll(Readable.from([Buffer.from('{"a":1}\r\n{"a":"x\\r\\n"}\r\n{"a":3}')]))).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, value: { a: 'x\r\n' } },
      { line: 3, value: { a: 3 } },
    ]);
  });

  it('skips blank lines but counts them in line numbers', async () => {
    const text = '\n{"a":1}\n\n   \r\n\t\n{"a":2}\n\n';
    expect(await readAll(Readable.from([Buffer.from(text)]))).toEqual([
      { line: 2, value: { a: 1 } },
      { line: 6, value: { a: 2 } },
    ]);
  });

  it('reports invalid JSON with its line number and keeps reading', async () => {
    const items = await readAll(Readable.from([Buffer.from('{"a":1}\n{"a":\nnot json\n{"a":4}\n')]));
    expect(items.map((i) => i.line)).toEqual([1, 2, 3, 4]);
    expect(items[0]).toEqual({ line: 1, value: { a: 1 } });
    expect(items[1]!.value).toBeUndefined();
    expect(items[1]!.error).toMatch(/^not valid JSON \(.+\)$/);
    expect(items[2]!.error).toMatch(/^not valid JSON \(.+\)$/);
    expect(items[3]).toEqual({ line: 4, value: { a: 4 } });
  });

  describe('line length limit', () => {
    const limits: JsonlLimits = { maxBytes: 1_000_000, maxLineBytes: 100 };
    const long = JSON.stringify({ text: 'x'.repeat(500) });
    const text = `{"a":1}\n${long}\n{"a":3}\n`;
    const expected: JsonLine[] = [
      { line: 1, value: { a: 1 } },
      { line: 2, error: 'line is longer than 100 bytes' },
      { line: 3, value: { a: 3 } },
    ];

    it('reports a long line inside one chunk and reads the next one', async () => {
      expect(await readAll(Readable.from([Buffer.from(text)]), limits)).toEqual(expected);
    });

    it('reports a long line spread over many small chunks', async () => {
      for (const size of [1, 7, 64, 99, 100, 101, 150]) {
        expect(await readAll(chunked(text, size), limits)).toEqual(expected);
      }
    });

    it('reports a line just over the limit whose newline arrives in the next chunk', async () => {
      const justOver = `"${'y'.repeat(99)}"`; // 101 bytes
      expect(
        await readAll(
          Readable.from([Buffer.from(justOver.slice(0, 95)), Buffer.from(`${justOver.slice(95)}\n1\n`)]),
          limits,
        ),
      ).toEqual([
        { line: 1, error: 'line is longer than 100 bytes' },
        { line: 2, value: 1 },
      ]);
    });

    it('reports a long last line without a newline', async () => {
      expect(await readAll(chunked(`{"a":1}\n${long}`, 16), limits)).toEqual([
        { line: 1, value: { a: 1 } },
        { line: 2, error: 'line is longer than 100 bytes' },
      ]);
    });

    it('accepts a line of exactly the limit', async () => {
      const exact = `"${'z'.repeat(98)}"`; // 100 bytes
      expect(await readAll(chunked(`${exact}\n`, 30), limits)).toEqual([{ line: 1, value: 'z'.repeat(98) }]);
    });
  });

  describe('input size limit', () => {
    it('throws InputTooLargeError past maxBytes', async () => {
      const text = Array.from({ length: 100 }, (_, i) => JSON.stringify({ i })).join('\n');
      const limits = { maxBytes: 200, maxLineBytes: 100 };
      await expect(readAll(chunked(text, 50), limits)).rejects.toBeInstanceOf(InputTooLargeError);
      await expect(readAll(chunked(text, 50), limits)).rejects.toThrow(
        'The input is larger than 200 bytes (uncompressed); split it or raise the limit.',
      );
      // the same input passes with room to spare
      expect(await readAll(chunked(text, 50), { maxBytes: 10_000, maxLineBytes: 100 })).toHaveLength(100);
    });

    it('counts decompressed bytes, so a zip bomb stops early', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, '\n'));
      expect(bomb.length).toBeLessThan(100_000);
      await expect(
        readAll(Readable.from([bomb]), { maxBytes: 1024 * 1024, maxLineBytes: 1024 }),
      ).rejects.toBeInstanceOf(InputTooLargeError);
    });
  });

  it('says a corrupt gzip stream cannot be decompressed', async () => {
    const corrupt = Buffer.concat([
      Buffer.from([0x1f, 0x8b]),
      Buffer.from('this is not deflate data at all'),
    ]);
    await expect(readAll(Readable.from([corrupt]))).rejects.toThrow(
      /^The file looks gzip-compressed but cannot be decompressed: /,
    );
    const truncated = zlib.gzipSync(SAMPLE.repeat(50)).subarray(0, 40);
    await expect(readAll(Readable.from([truncated]))).rejects.toThrow(
      /^The file looks gzip-compressed but cannot be decompressed: /,
    );
  });

  it('yields nothing for empty input', async () => {
    expect(await readAll(Readable.from([]))).toEqual([]);
    expect(await readAll(Readable.from([Buffer.alloc(0)]))).toEqual([]);
    expect(await readAll(Readable.from([zlib.gzipSync('')]))).toEqual([]);
    expect(await readAll(Readable.from([Buffer.from('\n\n')]))).toEqual([]);
  });

  it('has generous defaults', () => {
    expect(DEFAULT_JSONL_LIMITS).toEqual({ maxBytes: 1024 ** 3, maxLineBytes: 4 * 1024 ** 2 });
  });
});
