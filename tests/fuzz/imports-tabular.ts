/**
 * Tabular files (CSV, TSV, JSONL; plain or gzip): sentiment items into a project, labelled text
 * for the sentiment CLI, crowd labels and gold for `arbiter calibrate`. Properties: valid files
 * are read or imported whole; anything else is refused with the error the import job or the CLI
 * reports to the user, naming the file (CLI) or the lines, and an import that is refused leaves
 * every table as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { UserInputError } from '../../tasks/errors';
import { ImportError } from '../../tasks/import/preferences';
import { importSentiment } from '../../tasks/import/sentiment';
import { isImportInputError } from '../../tasks/import/job';
import { createProject } from '../../tasks/projects';
import { readCrowdFile, readGoldFile } from '../../tasks/quality/crowd-files';
import { readSentimentFile } from '../../tasks/sentiment-files';
import { hostileString } from './arbitraries';
import { changedCounts, FuzzViolation, refusal, rowCounts, shown, type FamilySpec } from './runner';
import { IMPORT_TABLES } from './tables';
import { hostileTabularFile, validTabularFile, type Cells } from './tabular-files';

const sentence = fc.stringMatching(/^[A-Z][a-z]{1,8}( [a-z]{1,8}){0,6}[.!?]?$/);
const LABELS = ['negative', 'positive'];
const SENTIMENT_CELLS: Cells = {
  text: sentence,
  sentence,
  label: fc.constantFrom('negative', 'positive', 'Positive', '0', '1', ''),
  language: fc.constantFrom('en', 'de', 'pt-BR', ''),
  id: fc.nat().map(String),
};
const SENTIMENT_COLUMNS = Object.keys(SENTIMENT_CELLS);

const sentimentFile = fc.oneof(
  fc.record({ bytes: validTabularFile(['text', 'label'], SENTIMENT_CELLS), valid: fc.constant(true) }),
  fc.record({
    bytes: validTabularFile(['sentence', 'label', 'language'], SENTIMENT_CELLS),
    valid: fc.constant(true),
  }),
  fc.record({ bytes: hostileTabularFile(SENTIMENT_COLUMNS, SENTIMENT_CELLS), valid: fc.constant(false) }),
  // otherwise valid, but one column's cells are now and then hostile
  fc.record({
    bytes: validTabularFile(['text', 'label', 'note'], {
      ...SENTIMENT_CELLS,
      text: fc.oneof({ weight: 4, arbitrary: sentence }, { weight: 1, arbitrary: hostileString() }),
      note: hostileString(),
    }),
    valid: fc.constant(false),
  }),
);

interface SentimentImportInput {
  bytes: Uint8Array;
  valid: boolean;
  format: string;
  textColumn: string | null;
  labelColumn: string | null;
  labelMap: Record<string, string>;
  skipInvalid: boolean;
  /** small size limits, so the limit errors are reached */
  small: boolean;
}

const SMALL_LIMITS = { maxBytes: 2048, maxLineBytes: 256 };

const EXAMPLE: SentimentImportInput = {
  bytes: new Uint8Array(),
  valid: false,
  format: 'auto',
  textColumn: null,
  labelColumn: null,
  labelMap: {},
  skipInvalid: false,
  small: false,
};

const column = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(...SENTIMENT_COLUMNS) },
  { weight: 1, arbitrary: hostileString({ maxLength: 12 }) },
);
const labelMap = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constant({ '0': 'negative', '1': 'positive' }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      hostileString({ maxLength: 8 }),
      fc.oneof(fc.constantFrom(...LABELS), hostileString()),
    ),
  },
);

