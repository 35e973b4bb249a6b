/**
 * Reads rows of named fields from CSV, TSV or JSON Lines, plain or gzip-compressed, as a stream:
 * the format is told by content (a first line that opens a JSON object is JSONL; otherwise a header
 * with tabs is TSV, else CSV), never by the file name. CSV follows RFC 4180 quoting (csv-parse);
 * TSV is read as GLUE and most tools write it, without quoting, so a sentence may contain `"`.
 * Every row carries its line number; a bad row is reported and reading goes on, except for an
 * unclosed CSV quote, which swallows the rest of the file and so ends the input with an error.
 */
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import {
  decompressed,
  DEFAULT_JSONL_LIMITS,
  InputTooLargeError,
  MalformedInputError,
  readJsonLines,
  type JsonlLimits,
} from './jsonl';

export const TABULAR_FORMATS = ['csv', 'tsv', 'jsonl'] as const;
export type TabularFormat = (typeof TABULAR_FORMATS)[number];

export interface TabularRow {
  line: number;
  /** field name → value (strings for CSV/TSV, any JSON value for JSONL) */
  fields?: Record<string, unknown>;
  error?: string;
}

/** The first line of the (decompressed) input, at most 64 KiB of it. */
async function firstLine(open: () => Readable): Promise<string> {
  let text = '';
  for await (const chunk of decompressed(open())) {
    text += chunk.toString('utf8');
    const nl = text.search(/\r?\n/);
    if (nl >= 0) return text.slice(0, nl);
    if (text.length > 65_536) break;
  }
  return text.slice(0, 65_536);
}

/** Guesses the format from the first line: `{…` is JSONL, a tab makes TSV, anything else CSV. */
export async function sniffFormat(open: () => Readable): Promise<TabularFormat> {
  const head = (await firstLine(open)).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{')) return 'jsonl';
  return head.includes('\t') ? 'tsv' : 'csv';
}

/** Counts decompressed bytes and stops past the limit (zip bombs included). */
async function* limited(input: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of decompressed(input)) {
    total += chunk.length;
    if (total > maxBytes)
      throw new InputTooLargeError(
        `The input is larger than ${maxBytes} bytes (uncompressed); split it or raise the limit.`,
      );
    yield chunk;
  }
}

async function* delimitedRows(
  input: Readable,
  format: 'csv' | 'tsv',
  limits: JsonlLimits,
): AsyncGenerator<TabularRow> {
  const source = Readable.from(limited(input, limits.maxBytes));
  const parser = parse({
    delimiter: format === 'tsv' ? '\t' : ',',
    quote: format === 'tsv' ? null : '"',
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: limits.maxLineBytes,
  });
  // pipe() does not pass errors on: without this, a broken gzip stream or an input past the size
  // limit left the parser waiting forever and the error uncaught (found by fuzzing)
  source.once('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let header: string[] | null = null;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      // info.lines is where the record ends; a quoted field may have spanned several lines
      const newlines = record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
      const line = info.lines - newlines;
      if (!header) {
        header = record.map((name) => name.trim());
        const seen = new Set<string>();
        for (const name of header) {
          if (!name) throw new HeaderError(line, 'the header has an empty column name');
          if (seen.has(name)) throw new HeaderError(line, `the header names column "${name}" twice`);
          seen.add(name);
        }
        continue;
      }
      if (record.length !== header.length) {
        yield {
          line,
          error: `has ${record.length} field(s) but the header has ${header.length} (${header.join(', ')})`,
        };
        continue;
      }
      yield { line, fields: Object.fromEntries(header.map((name, i) => [name, record[i]!])) };
    }
  } catch (error) {
    if (error instanceof InputTooLargeError || error instanceof HeaderError) throw error;
    if (error instanceof CsvError) {
      const at = (error as CsvError & { lines?: number }).lines;
      throw new MalformedInputError(
        `${format.toUpperCase()} cannot be read${at ? ` at line ${at}` : ''}: ${error.message.replace(/^[^:]*:\s*/, '')}`,
      );
    }
    throw error;
  }
  if (!header) throw new MalformedInputError('The file is empty: expected a header line naming the columns.');
}

/** A header a file cannot be read with (empty or duplicate column names). */
export class HeaderError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'HeaderError';
  }
}

export { MalformedInputError };

/**
 * Rows of `format` from `input`. JSONL rows must be objects; CSV/TSV rows are keyed by the header.
 * Throws InputTooLargeError past `limits.maxBytes`, HeaderError for an unusable header and
 * MalformedInputError when the rest of the input cannot be read.
 */
export async function* readTabular(
  input: Readable,
  format: TabularFormat,
  limits: JsonlLimits = DEFAULT_JSONL_LIMITS,
): AsyncGenerator<TabularRow> {
  if (format !== 'jsonl') {
    yield* delimitedRows(input, format, limits);
    return;
  }
  for await (const item of readJsonLines(input, limits)) {
    if (item.error) yield { line: item.line, error: item.error };
    else if (!item.value || typeof item.value !== 'object' || Array.isArray(item.value))
      yield { line: item.line, error: 'expected a JSON object like {"text": "…", "label": "…"}' };
    else yield { line: item.line, fields: item.value as Record<string, unknown> };
  }
}
