/**
 * Short form of the importer fuzzing (the long form is `npm run bench:fuzz`): every file format
 * the importers and CLI readers accept. Imports run on each backend: a file imports whole or is
 * refused with the user-facing error, and a refused import leaves every table as it was. The CLI
 * readers touch no database: a file is read or refused with a UserInputError naming it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { describeDb } from '../setup/db';
import { preferenceImportFamily, rewardFileFamily } from '../fuzz/imports-preferences';
import { crowdFileFamily, sentimentFileFamily, sentimentImportFamily } from '../fuzz/imports-tabular';
import { categoryMapFamily, safetyImportFamily } from '../fuzz/imports-safety';
import { assertFamily, FUZZ_TIMEOUT_MS, runFamily, shortForm, type FamilySpec } from '../fuzz/runner';

const RUNS = 200;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-fuzz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const check = async <T>(spec: FamilySpec<T>) => assertFamily(await runFamily(spec, shortForm(RUNS)));

describeDb('fuzzing the importers', (suite) => {
  it(
    'imports preference files whole or refuses them, writing nothing',
    async () => check(await preferenceImportFamily(suite.db())),
    FUZZ_TIMEOUT_MS,
  );
  it(
    'imports sentiment files whole or refuses them, writing nothing',
    async () => check(await sentimentImportFamily(suite.db())),
    FUZZ_TIMEOUT_MS,
  );
  it(
    'imports safety labels whole or refuses them, writing nothing',
    async () => check(await safetyImportFamily(suite.db())),
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzzing the CLI file readers', () => {
  it(
    'reads reward training files or names the file and line',
    async () => check(await rewardFileFamily(dir)),
    FUZZ_TIMEOUT_MS,
  );
  it(
    'reads sentiment training files or names the file and line',
    () => check(sentimentFileFamily(dir)),
    FUZZ_TIMEOUT_MS,
  );
  it(
    'reads crowd-label and gold files or names the file and line',
    () => check(crowdFileFamily(dir)),
    FUZZ_TIMEOUT_MS,
  );
  it('reads safety category maps or says what is wrong', () => check(categoryMapFamily()), FUZZ_TIMEOUT_MS);
});
