/**
 * Preference files, as the project import and the reward CLI read them: Arbiter records, HH-RLHF
 * transcripts, TRL (strings or message lists), OpenAI preference fine-tuning; JSONL, plain or gzip.
 * Properties: an import either lands whole (its report matches the rows it added) or throws an
 * error the import job reports to the user, with every listed line numbered, and leaves every
 * table as it was; the reward CLI's reader returns pairs or a UserInputError naming file and line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { UserInputError } from '../../tasks/errors';
import { ImportError, importPreferences } from '../../tasks/import/preferences';
import { isImportInputError } from '../../tasks/import/job';
import { readPreferenceFile } from '../../tasks/reward-files';
import { createProject } from '../../tasks/projects';
import { createRng } from '../../tasks/rng';
import { cleanFile, hostileString, jsonlFile } from './arbitraries';
import { changedCounts, FuzzViolation, refusal, rowCounts, shown, type FamilySpec } from './runner';
import { IMPORT_TABLES } from './tables';

const word = fc.stringMatching(/^[A-Za-z][a-z ]{0,14}[a-z?.]$/);
/** Text of a turn or response: usually ordinary, sometimes hostile. */
const anyText = fc.oneof({ weight: 12, arbitrary: word }, { weight: 1, arbitrary: hostileString() });

/**
 * Records of the four formats with texts from `text`; with `distinct`, the compared responses
 * always differ (so every record is valid when every text is).
 */
function records(text: fc.Arbitrary<string>, distinct: boolean) {
  const tag = (t: string, i: number) => (distinct ? `${t} (${i})` : t);
  const user = text.map((content) => ({ role: 'user', content }));
  const answer = (i: number) => text.map((content) => ({ role: 'assistant', content: tag(content, i) }));
  const arbiter = fc.record(
    {
      prompt: text,
      responses: fc
        .array(fc.record({ model: fc.constantFrom('m1', 'm2', ''), text }), { minLength: 2, maxLength: 4 })
        .map((rs) => rs.map((r, i) => ({ ...r, text: tag(r.text, i) }))),
      meta: fc.record(
        { language: fc.constantFrom('en', 'de', 'pt-BR'), domain: fc.constantFrom('code', 'x') },
        { requiredKeys: [] },
      ),
      preferred: fc.nat({ max: 1 }),
    },
    { requiredKeys: ['prompt', 'responses'] },
  );
  const hh = fc.tuple(text, text, text).map(([q, a, b]) => ({
    chosen: `\n\nHuman: ${q}\n\nAssistant: ${tag(a, 0)}`,
    rejected: `\n\nHuman: ${q}\n\nAssistant: ${tag(b, 1)}`,
  }));
  const trl = fc.oneof(
    fc.record({ prompt: text, chosen: text, rejected: text }).map((r) => ({
      ...r,
      chosen: tag(r.chosen, 0),
      rejected: tag(r.rejected, 1),
    })),
    fc
      .tuple(user, answer(0), answer(1))
      .map(([u, a, b]) => ({ chosen: [u, a], rejected: [u, b], margin: 0.5 })),
  );
  const openai = fc
    .tuple(fc.array(user, { minLength: 1, maxLength: 2 }), answer(0), answer(1))
    .map(([messages, a, b]) => ({ input: { messages }, preferred_output: [a], non_preferred_output: [b] }));
  return [arbiter, hh, trl, openai] as const;
}

const hostileRecords = records(anyText, false);

/** One record of any of the four formats, its texts sometimes hostile. */
export const preferenceRecord: fc.Arbitrary<unknown> = fc.oneof(...hostileRecords);

/** A preference file's bytes: lines of (mostly) one format, some broken, in a random envelope. */
export const preferenceFile = fc.oneof(
  ...hostileRecords.map((r) => jsonlFile(r)),
  jsonlFile(preferenceRecord),
);

/** A file every reader must accept: valid records of one format, in any clean envelope (BOM, CRLF, gzip). */
export const validPreferenceFile = fc.oneof(...records(word, true).map((r) => cleanFile(r)));

const SMALL_LIMITS = { maxBytes: 4096, maxLineBytes: 512 };

interface PreferenceImportInput {
  bytes: Uint8Array;
  /** a file of valid records only, which must import cleanly */
  valid: boolean;
  format: string;
  skipInvalid: boolean;
  small: boolean;
  /** the stream hands the file over in pieces of this size (0: in one piece) */
  chunk: number;
}

const EXAMPLE: PreferenceImportInput = {
  bytes: new Uint8Array(),
  valid: false,
  format: 'auto',
  skipInvalid: false,
  small: false,
  chunk: 0,
};

