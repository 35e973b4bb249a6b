/**
 * Labelled safety data in the BeaverTails layout: one response per row with its prompt, a dict of
 * source harm categories (name → bool) and an overall is_safe. Reads CSV (the category column a
 * Python dict literal as BeaverTails ships it, or a JSON object) and JSON Lines, plain or gzip (told
 * apart by the magic bytes, not the name). Every row is checked before anything is used; the first
 * bad one stops the read with a UserInputError naming the file, line and field.
 *
 * The API is synchronous over a whole buffer (uploads arrive as bytes), so the streaming readers in
 * tasks/import/ do not fit; the row and size limits below keep a whole-buffer read bounded instead.
 */
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CsvError, parse } from 'csv-parse/sync';
import { UserInputError } from '../errors';
import { findUnstorableText } from '../storable-text';

export interface SafetyRow {
  /** 1-based line in the file (the CSV header is line 1); a multi-line CSV record's first line */
  line: number;
  prompt: string;
  response: string;
  isSafe: boolean;
  /** source category name → whether the row is labelled with it */
  categories: Record<string, boolean>;
}

export type SafetyFormat = 'csv' | 'jsonl';

export interface SafetyData {
  rows: SafetyRow[];
  format: SafetyFormat;
  /** every category name seen in any row (true or false), sorted */
  sourceCategories: string[];
}

export interface SafetyLimits {
  maxRows: number;
  /** decompressed size; a gzip bomb stops here instead of exhausting memory */
  maxBytes: number;
}

export const DEFAULT_SAFETY_LIMITS: SafetyLimits = { maxRows: 2_000_000, maxBytes: 2 * 1024 ** 3 };

export const SAFETY_COLUMNS = ['prompt', 'response', 'category', 'is_safe'] as const;
const EXPECTED_COLUMNS = SAFETY_COLUMNS.join(', ');

/** A failure inside one row, before the file and line are known to the code that found it. */
class RowError extends Error {}

/** The format a file name declares: .csv, .csv.gz, .jsonl, .jsonl.gz, .json (JSON Lines), .json.gz. */
export function safetyFormatOf(name: string): SafetyFormat | null {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv')) return 'csv';
  if (base.endsWith('.jsonl') || base.endsWith('.json')) return 'jsonl';
  return null;
}

/**
 * `text` as a dict of booleans: a JSON object, or a Python dict literal as pandas/`str(dict)` writes
 * it (`{'animal_abuse': False, "it's": True}`). null when it is neither, or a value is not a boolean.
 */
export function parseCategoryDict(text: string): Record<string, boolean> | null {
  const s = text.trim();
  if (!s.startsWith('{')) return null;
  try {
    return booleanRecord(JSON.parse(s));
  } catch {
    return parsePythonDict(s);
  }
}

function booleanRecord(value: unknown): Record<string, boolean> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  // fromEntries keeps a "__proto__" key as an ordinary one
  return entries.every(([, v]) => typeof v === 'boolean')
    ? (Object.fromEntries(entries) as Record<string, boolean>)
    : null;
}

const PY_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** A Python dict of str → bool, as repr() writes one; only the syntax repr() can produce. */
function parsePythonDict(s: string): Record<string, boolean> | null {
  let i = 0;
  const space = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const string = (): string | null => {
    const quote = s[i];
    if (quote !== "'" && quote !== '"') return null;
    let out = '';
    for (i++; i < s.length; i++) {
      const c = s[i]!;
      if (c === quote) {
        i++;
        return out;
      }
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = s[++i];
      if (e === undefined) return null;
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hex) {
        const digits = s.slice(i + 1, i + 1 + hex);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return null;
        const code = parseInt(digits, 16);
        if (code > 0x10ffff) return null;
        out += String.fromCodePoint(code);
        i += hex;
      } else out += PY_ESCAPES[e] ?? `\\${e}`; // Python keeps unknown escapes as written
    }
    return null;
  };
  const boolean = (): boolean | null => {
    for (const [word, value] of [
      ['True', true],
      ['False', false],
      ['true', true],
      ['false', false],
    ] as const) {
      if (s.startsWith(word, i) && !/\w/.test(s[i + word.length] ?? '')) {
        i += word.length;
        return value;
      }
    }
    return null;
  };

  const entries: [string, boolean][] = [];
  if (s[i] !== '{') return null;
  i++;
  space();
  if (s[i] === '}') i++;
  else
    for (;;) {
      const key = string();
      if (key === null) return null;
      space();
      if (s[i] !== ':') return null;
      i++;
      space();
      const value = boolean();
      if (value === null) return null;
      entries.push([key, value]);
      space();
      if (s[i] === ',') {
        i++;
        space();
        if (s[i] !== '}') continue;
      }
      if (s[i] !== '}') return null;
      i++;
      break;
    }
  space();
  return i === s.length ? Object.fromEntries(entries) : null;
}

