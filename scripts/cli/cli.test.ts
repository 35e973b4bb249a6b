import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DbConfig } from '../../db/client';
import { migrations } from '../../db/migrations/index';
import { acquireEmbeddedLock } from '../../db/embedded-lock';
import { authenticate } from '../../tasks/accounts';
import { adminQuery, databaseUrl } from '../../tests/setup/postgres-admin';
import { TEST_DATABASE_URL } from '../../tests/setup/test-env';
import { runArbiter as arbiter } from '../../tests/setup/cli';

const backends: { name: string; env: () => Record<string, string>; db: () => DbConfig }[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-cli-'));
backends.push({
  name: 'pglite',
  env: () => ({ ARBITER_DATA_DIR: dataDir }),
  db: () => ({ kind: 'pglite', dataDir }),
});
const pgName = `arbiter_cli_${process.pid}`;
if (TEST_DATABASE_URL) {
  backends.push({
    name: 'postgres',
    env: () => ({ DATABASE_URL: databaseUrl(pgName) }),
    db: () => ({ kind: 'postgres', url: databaseUrl(pgName) }),
  });
}

beforeAll(async () => {
  if (TEST_DATABASE_URL) await adminQuery(`CREATE DATABASE ${pgName}`);
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (TEST_DATABASE_URL) await adminQuery(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
});

for (const backend of backends) {
  describe(`arbiter CLI [${backend.name}]`, () => {
    it('user add --password-stdin creates a user who can sign in; user list shows them', async () => {
      const add = await arbiter(
        [
          'user',
          'add',
          '--email',
          'New.Person@Example.org',
          '--role',
          'annotator',
          '--role',
          'lead',
          '--language',
          'de',
        ],
        backend.env(),
      );
      expect(add.code).toBe(2);
      expect(add.stderr.trim()).toBe('error: Give exactly one of --password-stdin or --invite.');

      const ok = await arbiter(
        [
          'user',
          'add',
          '--email',
          'New.Person@Example.org',
          '--role',
          'annotator',
          '--role',
          'lead',
          '--language',
          'de',
          '--password-stdin',
        ],
        backend.env(),
        'a long enough password\n',
      );
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('Created new.person@example.org (annotator, lead).');

      const list = await arbiter(['user', 'list', '--json'], backend.env());
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({
          email: 'new.person@example.org',
          roles: ['annotator', 'lead'],
          languages: ['de'],
        }),
      ]);

      const handle = await openDb(backend.db());
      try {
        const result = await authenticate(handle.db, {
          email: 'new.person@example.org',
          password: 'a long enough password',
          ip: '127.0.0.1',
        });
        expect(result.ok).toBe(true);
      } finally {
        await handle.close();
      }
    });

    it.each([
      [['--role', 'wizard'], 'a long enough password', /^error: roles: Unknown role "wizard"/],
      [['--role', 'annotator'], 'short', /^error: password: Password must be at least 10 characters\.$/],
      [
        ['--role', 'annotator', '--email', 'new.person@example.org'],
        'a long enough password',
        /already exists/,
      ],
      [
        ['--role', 'annotator', '--email', 'not an email'],
        'a long enough password',
        /^error: email: Enter a valid email/,
      ],
    ])('rejects bad input %j with one line and exit code 2', async (extra, password, message) => {
      const args = ['user', 'add', '--email', 'someone@example.org', '--password-stdin', ...extra];
      const run = await arbiter(args, backend.env(), password);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
    });

    it('user add --invite prints a one-time link', async () => {
      const run = await arbiter(
        ['user', 'add', '--email', 'invited@example.org', '--role', 'researcher', '--invite'],
        {
          ...backend.env(),
          ARBITER_PUBLIC_URL: 'https://arbiter.example.org',
        },
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /Invite link .*: https:\/\/arbiter\.example\.org\/invite\/[A-Za-z0-9_-]{32}/,
      );
    });

    it('imports a file, then restricts the project to named members', async () => {
      const file = path.join(dataDir, `import-${backend.name}.jsonl`);
      fs.writeFileSync(
        file,
        [
          JSON.stringify({
            chosen: '\n\nHuman: Hi there\n\nAssistant: Hello! How can I help?',
            rejected: '\n\nHuman: Hi there\n\nAssistant: What.',
          }),
          JSON.stringify({ prompt: 'Name a prime.', chosen: '7', rejected: '8' }),
        ][0] + '\n',
      );
      const imported = await arbiter(
        ['import', '--project', 'cli-pairs', '--create', '--file', file],
        backend.env(),
      );
      expect(imported.stderr).toBe('');
      expect(imported.stdout).toContain('Imported 1 record(s) (hh-rlhf) into cli-pairs');
      const bad = path.join(dataDir, `bad-${backend.name}.jsonl`);
      fs.writeFileSync(bad, '{"prompt": "x", "chosen": "a", "rejected": "a"}\nnot json\n');
      const refused = await arbiter(['import', '--project', 'cli-pairs', '--file', bad], backend.env());
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${bad}:1: needs at least two different responses to compare`);
      expect(refused.stderr).toContain(`${bad}:2: not valid JSON`);

      const added = await arbiter(
        ['project', 'members', 'add', '--project', 'cli-pairs', '--email', 'new.person@example.org'],
        backend.env(),
      );
      expect(added.stdout).toContain('new.person@example.org: added');
      const unknown = await arbiter(
        ['project', 'members', 'add', '--project', 'cli-pairs', '--email', 'ghost@example.org'],
        backend.env(),
      );
      expect(unknown.code).toBe(2);
      expect(unknown.stderr.trim()).toBe('error: email: No user with email ghost@example.org.');
      expect(
        (await arbiter(['project', 'access', '--project', 'cli-pairs', '--members-only'], backend.env()))
          .code,
      ).toBe(0);
      const set = await arbiter(
        ['project', 'set', '--project', 'cli-pairs', '--redundancy', '2', '--safety-overrides', 'yes'],
        backend.env(),
      );
      expect(set.stdout).toContain('Saved the settings of cli-pairs.');
      const badSet = await arbiter(
        ['project', 'set', '--project', 'cli-pairs', '--redundancy', 'many'],
        backend.env(),
      );
      expect(badSet.code).toBe(2);
      expect(badSet.stderr.trim()).toBe('error: redundancy: Redundancy must be a whole number.');
      const report = path.join(dataDir, `members-${backend.name}.json`);
      await arbiter(
        ['project', 'members', 'list', '--project', 'cli-pairs', '--report', report],
        backend.env(),
      );
      expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toMatchObject({
        project: 'cli-pairs',
        members_only: true,
        members: [expect.objectContaining({ email: 'new.person@example.org' })],
      });
    });

    it('db migrate reports as JSON', async () => {
      const report = path.join(dataDir, `migrate-${backend.name}.json`);
      const run = await arbiter(['db', 'migrate', '--report', report], backend.env());
      expect(run.code).toBe(0);
      expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toMatchObject({
        database: backend.name,
        applied: [],
        known: Object.keys(migrations).sort(),
      });
    });
  });
}

describe('arbiter CLI errors', () => {
  it('refuses the embedded store while a server holds it, saying what to do', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-busy-'));
    const lock = acquireEmbeddedLock(dir, { purpose: 'server', url: 'http://localhost:3000' });
    try {
      const run = await arbiter(['user', 'list'], { ARBITER_DATA_DIR: dir });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/in use by the Arbiter server \(pid \d+, http:\/\/localhost:3000\)/);
      expect(run.stderr).toMatch(
        /stop that process first, do this through the web UI or the API, or run Arbiter on PostgreSQL/,
      );
    } finally {
      lock.release();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' },
      3,
      /^error: Cannot reach PostgreSQL at 127\.0\.0\.1:1: connection refused/,
    ],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 3, /^error: DATABASE_URL must start with postgres:\/\//],
    [{ PORT: 'eighty' }, 2, /^error: Invalid configuration: PORT/],
  ])('gives one line and a meaningful exit code for %j', async (env, code, message) => {
    const run = await arbiter(['user', 'list'], { ARBITER_DATA_DIR: dataDir, ...env });
    expect(run.code).toBe(code);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
  });

  it('has --help on every command and exits 2 on an unknown one', async () => {
    for (const command of [
      [],
      ['serve'],
      ['db', 'migrate'],
      ['db', 'status'],
      ['user', 'add'],
      ['user', 'list'],
      ['user', 'passwd'],
      ['demo'],
      ['session', 'rotate-secret'],
      ['import'],
      ['project', 'list'],
      ['project', 'members', 'add'],
      ['project', 'access'],
    ]) {
      const run = await arbiter([...command, '--help'], {});
      expect(`${command.join(' ')}: ${run.code}`).toBe(`${command.join(' ')}: 0`);
      expect(run.stdout).toContain('Usage: arbiter');
    }
    const unknown = await arbiter(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});
