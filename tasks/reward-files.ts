/**
 * Preference files for the reward CLI: Arbiter records (with "preferred"), HH-RLHF transcripts,
 * TRL prompt/chosen/rejected (strings or message lists, "margin" ignored) or OpenAI preference
 * fine-tuning records, JSONL or JSONL.gz, the format detected from the first record. Every paired
 * format Arbiter exports (tasks/export/formats.ts) reads here as is.
 * Every line is checked before anything is trained; a bad line is reported with its number.
 */
import fs from 'node:fs';
import type { TrainingPair } from '../reward/dataset';
import type { ChatMessage } from '../db/schema';
import { detectFormat, parseRecord, RecordError, type ImportFormat } from './import/formats';
import { InputTooLargeError, MalformedInputError, readJsonLines, type JsonLine } from './import/jsonl';
import { UserInputError } from './errors';

export interface PreferenceFile {
  file: string;
  format: ImportFormat;
  pairs: TrainingPair[];
  /** records without a preferred response (nothing to learn from) */
  unlabelled: number;
}

/**
 * The text the featurizer sees as "the prompt": the conversation's user turns, newest last.
 * The app's training from judgments uses the same function, so CLI and app models agree.
 */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n\n');
}

const EXPECTED =
  'expected Arbiter ("responses" + "preferred"), HH-RLHF ("chosen"/"rejected" transcripts), TRL ("prompt"/"chosen"/"rejected") or OpenAI ("input"/"preferred_output"/"non_preferred_output")';

const isKto = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && 'completion' in value && 'label' in value;

/** The reader's whole-file errors (broken gzip, past the size limit) as UserInputErrors naming the file. */
async function* namedReadErrors(file: string, lines: AsyncGenerator<JsonLine>): AsyncGenerator<JsonLine> {
  try {
    yield* lines;
  } catch (error) {
    if (error instanceof MalformedInputError || error instanceof InputTooLargeError)
      throw new UserInputError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Reads one preference file into training pairs (preferred response as A, target 1). */
export async function readPreferenceFile(file: string): Promise<PreferenceFile> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new UserInputError(`no such file: ${file}`, '--data');
  }
  let format: ImportFormat | null = null;
  const pairs: TrainingPair[] = [];
  let unlabelled = 0;
  for await (const { line, value, error } of namedReadErrors(
    file,
    readJsonLines(fs.createReadStream(file)),
  )) {
    const where = `${file} line ${line}`;
    if (error) throw new UserInputError(`${where}: ${error}`);
    format ??= detectFormat(value);
    if (!format) {
      const hint = isKto(value)
        ? '; KTO records ("completion" + "label") are unpaired and cannot train a pairwise reward model'
        : '';
      throw new UserInputError(`${where}: not a preference record; ${EXPECTED}${hint}`);
    }
    let record;
    try {
      record = parseRecord(format, value);
    } catch (e) {
      if (e instanceof RecordError) throw new UserInputError(`${where} (${format}): ${e.message}`);
      throw e;
    }
    if (record.preferredIndex === undefined) {
      unlabelled++;
      continue;
    }
    const prompt = promptText(record.messages);
    const chosen = record.responses[record.preferredIndex]!.text;
    record.responses.forEach((r, i) => {
      if (i !== record.preferredIndex && r.text !== chosen) {
        pairs.push({ prompt, a: chosen, b: r.text, target: 1, weight: 1 });
      }
    });
  }
  if (!format) throw new UserInputError(`${file} holds no records`);
  return { file, format, pairs, unlabelled };
}
