/**
 * Labelled safety data (the BeaverTails layout: prompt, response, category dict, is_safe) as the
 * review page's upload and `arbiter safety import` read it, and category maps. Properties: a valid
 * file imports whole (its report matches the rows it added); anything else is refused with a
 * UserInputError naming the file, and leaves every table as it was.
 */
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { UserInputError } from '../../tasks/errors';
import { createProject } from '../../tasks/projects';
import { parseCategoryMap } from '../../tasks/safety/category-map';
import { parseSafetyData } from '../../tasks/safety/files';
import { importSafetyLabels } from '../../tasks/safety/import';
import { hostileJson, hostileString } from './arbitraries';
import { changedCounts, FuzzViolation, refusal, rowCounts, shown, type FamilySpec } from './runner';
import { IMPORT_TABLES } from './tables';
import { hostileTabularFile, validFileOf, type Cells } from './tabular-files';

const sentence = fc.stringMatching(/^[A-Z][a-z]{1,8}( [a-z]{1,8}){0,5}[.?]$/);
const CATEGORY_NAMES = ['animal_abuse', 'privacy_violation', "it's", 'self_harm'];
const pythonDict = fc.dictionary(fc.constantFrom(...CATEGORY_NAMES), fc.boolean(), { maxKeys: 3 }).map(
  (d) =>
    `{${Object.entries(d)
      .map(([k, v]) => `${k.includes("'") ? `"${k}"` : `'${k}'`}: ${v ? 'True' : 'False'}`)
      .join(', ')}}`,
);
const jsonDict = fc
  .dictionary(fc.constantFrom(...CATEGORY_NAMES), fc.boolean(), { maxKeys: 3 })
  .map((d) => JSON.stringify(d));

const SAFETY_CELLS: Cells = {
  prompt: sentence,
  response: sentence,
  category: fc.oneof(pythonDict, jsonDict),
  is_safe: fc.constantFrom('True', 'False', 'true', '0', '1'),
};
const COLUMNS = ['prompt', 'response', 'category', 'is_safe'];
const HOSTILE_CELLS: Cells = {
  ...SAFETY_CELLS,
  prompt: fc.oneof({ weight: 4, arbitrary: sentence }, { weight: 1, arbitrary: hostileString() }),
  category: fc.oneof(
    { weight: 3, arbitrary: SAFETY_CELLS.category! },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(hostileString({ maxLength: 8 }), fc.boolean(), { maxKeys: 2 })
        .map((d) => JSON.stringify(d)),
    },
    { weight: 1, arbitrary: hostileString() },
  ),
};

interface SafetyInput {
  bytes: Uint8Array;
  name: string;
  valid: boolean;
}

const NAMES = ['labels.csv', 'labels.jsonl', 'labels.csv.gz', 'labels.json', 'labels.txt', 'labels'];

const safetyInput: fc.Arbitrary<SafetyInput> = fc.oneof(
  fc.record({
    bytes: validFileOf('csv', COLUMNS, SAFETY_CELLS),
    name: fc.constantFrom('a.csv', 'a.csv.gz'),
    valid: fc.constant(true),
  }),
  fc.record({
    bytes: validFileOf('jsonl', COLUMNS, SAFETY_CELLS),
    name: fc.constantFrom('a.jsonl', 'a.json'),
    valid: fc.constant(true),
  }),
  fc.record({
    bytes: fc.oneof(validFileOf('csv', COLUMNS, HOSTILE_CELLS), validFileOf('jsonl', COLUMNS, HOSTILE_CELLS)),
    name: fc.oneof(
      fc.constantFrom(...NAMES),
      hostileString().map((s) => `${s}.csv`),
    ),
    valid: fc.constant(false),
  }),
  fc.record({
    bytes: hostileTabularFile(COLUMNS, HOSTILE_CELLS),
    name: fc.constantFrom(...NAMES),
    valid: fc.constant(false),
  }),
);

/** parseSafetyData + importSafetyLabels, as the review page's upload runs them. */
export async function safetyImportFamily(db: Kysely<Database>): Promise<FamilySpec<SafetyInput>> {
  const project = await createProject(
    db,
    { slug: 'fuzz-safety-import', name: 'Fuzz', type: 'preference' },
    {},
  );
  return {
    family: 'import: safety labels (review upload, safety CLI)',
    arbitrary: safetyInput,
    examples: [
      // a category name with a NUL goes into a jsonb column
      {
        bytes: Buffer.from(
          '{"prompt":"Hi?","response":"Yes.","category":{"a\\u0000":true},"is_safe":false}\n',
        ),
        name: 'a.jsonl',
        valid: false,
      },
      {
        bytes: Buffer.from('{"prompt":"Hi \\ud83d?","response":"Yes.","category":{},"is_safe":true}\n'),
        name: 'a.jsonl',
        valid: false,
      },
      {
        bytes: Buffer.from('prompt,response,category,is_safe\nHi?,Yes.,{},True\n'),
        name: 'a\u0000.csv',
        valid: false,
      },
    ],
    async check(input) {
      const before = await rowCounts(db, IMPORT_TABLES);
      try {
        const { rows } = parseSafetyData(input.bytes, input.name);
        const report = await importSafetyLabels(db, project.id, rows, {
          source: input.name,
          actor: { email: 'fuzz@example.org' },
        });
        const after = await rowCounts(db, IMPORT_TABLES);
        if (
          after.prompts! - before.prompts! !== report.prompts_created ||
          after.responses! - before.responses! !== report.responses_created ||
          after.response_safety_labels! - before.response_safety_labels! > report.labels
        )
          throw new FuzzViolation(
            'partial-write',
            `the report ${shown(report)} does not match the rows added`,
          );
        return 'imported';
      } catch (error) {
        if (error instanceof FuzzViolation) throw error;
        if (input.valid)
          throw new FuzzViolation(
            'unexpected',
            `a valid file was refused: ${refusal(error)} for ${shown(input)}`,
          );
        if (!(error instanceof UserInputError))
          throw new FuzzViolation('unexpected', `${refusal(error)} for ${shown(input)}`);
        const changed = changedCounts(before, await rowCounts(db, IMPORT_TABLES));
        if (changed) throw new FuzzViolation('partial-write', `a refused import changed ${changed}`);
        if (!error.message.trim()) throw new FuzzViolation('unexpected', 'an error without a message');
        return 'refused';
      }
    },
  };
}

/** parseCategoryMap (project settings, `arbiter safety import --map`): a map or a UserInputError. */
export function categoryMapFamily(): FamilySpec<string> {
  const valid = fc
    .dictionary(fc.constantFrom(...CATEGORY_NAMES), fc.constantFrom('violence', 'privacy', 'other', null))
    .map((d) => JSON.stringify(d));
  return {
    family: 'import: safety category maps',
    arbitrary: fc.oneof(
      valid,
      hostileJson().map((v) => JSON.stringify(v) ?? ''),
      fc.dictionary(hostileString({ maxLength: 8 }), hostileJson()).map((d) => JSON.stringify(d)),
      hostileString(),
    ),
    async check(text) {
      try {
        const map = parseCategoryMap(text, '--map m.json');
        if (Object.values(map).some((v) => v !== null && typeof v !== 'string'))
          throw new FuzzViolation('unexpected', `a map with a non-category value: ${shown(map)}`);
        return 'read';
      } catch (error) {
        if (error instanceof FuzzViolation) throw error;
        if (!(error instanceof UserInputError) || !error.message.startsWith('--map m.json: '))
          throw new FuzzViolation('unexpected', `${refusal(error)} for ${shown(text)}`);
        return 'refused';
      }
    },
  };
}
