/**
 * Crowd-label files for `arbiter calibrate`: CSV, TSV or JSONL, plain or gzip (told by content, not
 * by name), read as a stream. Two layouts: long (one row per label, with item, annotator and label
 * columns) and wide (one row per item, one column per annotator holding that annotator's label).
 * An item key may span several columns (a composite key such as question_id + model_a + model_b +
 * turn). Gold files map an item key to its known label. Every error names the file, and the line
 * and column where there is one; a missing column is reported with the columns the file has.
 */
import fs from 'node:fs';
import { UserInputError } from '../errors';
import { readTabular, sniffFormat, type TabularFormat } from '../import/tabular';

/** Joins the parts of a composite item key; a control character no label file uses in a value. */
export const KEY_SEPARATOR = '\u001f';

/** A composite key as people write it: its parts joined with " | ". */
export const displayKey = (key: string) => key.split(KEY_SEPARATOR).join(' | ');

export type CrowdLayout =
  | { kind: 'long'; item: readonly string[]; annotator: string; label: string }
  | { kind: 'wide'; item: readonly string[]; annotators: readonly string[] };

/** One label as read: the label is the file's raw value ('' when the cell is empty). */
export interface CrowdLabel {
  item: string;
  annotator: string;
  label: string;
  line: number;
}

export interface CrowdFile {
  file: string;
  format: TabularFormat;
  /** the columns (CSV/TSV header, or the first JSONL record's fields) */
  columns: string[];
  /** records (lines with data) read */
  records: number;
  rows: CrowdLabel[];
}

export interface GoldFile {
  file: string;
  format: TabularFormat;
  records: number;
  /** item key → gold label (raw value) */
  gold: Map<string, string>;
  /** records whose gold label is empty (left out of `gold`) */
  empty: number;
}

interface ColumnRole {
  name: string;
  /** the flag that named it, for the message */
  flag: string;
}

/** A cell as text: strings trimmed, numbers and booleans as written, null/undefined as ''. */
function cellText(value: unknown, where: string, column: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UserInputError(
    `${where}, column "${column}": expected text or a number, got ${Array.isArray(value) ? 'a list' : 'an object'}`,
  );
}

function requireColumns(file: string, available: readonly string[], wanted: readonly ColumnRole[]): void {
  const have = new Set(available);
  const missing = wanted.filter((c) => !have.has(c.name));
  if (missing.length === 0) return;
  const names = missing.map((c) => `"${c.name}" (${c.flag})`).join(', ');
  throw new UserInputError(
    `${file}: no column ${names}; the file has columns: ${available.length ? available.join(', ') : 'none'}`,
  );
}

function openFile(file: string, flag: string) {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new UserInputError(`no such file: ${file}`, flag);
  return () => fs.createReadStream(file);
}

/**
 * Records of a tabular file with the required columns checked once on the first record (so the
 * message lists the file's columns) and every read error turned into a UserInputError naming the
 * file and line.
 */
async function* records(
  file: string,
  flag: string,
  wanted: readonly ColumnRole[],
  onStart: (format: TabularFormat, columns: string[]) => void,
): AsyncGenerator<{ line: number; fields: Record<string, unknown> }> {
  const open = openFile(file, flag);
  let started = false;
  try {
    const format = await sniffFormat(open);
    for await (const row of readTabular(open(), format)) {
      if (row.error) throw new UserInputError(`${file} line ${row.line}: ${row.error}`);
      if (!started) {
        const columns = Object.keys(row.fields!);
        requireColumns(file, columns, wanted);
        onStart(format, columns);
        started = true;
      }
      yield { line: row.line, fields: row.fields! };
    }
  } catch (error) {
    if (error instanceof UserInputError) throw error;
    // unreadable header, unclosed quote, a bad gzip stream, an input past the size limit
    throw new UserInputError(`${file}: ${(error as Error).message}`);
  }
  if (!started) throw new UserInputError(`${file} holds no records`);
}

function itemKey(fields: Record<string, unknown>, columns: readonly string[], where: string): string {
  return columns
    .map((column) => {
      const value = cellText(fields[column], where, column);
      if (!value) throw new UserInputError(`${where}: the item key column "${column}" is empty`);
      return value;
    })
    .join(KEY_SEPARATOR);
}

/**
 * Reads a crowd-label file in the given layout. Long: one CrowdLabel per record; an empty item or
 * annotator cell is an error, an empty label is kept as '' (the caller decides what it means).
 * Wide: one CrowdLabel per annotator column per record, the column name as the annotator. Throws a
 * UserInputError naming the file (and line and column) on the first problem.
 */
export async function readCrowdFile(
  file: string,
  layout: CrowdLayout,
  flag = '--labels',
): Promise<CrowdFile> {
  const wanted: ColumnRole[] = layout.item.map((name) => ({ name, flag: '--item-col' }));
  if (layout.kind === 'long')
    wanted.push(
      { name: layout.annotator, flag: '--annotator-col' },
      { name: layout.label, flag: '--label-col' },
    );
  else wanted.push(...layout.annotators.map((name) => ({ name, flag: '--annotator-cols' })));
  const out: CrowdFile = { file, format: 'csv', columns: [], records: 0, rows: [] };
  const start = (format: TabularFormat, columns: string[]) => Object.assign(out, { format, columns });
  for await (const { line, fields } of records(file, flag, wanted, start)) {
    const where = `${file} line ${line}`;
    out.records++;
    const item = itemKey(fields, layout.item, where);
    if (layout.kind === 'long') {
      const annotator = cellText(fields[layout.annotator], where, layout.annotator);
      if (!annotator)
        throw new UserInputError(`${where}: the annotator column "${layout.annotator}" is empty`);
      out.rows.push({ item, annotator, label: cellText(fields[layout.label], where, layout.label), line });
    } else {
      for (const annotator of layout.annotators)
        out.rows.push({ item, annotator, label: cellText(fields[annotator], where, annotator), line });
    }
  }
  return out;
}

/**
 * Reads a gold file: item key (one or more columns, joined as in readCrowdFile) → gold label.
 * Records with an empty gold label are counted in `empty` and left out; the same item twice with
 * the same label is fine, with different labels an error naming both lines.
 */
export async function readGoldFile(
  file: string,
  columns: { item: readonly string[]; label: string },
): Promise<GoldFile> {
  const wanted: ColumnRole[] = [
    ...columns.item.map((name) => ({ name, flag: '--gold-item-col' })),
    { name: columns.label, flag: '--gold-label-col' },
  ];
  const out: GoldFile = { file, format: 'csv', records: 0, gold: new Map(), empty: 0 };
  const lineOf = new Map<string, number>();
  for await (const { line, fields } of records(file, '--gold', wanted, (format) => (out.format = format))) {
    const where = `${file} line ${line}`;
    out.records++;
    const item = itemKey(fields, columns.item, where);
    const label = cellText(fields[columns.label], where, columns.label);
    if (!label) {
      out.empty++;
      continue;
    }
    const earlier = out.gold.get(item);
    if (earlier !== undefined && earlier !== label)
      throw new UserInputError(
        `${where}: item "${displayKey(item)}" has gold label "${label}" here but "${earlier}" on line ${lineOf.get(item)}`,
      );
    out.gold.set(item, label);
    lineOf.set(item, line);
  }
  return out;
}
