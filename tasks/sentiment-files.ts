/**
 * Labelled text files for the sentiment CLI: CSV, TSV (the GLUE layout works as it is) or JSONL,
 * plain or gzip, with the text and label columns found by name or given. Every line is checked
 * before anything is trained; the first bad line stops the read with its file and line number.
 */
import fs from 'node:fs';
import type { TextExample } from '../reward/classifier/train';
import { UserInputError } from './errors';
import {
  labelResolver,
  resolveColumns,
  toSentimentRecord,
  type SentimentColumns,
} from './import/sentiment-records';
import { InputTooLargeError } from './import/jsonl';
import {
  HeaderError,
  MalformedInputError,
  readTabular,
  sniffFormat,
  type TabularFormat,
} from './import/tabular';

export interface SentimentFileOptions {
  textColumn?: string | null;
  labelColumn?: string | null;
  labelMap?: Record<string, string>;
  /** map labels onto these (e.g. a model's); without it the file's own label values are the classes */
  labels?: readonly string[];
  /** every row must carry a label (training and evaluation) */
  requireLabels: boolean;
}

export interface SentimentFile {
  file: string;
  format: TabularFormat;
  columns: SentimentColumns;
  rows: { line: number; text: string; label: string | null }[];
}

/** Reads one file, or throws a UserInputError naming the file and line of the first problem. */
export async function readSentimentFile(file: string, options: SentimentFileOptions): Promise<SentimentFile> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new UserInputError(`no such file: ${file}`, '--data');
  try {
    return await readRows(file, options);
  } catch (error) {
    // the reader's whole-file errors (a bad header, an unclosed quote, broken gzip, past the size
    // limit) are the user's to fix too, and the CLI prints only UserInputErrors as one line
    if (
      error instanceof HeaderError ||
      error instanceof MalformedInputError ||
      error instanceof InputTooLargeError
    )
      throw new UserInputError(`${file}: ${error.message}`);
    throw error;
  }
}

async function readRows(file: string, options: SentimentFileOptions): Promise<SentimentFile> {
  const open = () => fs.createReadStream(file);
  const format = await sniffFormat(open);
  const map = options.labelMap ?? {};
  const resolve = options.labels
    ? labelResolver(options.labels, map)
    : (raw: unknown) => {
        const value = raw === null || raw === undefined ? '' : String(raw).trim();
        return { label: value ? (map[value] ?? value) : null };
      };
  let columns: SentimentColumns | null = null;
  const rows: SentimentFile['rows'] = [];
  for await (const row of readTabular(open(), format)) {
    const where = `${file} line ${row.line}`;
    if (row.error) throw new UserInputError(`${where}: ${row.error}`);
    if (!columns) {
      try {
        columns = resolveColumns(Object.keys(row.fields!), {
          text: options.textColumn,
          label: options.labelColumn,
        });
      } catch (error) {
        if (error instanceof UserInputError) throw new UserInputError(`${file}: ${error.message}`);
        throw error;
      }
      if (options.requireLabels && !columns.label)
        throw new UserInputError(
          `${file}: no label column (looked for label, sentiment, emotion, …); name it with --label-col.`,
        );
    }
    const record = toSentimentRecord(row.fields!, columns, resolve);
    if ('error' in record) throw new UserInputError(`${where}: ${record.error}`);
    if (options.requireLabels && record.label === null)
      throw new UserInputError(`${where}: the label is empty`);
    rows.push({ line: row.line, text: record.text, label: record.label });
  }
  if (!columns) throw new UserInputError(`${file} holds no records.`);
  return { file, format, columns, rows };
}

/** The classes of labelled rows, sorted, so the same files always give the same label order. */
export function labelsOf(rows: readonly { label: string | null }[]): string[] {
  return [...new Set(rows.map((r) => r.label).filter((l): l is string => l !== null))].sort();
}

/** Labelled rows as one-hot training examples over `labels`. */
export function toExamples(
  rows: readonly { text: string; label: string | null }[],
  labels: readonly string[],
): TextExample[] {
  return rows.map((r) => ({ text: r.text, target: labels.map((l) => (l === r.label ? 1 : 0)), weight: 1 }));
}