function stream(bytes: Uint8Array, chunk: number): Readable {
  const buf = Buffer.from(bytes);
  if (!chunk) return Readable.from([buf]);
  const pieces: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) pieces.push(buf.subarray(i, i + chunk));
  return Readable.from(pieces);
}

/** importPreferences on hostile files: a clean import or a user-facing error and no rows changed. */
export async function preferenceImportFamily(
  db: Kysely<Database>,
): Promise<FamilySpec<PreferenceImportInput>> {
  const project = await createProject(db, { slug: 'fuzz-pref-import', name: 'Fuzz', type: 'preference' }, {});
  return {
    family: 'import: preference files (project import)',
    arbitrary: fc.oneof(
      fc.record({
        bytes: preferenceFile,
        valid: fc.constant(false),
        format: fc.constantFrom('auto', 'auto', 'auto', 'arbiter', 'hh-rlhf', 'trl', 'openai', 'parquet'),
        skipInvalid: fc.boolean(),
        small: fc.oneof(
          { weight: 3, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
        chunk: fc.constantFrom(0, 0, 1, 7, 64),
      }),
      fc.record({
        bytes: validPreferenceFile,
        valid: fc.constant(true),
        format: fc.constant('auto'),
        skipInvalid: fc.constant(false),
        small: fc.constant(false),
        chunk: fc.constantFrom(0, 0, 1, 7, 64),
      }),
    ),
    examples: [
      // found by fuzzing: gzip's magic bytes before plain text threw a bare Error (a job crash,
      // retried), not the reader's "cannot be decompressed" input error
      { ...EXAMPLE, bytes: Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('{"prompt":"a"}')]) },
      // found by fuzzing: a NUL in a response failed the whole import with a driver error
      { ...EXAMPLE, bytes: Buffer.from('{"prompt":"q","chosen":"a\\u0000","rejected":"b"}\n') },
      // found by fuzzing: a byte-order mark made line 1 "not valid JSON"
      { ...EXAMPLE, valid: true, bytes: Buffer.from('\ufeff{"prompt":"q","chosen":"a","rejected":"b"}\r\n') },
    ],
    async check(input) {
      const before = await rowCounts(db, IMPORT_TABLES);
      let report;
      try {
        report = await importPreferences(db, () => stream(input.bytes, input.chunk), {
          projectId: project.id,
          format: input.format as never,
          skipInvalid: input.skipInvalid,
          rng: createRng(1),
          limits: input.small ? SMALL_LIMITS : undefined,
          fileName: 'fuzz.jsonl',
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
        if (error instanceof ImportError) {
          for (const e of error.errors)
            if (!(e.line >= 1) || !e.message.trim())
              throw new FuzzViolation('unexpected', `a line error without line or message: ${shown(e)}`);
          return error.errors.length ? 'refused: lines listed' : 'refused: whole file';
        }
        return 'refused: whole file';
      }
      const after = await rowCounts(db, IMPORT_TABLES);
      const added = (t: keyof Database) => after[t]! - before[t]!;
      if (
        added('prompts') !== report.prompts.created ||
        added('responses') !== report.responses.created ||
        added('pairs') !== report.pairs.created ||
        added('audit_log') !== 1
      )
        throw new FuzzViolation('partial-write', `the report ${shown(report)} does not match the rows added`);
      return report.skipped.length ? 'imported, lines skipped' : 'imported';
    },
  };
}

/** readPreferenceFile (the reward CLI): training pairs, or a UserInputError naming file and line. */
export async function rewardFileFamily(
  dir: string,
): Promise<FamilySpec<{ bytes: Uint8Array; valid: boolean }>> {
  const file = path.join(dir, 'reward-fuzz.jsonl');
  return {
    family: 'import: preference files (reward CLI)',
    arbitrary: fc.oneof(
      fc.record({ bytes: preferenceFile, valid: fc.constant(false) }),
      fc.record({ bytes: validPreferenceFile, valid: fc.constant(true) }),
    ),
    async check({ bytes, valid }) {
      fs.writeFileSync(file, bytes);
      try {
        await readPreferenceFile(file);
        return 'read';
      } catch (error) {
        if (valid)
          throw new FuzzViolation(
            'unexpected',
            `a valid file was refused: ${refusal(error)} for ${shown(bytes)}`,
          );
        if (!(error instanceof UserInputError))
          throw new FuzzViolation(
            'unexpected',
            `${(error as Error).name}: ${(error as Error).message} for ${shown(bytes)}`,
          );
        if (!error.message.includes(file))
          throw new FuzzViolation('unexpected', `the message does not name the file: ${error.message}`);
        return 'refused';
      }
    },
  };
}