/** importSentiment on hostile files and options: a whole import or a user-facing error, no rows changed. */
export async function sentimentImportFamily(db: Kysely<Database>): Promise<FamilySpec<SentimentImportInput>> {
  const project = await createProject(
    db,
    { slug: 'fuzz-sentiment-import', name: 'Fuzz', type: 'sentiment', labelSet: LABELS },
    {},
  );
  return {
    family: 'import: sentiment items (project import)',
    arbitrary: sentimentFile.chain(({ bytes, valid }): fc.Arbitrary<SentimentImportInput> =>
      valid
        ? fc.record({
            bytes: fc.constant(bytes),
            valid: fc.constant(true),
            format: fc.constant('auto'),
            textColumn: fc.constant(null),
            labelColumn: fc.constant(null),
            labelMap: fc.constant({}),
            skipInvalid: fc.constant(false),
            small: fc.constant(false),
          })
        : fc.record({
            bytes: fc.constant(bytes),
            valid: fc.constant(false),
            format: fc.constantFrom('auto', 'auto', 'csv', 'tsv', 'jsonl', 'xlsx'),
            textColumn: column,
            labelColumn: column,
            labelMap,
            skipInvalid: fc.boolean(),
            small: fc.oneof(
              { weight: 3, arbitrary: fc.constant(false) },
              { weight: 1, arbitrary: fc.constant(true) },
            ),
          }),
    ),
    examples: [
      // found by fuzzing: a CSV whose gzip stream breaks off (or that passes the size limit) left
      // the CSV parser waiting forever, the error uncaught
      { ...EXAMPLE, bytes: gzipSync('text,label\nGood,positive\nBad,negative\n').subarray(0, 20) },
      { ...EXAMPLE, small: true, bytes: Buffer.from(`text\n${'Fine words here.\n'.repeat(200)}`) },
      // found by fuzzing: a NUL in the text or another column, or a lone surrogate from a JSON
      // escape, failed the whole import with a driver error instead of naming the line
      { ...EXAMPLE, bytes: Buffer.from('text,label\nGood a\u0000b,positive\n') },
      { ...EXAMPLE, bytes: Buffer.from('{"text": "Fine \\ud83d", "label": "positive"}\n') },
      { ...EXAMPLE, bytes: Buffer.from('text,label,note\nFine,positive,x\u0000y\n') },
    ],
    async check(input) {
      const before = await rowCounts(db, IMPORT_TABLES);
      let report;
      try {
        report = await importSentiment(db, () => Readable.from([Buffer.from(input.bytes)]), {
          projectId: project.id,
          format: input.format as never,
          textColumn: input.textColumn,
          labelColumn: input.labelColumn,
          labelMap: input.labelMap,
          skipInvalid: input.skipInvalid,
          limits: input.small ? SMALL_LIMITS : undefined,
          fileName: 'fuzz.csv',
        });
      } catch (error) {
        if (input.valid)
          throw new FuzzViolation(
            'unexpected',
            `a valid file was refused: ${refusal(error)} for ${shown(input)}`,
          );
        if (!isImportInputError(error))
          throw new FuzzViolation(
            'unexpected',
            `${(error as Error).name}: ${(error as Error).message} for ${shown(input)}`,
          );
        const changed = changedCounts(before, await rowCounts(db, IMPORT_TABLES));
        if (changed) throw new FuzzViolation('partial-write', `a refused import changed ${changed}`);
        if (!error.message.trim()) throw new FuzzViolation('unexpected', 'an import error without a message');
        if (error instanceof ImportError && error.errors.some((e) => !(e.line >= 1) || !e.message.trim()))
          throw new FuzzViolation(
            'unexpected',
            `a line error without line or message: ${shown(error.errors)}`,
          );
        return error instanceof ImportError && error.errors.length
          ? 'refused: lines listed'
          : 'refused: whole file';
      }
      const after = await rowCounts(db, IMPORT_TABLES);
      if (
        after.sentiment_items! - before.sentiment_items! !== report.items.created ||
        after.audit_log! - before.audit_log! !== 1
      )
        throw new FuzzViolation('partial-write', `the report ${shown(report)} does not match the rows added`);
      return report.skipped.length ? 'imported, lines skipped' : 'imported';
    },
  };
}

/** A CLI reader over a scratch file: its result, or a UserInputError that names the file. */
function cliFamily<T extends { bytes: Uint8Array; valid: boolean }>(
  family: string,
  file: string,
  arbitrary: fc.Arbitrary<T>,
  read: (file: string, input: T) => Promise<unknown>,
): FamilySpec<T> {
  return {
    family,
    arbitrary,
    async check(input) {
      fs.writeFileSync(file, input.bytes);
      try {
        await read(file, input);
        return 'read';
      } catch (error) {
        if (input.valid)
          throw new FuzzViolation(
            'unexpected',
            `a valid file was refused: ${refusal(error)} for ${shown(input)}`,
          );
        if (!(error instanceof UserInputError))
          throw new FuzzViolation(
            'unexpected',
            `${(error as Error).name}: ${(error as Error).message} for ${shown(input)}`,
          );
        if (!error.message.includes(file))
          throw new FuzzViolation('unexpected', `the message does not name the file: ${error.message}`);
        return 'refused';
      }
    },
  };
}

/** readSentimentFile (`arbiter sentiment train|eval|prelabel`). */
export function sentimentFileFamily(dir: string) {
  return cliFamily(
    'import: labelled text files (sentiment CLI)',
    path.join(dir, 'sentiment-fuzz.csv'),
    // a valid file may leave labels empty, so only hostile ones are read with labels required
    fc
      .tuple(sentimentFile, fc.boolean(), fc.boolean())
      .map(([f, mapped, required]) => ({ ...f, mapped, required: required && !f.valid })),
    (file, { mapped, required }) =>
      readSentimentFile(file, { requireLabels: required, labels: mapped ? LABELS : undefined }),
  );
}

const CROWD_CELLS: Cells = {
  item: fc.constantFrom('q1', 'q2', 'q3', 'q4'),
  annotator: fc.constantFrom('ann-a', 'ann-b', 'ann-c'),
  label: fc.constantFrom('yes', 'no', ''),
  gold: fc.constantFrom('yes', ''),
};

/** readCrowdFile and readGoldFile (`arbiter calibrate`), long and gold layouts. */
export function crowdFileFamily(dir: string) {
  return cliFamily(
    'import: crowd-label and gold files (calibrate CLI)',
    path.join(dir, 'crowd-fuzz.csv'),
    fc.oneof(
      fc.record({
        bytes: validTabularFile(['item', 'annotator', 'label'], CROWD_CELLS),
        valid: fc.constant(true),
        gold: fc.constant(false),
      }),
      fc.record({
        bytes: validTabularFile(['item', 'gold'], CROWD_CELLS),
        valid: fc.constant(true),
        gold: fc.constant(true),
      }),
      fc.record({
        bytes: hostileTabularFile(Object.keys(CROWD_CELLS), CROWD_CELLS),
        valid: fc.constant(false),
        gold: fc.boolean(),
      }),
    ),
    (file, { gold }) =>
      gold
        ? readGoldFile(file, { item: ['item'], label: 'gold' })
        : readCrowdFile(file, { kind: 'long', item: ['item'], annotator: 'annotator', label: 'label' }),
  );
}
