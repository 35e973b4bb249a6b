import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { describeDb } from '../../tests/setup/db';
import { SHARED_DATA_DIR } from '../../tests/setup/test-env';
import type { Database } from '../../db/schema';
import { createProject } from '../projects';
import { createRng } from '../rng';
import { InputTooLargeError } from './jsonl';
import { ImportError, importPreferences, type ImportOptions, type ImportProgress } from './preferences';

const HH_HELPFUL_TEST = new URL('hh-rlhf-helpful/helpful-base/test.jsonl.gz', SHARED_DATA_DIR);
const HAS_HH_HELPFUL_TEST = fs.existsSync(HH_HELPFUL_TEST);

let slugCounter = 0;

function jsonl(records: unknown[]): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

function opener(data: string | Buffer): () => Readable {
  return () => Readable.from([Buffer.from(data)]);
}

function hh(context: string, chosen: string, rejected: string) {
  return { chosen: `${context}\n\nAssistant: ${chosen}`, rejected: `${context}\n\nAssistant: ${rejected}` };
}

function isImportError(error: unknown): ImportError {
  expect(error).toBeInstanceOf(ImportError);
  return error as ImportError;
}

describeDb('importPreferences', ({ db }) => {
  async function newProject(): Promise<string> {
    const project = await createProject(
      db(),
      { slug: `import-${++slugCounter}`, name: `Import ${slugCounter}`, type: 'preference' },
      {},
    );
    return project.id;
  }

  function run(projectId: string, data: string | Buffer, options: Partial<ImportOptions> = {}) {
    return importPreferences(db(), opener(data), {
      projectId,
      format: 'auto',
      rng: createRng(1),
      ...options,
    });
  }

  async function counts(projectId: string) {
    const k: Kysely<Database> = db();
    const prompts = await k
      .selectFrom('prompts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const responses = await k
      .selectFrom('responses')
      .innerJoin('prompts', 'prompts.id', 'responses.prompt_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('prompts.project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const pairs = await k
      .selectFrom('pairs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    const imports = await k
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('event', '=', 'import.completed')
      .where('target_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return {
      prompts: Number(prompts.n),
      responses: Number(responses.n),
      pairs: Number(pairs.n),
      imports: Number(imports.n),
    };
  }

  async function pairsOf(projectId: string) {
    return db()
      .selectFrom('pairs')
      .innerJoin('responses as ra', 'ra.id', 'pairs.response_a_id')
      .innerJoin('responses as rb', 'rb.id', 'pairs.response_b_id')
      .innerJoin('prompts', 'prompts.id', 'pairs.prompt_id')
      .select([
        'pairs.response_a_id',
        'pairs.response_b_id',
        'pairs.reference',
        'pairs.status',
        'ra.text as a_text',
        'rb.text as b_text',
        'prompts.messages',
      ])
      .where('pairs.project_id', '=', projectId)
      .execute();
  }

  async function responseId(projectId: string, text: string): Promise<string> {
    const rows = await db()
      .selectFrom('responses')
      .innerJoin('prompts', 'prompts.id', 'responses.prompt_id')
      .select('responses.id')
      .where('prompts.project_id', '=', projectId)
      .where('responses.text', '=', text)
      .execute();
    expect(rows).toHaveLength(1);
    return rows[0]!.id;
  }

  /** The pair made of the responses `x` and `y`, after checking it is stored in canonical order. */
  async function pairOf(projectId: string, x: string, y: string) {
    const [idX, idY] = [await responseId(projectId, x), await responseId(projectId, y)];
    const pairs = (await pairsOf(projectId)).filter(
      (p) =>
        new Set([p.response_a_id, p.response_b_id]).size === 2 &&
        [idX, idY].includes(p.response_a_id) &&
        [idX, idY].includes(p.response_b_id),
    );
    expect(pairs).toHaveLength(1);
    const pair = pairs[0]!;
    expect(pair.response_a_id < pair.response_b_id).toBe(true);
    return { ...pair, ids: { [x]: idX, [y]: idY } as Record<string, string> };
  }

  /** The reference the importer must store on the pair of `preferred` and `other`. */
  async function expectReference(
    projectId: string,
    preferred: string,
    other: string,
    source: string,
    line: number,
  ): Promise<void> {
    const pair = await pairOf(projectId, preferred, other);
    const preferredId = pair.ids[preferred]!;
    expect(pair.reference).toEqual({
      preferred: preferredId === pair.response_a_id ? 'a' : 'b',
      source,
      line,
    });
  }

  it('imports HH-RLHF transcripts with the chosen answer as hidden reference', async () => {
    const projectId = await newProject();
    const file = jsonl([
      hh('\n\nHuman: What is 2+2?', '4', 'Five.'),
      hh(
        '\n\nHuman: I need a dinner idea.\n\nAssistant: Do you eat meat?\n\nHuman: No, vegetarian.',
        'A chickpea curry with rice.',
        'Steak.',
      ),
    ]);
    const report = await run(projectId, file, { format: 'hh-rlhf' });
    expect(report).toEqual({
      format: 'hh-rlhf',
      lines: 2,
      records: 2,
      skipped: [],
      prompts: { created: 2, existing: 0 },
      responses: { created: 4, existing: 0 },
      pairs: { created: 2, existing: 0 },
      references: 2,
    });
    expect(await counts(projectId)).toEqual({ prompts: 2, responses: 4, pairs: 2, imports: 1 });
    await expectReference(projectId, '4', 'Five.', 'hh-rlhf', 1);
    await expectReference(projectId, 'A chickpea curry with rice.', 'Steak.', 'hh-rlhf', 2);
    const pair = await pairOf(projectId, 'Steak.', 'A chickpea curry with rice.');
    expect(pair.status).toBe('open');
    expect(pair.messages).toEqual([
      { role: 'user', content: 'I need a dinner idea.' },
      { role: 'assistant', content: 'Do you eat meat?' },
      { role: 'user', content: 'No, vegetarian.' },
    ]);
  });

  it('imports TRL records: string prompt, conversational prompt and implicit prompt', async () => {
    const projectId = await newProject();
    const file = jsonl([
      { prompt: 'Name a prime number.', chosen: '7', rejected: '9' },
      {
        prompt: [
          { role: 'system', content: 'Answer in one word.' },
          { role: 'user', content: 'Capital of Italy?' },
        ],
        chosen: [{ role: 'assistant', content: 'Rome' }],
        rejected: [{ role: 'assistant', content: 'Milan' }],
      },
      {
        chosen: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Translate "cat" to French.' },
          { role: 'assistant', content: 'chat' },
        ],
        rejected: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Translate "cat" to French.' },
          { role: 'assistant', content: 'chien' },
        ],
      },
    ]);
    const report = await run(projectId, file, { format: 'trl' });
    expect(report).toMatchObject({
      format: 'trl',
      lines: 3,
      records: 3,
      skipped: [],
      prompts: { created: 3, existing: 0 },
      responses: { created: 6, existing: 0 },
      pairs: { created: 3, existing: 0 },
      references: 3,
    });
    expect(await counts(projectId)).toEqual({ prompts: 3, responses: 6, pairs: 3, imports: 1 });
    await expectReference(projectId, '7', '9', 'trl', 1);
    await expectReference(projectId, 'Rome', 'Milan', 'trl', 2);
    await expectReference(projectId, 'chat', 'chien', 'trl', 3);
    expect((await pairOf(projectId, 'Rome', 'Milan')).messages).toEqual([
      { role: 'system', content: 'Answer in one word.' },
      { role: 'user', content: 'Capital of Italy?' },
    ]);
    expect((await pairOf(projectId, 'chat', 'chien')).messages).toHaveLength(3);
  });

  it('imports native records; references only on the pairs that contain the preferred response', async () => {
    const projectId = await newProject();
    const file = jsonl([
      {
        prompt: 'Explain tides briefly.',
        responses: [
          { model: 'small', text: 'The moon pulls the sea.' },
          { model: 'large', text: 'Tides come from the gravity of the moon and sun.' },
          { model: 'tiny', text: 'Wind.' },
        ],
        preferred: 1,
        meta: { language: 'en', domain: 'science', origin: 'unit-test' },
      },
      {
        messages: [{ role: 'user', content: 'Write a haiku about rain.' }],
        responses: [{ text: 'Rain taps on the roof' }, { text: 'Soft rain, grey morning' }],
      },
    ]);
    const report = await run(projectId, file, { format: 'arbiter' });
    expect(report).toEqual({
      format: 'arbiter',
      lines: 2,
      records: 2,
      skipped: [],
      prompts: { created: 2, existing: 0 },
      responses: { created: 5, existing: 0 },
      pairs: { created: 4, existing: 0 },
      references: 2,
    });
    expect(await counts(projectId)).toEqual({ prompts: 2, responses: 5, pairs: 4, imports: 1 });
    const best = 'Tides come from the gravity of the moon and sun.';
    await expectReference(projectId, best, 'The moon pulls the sea.', 'arbiter', 1);
    await expectReference(projectId, best, 'Wind.', 'arbiter', 1);
    expect((await pairOf(projectId, 'The moon pulls the sea.', 'Wind.')).reference).toBeNull();
    expect(
      (await pairOf(projectId, 'Rain taps on the roof', 'Soft rain, grey morning')).reference,
    ).toBeNull();

    const prompt = await db()
      .selectFrom('prompts')
      .select(['language', 'domain', 'meta', 'messages'])
      .where('project_id', '=', projectId)
      .where('language', '=', 'en')
      .executeTakeFirstOrThrow();
    expect(prompt).toEqual({
      language: 'en',
      domain: 'science',
      meta: { language: 'en', domain: 'science', origin: 'unit-test' },
      messages: [{ role: 'user', content: 'Explain tides briefly.' }],
    });
    const models = await db()
      .selectFrom('responses')
      .select(['model', 'text'])
      .where('text', 'in', ['Wind.', 'Rain taps on the roof'])
      .orderBy('text')
      .execute();
    expect(models).toEqual([
      { model: '', text: 'Rain taps on the roof' },
      { model: 'tiny', text: 'Wind.' },
    ]);
  });

  it('caps the pairs per prompt and still covers every response', async () => {
    const projectId = await newProject();
    const texts = ['r1', 'r2', 'r3', 'r4', 'r5'];
    const report = await run(
      projectId,
      jsonl([{ prompt: 'Say something.', responses: texts.map((text) => ({ text })), preferred: 0 }]),
      { pairCapPerPrompt: 3 },
    );
    expect(report.pairs.created).toBe(3);
    const pairs = await pairsOf(projectId);
    expect(pairs).toHaveLength(3);
    expect(new Set(pairs.flatMap((p) => [p.a_text, p.b_text]))).toEqual(new Set(texts));
    for (const p of pairs) {
      const labelled = p.a_text === 'r1' || p.b_text === 'r1';
      expect(p.reference === null).toBe(!labelled);
    }
    expect(report.references).toBe(pairs.filter((p) => p.a_text === 'r1' || p.b_text === 'r1').length);
  });

  it('detects the format of each kind of file', async () => {
    const files = {
      arbiter: jsonl([{ prompt: 'Q', responses: [{ text: 'a' }, { text: 'b' }] }]),
      'hh-rlhf': jsonl([hh('\n\nHuman: Q', 'a', 'b')]),
      trl: jsonl([{ prompt: 'Q', chosen: 'a', rejected: 'b' }]),
      openai: jsonl([
        {
          input: { messages: [{ role: 'user', content: 'Q' }] },
          preferred_output: [{ role: 'assistant', content: 'a' }],
          non_preferred_output: [{ role: 'assistant', content: 'b' }],
        },
      ]),
    };
    for (const [format, file] of Object.entries(files)) {
      const projectId = await newProject();
      const report = await run(projectId, file, { format: 'auto' });
      expect(report.format).toBe(format);
      expect(report.records).toBe(1);
      expect(await counts(projectId)).toEqual({ prompts: 1, responses: 2, pairs: 1, imports: 1 });
    }
  });

  it('reports a first line whose format cannot be told, then detects it from the next', async () => {
    const projectId = await newProject();
    const file = jsonl([
      { text: 'hello', label: 'positive' },
      { prompt: 'Q', chosen: 'a', rejected: 'b' },
    ]);
    const error = isImportError(await run(projectId, file).catch((e: unknown) => e));
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]!.line).toBe(1);
    expect(error.errors[0]!.message).toMatch(/^cannot tell the format: /);
    const report = await run(projectId, file, { skipInvalid: true });
    expect(report.format).toBe('trl');
    expect(report.records).toBe(1);
    expect(report.skipped.map((s) => s.line)).toEqual([1]);
  });

  const MIXED = jsonl([
    hh('\n\nHuman: Good morning', 'Good morning to you!', 'What?'),
    '{"chosen": "\\n\\nHuman: hi", ',
    { chosen: '\n\nHuman: Hello\n\nAssistant: Hi' },
    { prompt: 'Name a colour.', chosen: 'Blue', rejected: 'Seven' },
    '',
    hh('\n\nHuman: Good night', 'Sleep well.', 'No.'),
  ]);
  const MIXED_ERRORS = [
    { line: 2, message: expect.stringMatching(/^not valid JSON \(.+\)$/) as unknown },
    { line: 3, message: 'rejected: rejected must be a transcript string' },
    { line: 4, message: 'no "Human:" or "Assistant:" turns found in the transcript' },
  ];

  it('refuses a file with invalid lines, lists them and writes nothing', async () => {
    const projectId = await newProject();
    const error = isImportError(await run(projectId, MIXED).catch((e: unknown) => e));
    expect(error.message).toBe(
      '3 line(s) are invalid; nothing was imported. Fix them, or import the valid lines with --skip-invalid.',
    );
    expect(error.errors).toEqual(MIXED_ERRORS);
    expect(error.totalErrors).toBe(3);
    expect(await counts(projectId)).toEqual({ prompts: 0, responses: 0, pairs: 0, imports: 0 });
  });

  it('imports the valid lines with skipInvalid and reports the others', async () => {
    const projectId = await newProject();
    const report = await run(projectId, MIXED, { skipInvalid: true, fileName: 'mixed.jsonl' });
    expect(report).toEqual({
      format: 'hh-rlhf',
      lines: 6,
      records: 2,
      skipped: MIXED_ERRORS,
      prompts: { created: 2, existing: 0 },
      responses: { created: 4, existing: 0 },
      pairs: { created: 2, existing: 0 },
      references: 2,
    });
    expect(await counts(projectId)).toEqual({ prompts: 2, responses: 4, pairs: 2, imports: 1 });
    await expectReference(projectId, 'Good morning to you!', 'What?', 'hh-rlhf', 1);
    await expectReference(projectId, 'Sleep well.', 'No.', 'hh-rlhf', 6);
    const audit = await db()
      .selectFrom('audit_log')
      .select(['details'])
      .where('event', '=', 'import.completed')
      .where('target_id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({
      file: 'mixed.jsonl',
      format: 'hh-rlhf',
      records: 2,
      pairs: 2,
      skipped: 3,
    });
  });

  it('caps the listed errors and counts them all', async () => {
    const projectId = await newProject();
    const file = jsonl([
      ...Array.from({ length: 12 }, (_, i) => ({ prompt: `Q${i}`, responses: [{ text: 'only one' }] })),
      { prompt: 'fine', responses: [{ text: 'a' }, { text: 'b' }] },
    ]);
    const error = isImportError(
      await run(projectId, file, { format: 'arbiter', maxListedErrors: 5 }).catch((e: unknown) => e),
    );
    expect(error.totalErrors).toBe(12);
    expect(error.errors).toEqual(
      [1, 2, 3, 4, 5].map((line) => ({
        line,
        message: 'responses: needs at least two responses to compare',
      })),
    );
    expect(error.message).toMatch(/^12 line\(s\) are invalid; nothing was imported\./);

    const report = await run(projectId, file, { format: 'arbiter', maxListedErrors: 2, skipInvalid: true });
    expect(report.records).toBe(1);
    expect(report.skipped.map((s) => s.line)).toEqual([1, 2]);
    const audit = await db()
      .selectFrom('audit_log')
      .select('details')
      .where('event', '=', 'import.completed')
      .where('target_id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ records: 1, pairs: 1, skipped: 12 });
  });

  it('refuses a file without any valid record, and an unknown format', async () => {
    const projectId = await newProject();
    for (const data of ['', '\n\n']) {
      const error = isImportError(await run(projectId, data).catch((e: unknown) => e));
      expect(error.message).toBe('The file has no valid records; nothing was imported.');
      expect(error.totalErrors).toBe(0);
    }
    const allBad = isImportError(
      await run(projectId, 'nope\n', { skipInvalid: true }).catch((e: unknown) => e),
    );
    expect(allBad.message).toBe('The file has no valid records; nothing was imported.');
    expect(allBad.errors.map((e) => e.line)).toEqual([1]);
    const unknown = isImportError(
      await run(projectId, jsonl([{ prompt: 'Q', chosen: 'a', rejected: 'b' }]), {
        format: 'csv' as ImportOptions['format'],
      }).catch((e: unknown) => e),
    );
    expect(unknown.message).toBe('Unknown format "csv"; use auto, arbiter, hh-rlhf, trl, openai.');
    expect(await counts(projectId)).toEqual({ prompts: 0, responses: 0, pairs: 0, imports: 0 });
  });

  it('refuses an input over the size limit and writes nothing', async () => {
    const projectId = await newProject();
    const file = jsonl(Array.from({ length: 50 }, (_, i) => hh(`\n\nHuman: Q${i}`, 'yes', 'no')));
    await expect(
      run(projectId, zlib.gzipSync(file), { limits: { maxBytes: 1000, maxLineBytes: 1000 } }),
    ).rejects.toBeInstanceOf(InputTooLargeError);
    expect(await counts(projectId)).toEqual({ prompts: 0, responses: 0, pairs: 0, imports: 0 });
  });

  it('creates nothing new when the same file is imported again', async () => {
    const projectId = await newProject();
    const file = jsonl([
      hh('\n\nHuman: Q1', 'A1', 'B1'),
      { chosen: '\n\nHuman: Q2\n\nAssistant: A2', rejected: '\n\nHuman: Q2\n\nAssistant: B2' },
      hh('\n\nHuman: Q3', 'A3', 'B3'),
    ]);
    const first = await run(projectId, file);
    expect(first.prompts).toEqual({ created: 3, existing: 0 });
    const again = await run(projectId, file);
    expect(again).toEqual({
      format: 'hh-rlhf',
      lines: 3,
      records: 3,
      skipped: [],
      prompts: { created: 0, existing: 3 },
      responses: { created: 0, existing: 6 },
      pairs: { created: 0, existing: 3 },
      references: 3,
    });
    expect(await counts(projectId)).toEqual({ prompts: 3, responses: 6, pairs: 3, imports: 2 });
    // the same content in another project is imported afresh
    const other = await newProject();
    expect((await run(other, file)).prompts).toEqual({ created: 3, existing: 0 });
    expect(await counts(other)).toEqual({ prompts: 3, responses: 6, pairs: 3, imports: 1 });
  });

  it('merges a conversation that appears on several lines into one prompt', async () => {
    const projectId = await newProject();
    const context = '\n\nHuman: Recommend a book.\n\nAssistant: Fiction or not?\n\nHuman: Fiction.';
    const file = jsonl([
      hh(context, 'Dune.', 'A phone book.'),
      // the same conversation, differently spaced, with one known and one new answer
      hh(`${context}   `, 'The Left Hand of Darkness.', 'Dune.'),
      hh('\n\nHuman: Something else', 'x', 'y'),
    ]);
    const report = await run(projectId, file);
    expect(report).toMatchObject({
      records: 3,
      prompts: { created: 2, existing: 0 },
      responses: { created: 5, existing: 0 },
      pairs: { created: 3, existing: 0 },
      references: 3,
    });
    expect(await counts(projectId)).toEqual({ prompts: 2, responses: 5, pairs: 3, imports: 1 });
    const bookPrompts = await db()
      .selectFrom('prompts')
      .select('messages')
      .where('project_id', '=', projectId)
      .execute();
    expect(bookPrompts.filter((p) => p.messages[0]!.content === 'Recommend a book.')).toHaveLength(1);
    await expectReference(projectId, 'Dune.', 'A phone book.', 'hh-rlhf', 1);
    await expectReference(projectId, 'The Left Hand of Darkness.', 'Dune.', 'hh-rlhf', 2);
  });

  it('reads gzip input', async () => {
    const projectId = await newProject();
    const file = jsonl([
      { prompt: 'Q1', chosen: 'good', rejected: 'bad' },
      { prompt: 'Q2', chosen: 'fine', rejected: 'poor' },
    ]);
    const report = await run(projectId, zlib.gzipSync(file));
    expect(report).toMatchObject({ format: 'trl', lines: 2, records: 2, pairs: { created: 2, existing: 0 } });
    expect(await counts(projectId)).toEqual({ prompts: 2, responses: 4, pairs: 2, imports: 1 });
    await expectReference(projectId, 'fine', 'poor', 'trl', 2);
  });

  it('writes an import.completed audit entry with the actor', async () => {
    const projectId = await newProject();
    await run(projectId, jsonl([hh('\n\nHuman: Q', 'a', 'b')]), {
      actor: { email: 'importer@example.org', ip: '127.0.0.7' },
      fileName: 'one.jsonl',
    });
    const rows = await db()
      .selectFrom('audit_log')
      .select(['event', 'actor_email', 'actor_user_id', 'ip', 'target_type', 'target_id', 'details'])
      .where('event', '=', 'import.completed')
      .where('target_id', '=', projectId)
      .execute();
    expect(rows).toEqual([
      {
        event: 'import.completed',
        actor_email: 'importer@example.org',
        actor_user_id: null,
        ip: '127.0.0.7',
        target_type: 'project',
        target_id: projectId,
        details: { file: 'one.jsonl', format: 'hh-rlhf', records: 1, pairs: 1, skipped: 0 },
      },
    ]);
  });

  it('imports more records than one batch holds', async () => {
    const projectId = await newProject();
    const n = 1200;
    const file = jsonl(
      Array.from({ length: n }, (_, i) =>
        hh(`\n\nHuman: Question number ${i + 1}?`, `Helpful answer ${i + 1}`, `Unhelpful answer ${i + 1}`),
      ),
    );
    const progress: ImportProgress[] = [];
    const report = await run(projectId, file, { onProgress: (p) => progress.push(p) });
    expect(report).toEqual({
      format: 'hh-rlhf',
      lines: n,
      records: n,
      skipped: [],
      prompts: { created: n, existing: 0 },
      responses: { created: 2 * n, existing: 0 },
      pairs: { created: n, existing: 0 },
      references: n,
    });
    expect(await counts(projectId)).toEqual({ prompts: n, responses: 2 * n, pairs: n, imports: 1 });
    expect(progress.filter((p) => p.phase === 'write').map((p) => p.records)).toEqual([500, 1000, 1200]);
    expect(progress.filter((p) => p.phase === 'validate').at(-1)).toEqual({
      phase: 'validate',
      lines: n,
      records: n,
    });
    // on both sides of the batch boundaries
    for (const line of [1, 500, 501, 1000, 1001, 1200]) {
      await expectReference(projectId, `Helpful answer ${line}`, `Unhelpful answer ${line}`, 'hh-rlhf', line);
    }
    const labelled = await db()
      .selectFrom('pairs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', projectId)
      .where('reference', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(Number(labelled.n)).toBe(n);
  });

  it('stores HTML-looking text verbatim', async () => {
    const projectId = await newProject();
    const xss = '<script>alert(1)</script>';
    const prompt = 'Show me <b>bold</b> & "quotes"';
    await run(projectId, jsonl([{ prompt, responses: [{ text: xss }, { text: '&lt;safe&gt;' }] }]));
    const pair = await pairOf(projectId, xss, '&lt;safe&gt;');
    expect([pair.a_text, pair.b_text].sort()).toEqual(['&lt;safe&gt;', xss]);
    expect(pair.messages).toEqual([{ role: 'user', content: prompt }]);
  });

  it.skipIf(!HAS_HH_HELPFUL_TEST)(
    `imports the real HH-RLHF helpful-base test set${HAS_HH_HELPFUL_TEST ? '' : ' (skipped: ../shared/data/hh-rlhf-helpful is absent)'}`,
    async () => {
      const projectId = await newProject();
      const report = await importPreferences(db(), () => fs.createReadStream(HH_HELPFUL_TEST), {
        projectId,
        format: 'auto',
        skipInvalid: true,
        maxListedErrors: 10_000,
        rng: createRng(1),
      });
      expect(report.format).toBe('hh-rlhf');
      expect(report.records).toBeGreaterThan(1600);
      expect(report.records + report.skipped.length).toBe(report.lines);
      for (const skipped of report.skipped) {
        expect(skipped.line).toBeGreaterThanOrEqual(1);
        expect(skipped.line).toBeLessThanOrEqual(report.lines);
        expect(skipped.message.length).toBeGreaterThan(10);
      }
      const stored = await counts(projectId);
      expect(stored).toEqual({
        prompts: report.prompts.created,
        responses: report.responses.created,
        pairs: report.pairs.created,
        imports: 1,
      });
      expect(stored.pairs).toBeGreaterThan(1600);
      const unlabelled = await db()
        .selectFrom('pairs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId)
        .where('reference', 'is', null)
        .executeTakeFirstOrThrow();
      expect(Number(unlabelled.n)).toBe(0);
    },
  );
});