const shown = (value: unknown): string =>
  value === undefined ? 'missing' : JSON.stringify(value).slice(0, 80);

function parseIsSafe(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : null;
}

/** The prompt or response: NULs removed (PostgreSQL text cannot hold them, and the classifier uses
 * NUL as its prompt/response separator), and not blank. */
function text(field: 'prompt' | 'response', value: unknown): string {
  if (value === undefined || value === null) throw new RowError(`${field} is missing`);
  if (typeof value !== 'string') throw new RowError(`${field} is ${shown(value)}, not a string`);
  const cleaned = value.replaceAll('\u0000', '');
  if (cleaned.trim() === '') throw new RowError(`${field} is empty`);
  return cleaned;
}

/** One row from its four raw fields (strings from CSV, any JSON value from JSONL). */
function toRow(line: number, fields: Record<string, unknown>, format: SafetyFormat): SafetyRow {
  const prompt = text('prompt', fields.prompt);
  const response = text('response', fields.response);
  const rawCategory = fields.category;
  const categories =
    typeof rawCategory === 'string'
      ? parseCategoryDict(rawCategory)
      : format === 'jsonl'
        ? booleanRecord(rawCategory)
        : null;
  if (!categories)
    throw new RowError(
      format === 'csv'
        ? "category is not a dict of booleans ({'name': True, …})"
        : 'category is not an object of booleans ({"name": true, …})',
    );
  const isSafe = parseIsSafe(fields.is_safe);
  if (isSafe === null) {
    const hint = format === 'csv' ? 'use True or False' : 'use true or false';
    const raw = fields.is_safe;
    throw new RowError(
      typeof raw === 'string' && raw.trim() === ''
        ? `is_safe is empty; ${hint}`
        : `is_safe is ${shown(raw)}; ${hint}`,
    );
  }
  // NULs are gone from the texts, but a lone surrogate (from a JSON \u escape) or a category name
  // with a NUL would fail the insert with a driver error, not a message naming the line
  const unstorable = findUnstorableText({ prompt, response, category: categories });
  if (unstorable) throw new RowError(unstorable);
  return { line, prompt, response, isSafe, categories };
}

const tooMany = (name: string, limits: SafetyLimits) =>
  new UserInputError(
    `${name} has more than ${limits.maxRows.toLocaleString('en-US')} rows; split it into smaller files`,
  );

/**
 * Line numbers of record starts from csv-parse's byte offsets. Its own line count is unusable here:
 * it counts a CRLF inside a quoted field as two lines, so every later record would be off.
 */
function lineCounter(buf: Buffer): (offset: number) => number {
  let cursor = 0;
  let line = 1;
  return (offset) => {
    // blank lines between records are skipped by the parser; the record starts after them
    while (offset < buf.length && (buf[offset] === 0x0a || buf[offset] === 0x0d)) offset++;
    for (; cursor < offset; cursor++) if (buf[cursor] === 0x0a) line++;
    return line;
  };
}

