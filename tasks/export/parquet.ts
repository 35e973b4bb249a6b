/**
 * Parquet output for the raw-judgment and consensus exports, through hyparquet-writer (and read
 * back through its companion reader, hyparquet). Rows are appended one at a time and buffered as
 * columns for at most one row group; each full group is encoded, written to the file and released,
 * so memory stays bounded by the row-group size however many rows the export has.
 *
 * Column types and what they become on disk:
 * - `string`    BYTE_ARRAY, UTF8 / STRING
 * - `int32`     INT32
 * - `int64`     INT64 (number or bigint in; bigint out)
 * - `double`    DOUBLE
 * - `boolean`   BOOLEAN
 * - `timestamp` INT64 milliseconds since the epoch, TIMESTAMP(MILLIS, UTC) (ISO string or Date in; Date out)
 * - `json`      BYTE_ARRAY holding the JSON.stringify'd value, annotated JSON (value in; parsed value out)
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { asyncBufferFromFile, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';

export type ParquetColumnType = 'string' | 'int32' | 'int64' | 'double' | 'boolean' | 'timestamp' | 'json';
export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
  nullable?: boolean;
}
export interface ParquetRowWriter {
  /** Validates and buffers one row; writes a row group when the buffer is full. */
  append(row: Record<string, unknown>): Promise<void>;
  /** Writes the last row group and the footer, closes the file. */
  close(): Promise<{ rows: number; bytes: number }>;
  /** Closes the file and removes it (after an error, or when the export is cancelled). */
  abort(): Promise<void>;
}

/** A value that does not fit its column; `row` is the zero-based index of the rejected row. */
export class ParquetValueError extends Error {
  constructor(
    readonly column: string,
    readonly row: number,
    detail: string,
  ) {
    super(`Parquet column "${column}" ${detail} (row index ${row}).`);
    this.name = 'ParquetValueError';
  }
}

const SCHEMA: Record<ParquetColumnType, Omit<SchemaElement, 'name' | 'repetition_type'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  int32: { type: 'INT32' },
  int64: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  timestamp: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } },
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// an explicit offset (or Z) is required: a zone-less timestamp would be read in the server's zone
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'bigint') return `the bigint ${value}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${value}`;
  return value instanceof Date ? 'an invalid Date' : `a value of type ${typeof value}`;
}

/** Why a value does not fit its column; thrown by a converter, wrapped with the column and row. */
class Misfit {
  constructor(readonly detail: string) {}
}

const misfit = (expects: string, value: unknown): never => {
  throw new Misfit(`expects ${expects}, got ${describe(value)}`);
};

/** Per column type: the value as the library takes it, or a thrown Misfit (no allocation on success). */
const CONVERT: Record<ParquetColumnType, (value: unknown) => unknown> = {
  string: (v) => (typeof v === 'string' ? v : misfit('a string', v)),
  int32: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31
      ? v
      : misfit('a 32-bit integer', v),
  int64: (v) => {
    if (typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX) return v;
    return typeof v === 'number' && Number.isSafeInteger(v)
      ? BigInt(v)
      : misfit('a 64-bit integer (a safe integer number or a bigint)', v);
  },
  double: (v) => (typeof v === 'number' ? v : misfit('a number', v)),
  boolean: (v) => (typeof v === 'boolean' ? v : misfit('a boolean', v)),
  timestamp: (v) => {
    const millis =
      v instanceof Date ? v.getTime() : typeof v === 'string' && ISO_TIMESTAMP.test(v) ? Date.parse(v) : NaN;
    // milliseconds as a number: the library turns them into INT64
    return Number.isNaN(millis) ? misfit('a Date or an ISO 8601 timestamp with a zone', v) : millis;
  },
  json: (v) => {
    let text: string | undefined;
    try {
      text = JSON.stringify(v);
    } catch (error) {
      throw new Misfit(`expects a JSON value: ${(error as Error).message}`);
    }
    // the library stringifies the value itself; checking here names the column and the row
    return text === undefined ? misfit('a JSON value', v) : v;
  },
};

/** The library's byte sink, writing each finished row group to the file and reusing its buffer. */
class FileSink extends ByteWriter {
  private readonly handle: Promise<FileHandle>;

  constructor(path: string) {
    super(1 << 20);
    this.handle = open(path, 'w');
    this.handle.catch(() => {}); // reported by the first flush
  }

  async flush(): Promise<void> {
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    const handle = await this.handle;
    for (let at = 0; at < bytes.length;) at += (await handle.write(bytes, at)).bytesWritten;
    this.index = 0;
  }