function csvRows(buf: Buffer, name: string, limits: SafetyLimits): SafetyRow[] {
  const lineAt = lineCounter(buf);
  // byte offset where each record ends (its delimiter included), so where the next one starts
  const ends: number[] = [];
  let records: string[][];
  try {
    records = parse(buf, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      // the header, the allowed rows, and one more to tell that there are too many
      to: limits.maxRows + 2,
      on_record: (record, context) => {
        ends.push(context.bytes);
        return record;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const where = `${name} line ${lineAt(ends.at(-1) ?? 0)}`;
    if (error.code === 'CSV_QUOTE_NOT_CLOSED')
      throw new UserInputError(`${where}: a quoted field is never closed (a " without its closing ")`);
    // csv-parse's own "at line N" may be off (see lineCounter); the record's first line is ours
    throw new UserInputError(`${where}: not valid CSV (${error.message.replace(/\s*at line \d+/, '')})`);
  }
  if (records.length === 0)
    throw new UserInputError(`${name} is empty; expected a header line ${SAFETY_COLUMNS.join(',')} and rows`);
  if (records.length - 1 > limits.maxRows) throw tooMany(name, limits);

  const header = records[0]!.map((c) => c.trim());
  const seen = new Set<string>();
  for (const column of header) {
    if (seen.has(column)) throw new UserInputError(`${name}: the header names "${column}" twice`);
    seen.add(column);
  }
  for (const column of SAFETY_COLUMNS)
    if (!seen.has(column))
      throw new UserInputError(`${name}: the header has no "${column}" column; expected ${EXPECTED_COLUMNS}`);
  if (records.length === 1) throw new UserInputError(`${name} has a header but no rows`);

  const index = Object.fromEntries(SAFETY_COLUMNS.map((c) => [c, header.indexOf(c)]));
  const rows: SafetyRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const line = lineAt(ends[r - 1]!);
    const record = records[r]!;
    if (record.length !== header.length)
      throw new UserInputError(
        `${name} line ${line}: has ${record.length} field(s) but the header has ${header.length} (${header.join(', ')})`,
      );
    const fields = Object.fromEntries(SAFETY_COLUMNS.map((c) => [c, record[index[c]!]]));
    rows.push(withLine(name, line, () => toRow(line, fields, 'csv')));
  }
  return rows;
}

function jsonlRows(buf: Buffer, name: string, limits: SafetyLimits): SafetyRow[] {
  const rows: SafetyRow[] = [];
  let line = 0;
  for (let start = 0; start < buf.length;) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    line++;
    let raw = buf.toString('utf8', start, end).replace(/\r$/, '');
    if (line === 1) raw = raw.replace(/^\uFEFF/, '');
    start = end + 1;
    if (raw.trim() === '') continue;
    if (rows.length === limits.maxRows) throw tooMany(name, limits);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new UserInputError(`${name} line ${line}: not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new UserInputError(
        `${name} line ${line}: expected one JSON object per line with ${EXPECTED_COLUMNS}${Array.isArray(value) ? ', not an array' : ''}`,
      );
    const row = line;
    rows.push(withLine(name, row, () => toRow(row, value as Record<string, unknown>, 'jsonl')));
  }
  if (rows.length === 0)
    throw new UserInputError(`${name} is empty; expected one JSON object per line with ${EXPECTED_COLUMNS}`);
  return rows;
}

function withLine(name: string, line: number, build: () => SafetyRow): SafetyRow {
  try {
    return build();
  } catch (error) {
    if (error instanceof RowError) throw new UserInputError(`${name} line ${line}: ${error.message}`);
    throw error;
  }
}

function decompress(bytes: Uint8Array, name: string, limits: SafetyLimits): Buffer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxBytes)
    throw new UserInputError(`${name} is larger than ${limits.maxBytes} bytes; split it into smaller files`);
  if (buf[0] !== 0x1f || buf[1] !== 0x8b) return buf;
  try {
    return gunzipSync(buf, { maxOutputLength: limits.maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new UserInputError(
        `${name} is larger than ${limits.maxBytes} bytes uncompressed; split it into smaller files`,
      );
    throw new UserInputError(
      `${name} looks gzip-compressed but cannot be decompressed (${(error as Error).message})`,
    );
  }
}

/**
 * Rows of a safety data file given as bytes; `name` (a file name or path) tells the format by its
 * extension and prefixes every error. Extra CSV columns and JSONL fields are ignored.
 */
export function parseSafetyData(
  bytes: Uint8Array,
  name: string,
  limits: Partial<SafetyLimits> = {},
): SafetyData {
  const format = safetyFormatOf(name);
  if (!format)
    throw new UserInputError(
      `${name}: cannot tell the format from the name; use .csv, .csv.gz, .jsonl, .jsonl.gz or .json`,
    );
  const all = { ...DEFAULT_SAFETY_LIMITS, ...limits };
  const buf = decompress(bytes, name, all);
  const rows = format === 'csv' ? csvRows(buf, name, all) : jsonlRows(buf, name, all);
  const names = new Set<string>();
  for (const row of rows) for (const category of Object.keys(row.categories)) names.add(category);
  return { rows, format, sourceCategories: [...names].sort() };
}

/** Reads and parses one safety data file (see parseSafetyData). */
export function readSafetyFile(path: string, limits: Partial<SafetyLimits> = {}): SafetyData {
  if (!fs.existsSync(path) || !fs.statSync(path).isFile()) throw new UserInputError(`no such file: ${path}`);
  return parseSafetyData(fs.readFileSync(path), path, limits);
}