  override async finish(): Promise<void> {
    await this.flush();
    await (await this.handle).close();
  }

  async discard(): Promise<void> {
    await (await this.handle.catch(() => null))?.close().catch(() => {});
  }
}

/**
 * Opens `path` for writing (truncating it) and returns a writer of rows with these columns. Each
 * row is checked before it is buffered: a value that does not fit its column (a string in an int32
 * column, null in a non-nullable one, a key that is not a column) throws ParquetValueError and
 * leaves the row out, so the file stays consistent. At most `rowGroupSize` rows (default 50,000)
 * are held; a missing key counts as null. `close()` reports the rows and the file's bytes.
 */
export function createParquetWriter(
  path: string,
  columns: readonly ParquetColumn[],
  options: { rowGroupSize?: number } = {},
): ParquetRowWriter {
  const rowGroupSize = options.rowGroupSize ?? 50_000;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1)
    throw new RangeError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  if (columns.length === 0) throw new Error('A Parquet file needs at least one column.');
  const names = new Set(columns.map((c) => c.name));
  if (names.size !== columns.length) throw new Error('Parquet column names must be unique.');
  const sink = new FileSink(path);
  const writer = new ParquetWriter({
    writer: sink,
    schema: [
      { name: 'root', num_children: columns.length },
      ...columns.map((c) => ({
        name: c.name,
        ...SCHEMA[c.type],
        repetition_type: c.nullable ? ('OPTIONAL' as const) : ('REQUIRED' as const),
      })),
    ],
    createdBy: 'arbiter (hyparquet-writer)',
  });
  const converters = columns.map((c) => CONVERT[c.type]);
  const scratch: unknown[] = new Array(columns.length);
  let buffers: unknown[][] = columns.map(() => []);
  let buffered = 0;
  let rows = 0;
  let state: 'open' | 'closed' | 'failed' = 'open';
  let writing: Promise<void> | null = null;

  const writeGroup = async () => {
    if (buffered === 0) return;
    const columnData = columns.map((c, i) => ({ name: c.name, data: buffers[i]! }));
    const size = buffered;
    buffers = columns.map(() => []);
    buffered = 0;
    try {
      await writer.write({ columnData, rowGroupSize: size });
    } catch (error) {
      state = 'failed';
      await sink.discard();
      throw error;
    }
  };
  const ensureOpen = () => {
    if (state !== 'open') throw new Error(`This Parquet writer is ${state}.`);
  };

  return {
    async append(row) {
      ensureOpen();
      while (writing) await writing; // the caller did not wait for the previous append
      ensureOpen();
      for (const key in row)
        if (!names.has(key)) throw new ParquetValueError(key, rows, 'is not one of the file’s columns');
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        const value = row[column.name];
        if (value === null || value === undefined) {
          if (!column.nullable) throw new ParquetValueError(column.name, rows, 'is not nullable, got null');
          scratch[i] = null;
          continue;
        }
        try {
          scratch[i] = converters[i]!(value);
        } catch (error) {
          if (error instanceof Misfit) throw new ParquetValueError(column.name, rows, error.detail);
          throw error;
        }
      }
      // only a row that fits every column is buffered
      for (let i = 0; i < columns.length; i++) buffers[i]!.push(scratch[i]);
      buffered++;
      rows++;
      if (buffered >= rowGroupSize) {
        writing = writeGroup();
        try {
          await writing;
        } finally {
          writing = null;
        }
      }
    },
    async close() {
      ensureOpen();
      while (writing) await writing;
      await writeGroup();
      state = 'closed';
      try {
        await writer.finish();
      } catch (error) {
        state = 'failed';
        await sink.discard();
        throw error;
      }
      return { rows, bytes: sink.offset };
    },
    async abort() {
      if (state === 'closed') return;
      state = 'failed';
      while (writing) await writing.catch(() => {});
      await sink.discard();
      await rm(path, { force: true });
    },
  };
}

/**
 * Reads every row of a Parquet file through hyparquet, as objects keyed by column name: strings
 * and numbers as they are, int64 as bigint, timestamps as Date, json columns parsed, nulls as null.
 * Holds the whole file in memory: for tests and round-trip checks, not for large files.
 */
export async function readParquetRows(path: string): Promise<Record<string, unknown>[]> {
  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path), rowFormat: 'object' });
  for (const row of rows) for (const key of Object.keys(row)) row[key] ??= null;
  return rows;
}
