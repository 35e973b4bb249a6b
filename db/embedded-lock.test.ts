import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from './client';
import { acquireEmbeddedLock, currentLockHolder, type EmbeddedLock, type LockHolder } from './embedded-lock';
import { DatabaseOpenError } from './errors';
import { migrateToLatest } from './migrate';

/** A PID no process has: Linux caps PIDs at 2^22, and this is just below 2^31. */
const DEAD_PID = 2147483646;

let dir: string;
const locks: EmbeddedLock[] = [];
const handles: DbHandle[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-lock-'));
});

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close();
  for (const lock of locks.splice(0)) lock.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

function acquire(purpose: string, url?: string): EmbeddedLock {
  const lock = acquireEmbeddedLock(dir, { purpose, url });
  locks.push(lock);
  return lock;
}

function readLock(file: string): LockHolder {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
}

function busyError(fn: () => unknown): DatabaseOpenError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseOpenError);
    expect((error as DatabaseOpenError).code).toBe('busy');
    return error as DatabaseOpenError;
  }
  throw new Error('expected a busy DatabaseOpenError, nothing was thrown');
}

function expectAdvice(message: string): void {
  expect(message).toContain(dir);
  expect(message).toMatch(/stop that process/);
  expect(message).toMatch(/web UI or the API/);
  expect(message).toMatch(/PostgreSQL \(set DATABASE_URL\)/);
  expect(message).not.toContain('\n');
}

describe('acquireEmbeddedLock', () => {
  it('writes a lock file naming this process and its purpose', () => {
    const lock = acquire('server', 'http://localhost:3000');
    expect(lock.file).toBe(path.join(dir, 'arbiter.lock'));
    const holder = readLock(lock.file);
    expect(holder).toMatchObject({ pid: process.pid, purpose: 'server', url: 'http://localhost:3000' });
    expect(Number.isNaN(Date.parse(holder.startedAt))).toBe(false);
    expect(currentLockHolder(dir)).toMatchObject({ pid: process.pid, purpose: 'server' });
  });

  it('creates the data directory when it does not exist yet', () => {
    const nested = path.join(dir, 'a', 'b');
    const lock = acquireEmbeddedLock(nested, { purpose: 'import' });
    locks.push(lock);
    expect(fs.existsSync(path.join(nested, 'arbiter.lock'))).toBe(true);
  });

  it('refuses a second holder, naming the server and what to do instead', () => {
    acquire('server', 'http://localhost:3000');
    const error = busyError(() => acquireEmbeddedLock(dir, { purpose: 'import' }));
    expect(error.message).toContain(`the Arbiter server (pid ${process.pid}, http://localhost:3000)`);
    expectAdvice(error.message);
  });

  it('refuses a second holder, naming the command that holds it', () => {
    acquire('import data.jsonl');
    const error = busyError(() => acquireEmbeddedLock(dir, { purpose: 'server' }));
    expect(error.message).toContain(`another arbiter command (\`import data.jsonl\`, pid ${process.pid})`);
    expectAdvice(error.message);
    // the refused attempt left the holder's lock alone
    expect(readLock(path.join(dir, 'arbiter.lock')).purpose).toBe('import data.jsonl');
  });

  it('release removes the file, is idempotent, and the lock can be taken again', () => {
    const lock = acquire('server');
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
    expect(currentLockHolder(dir)).toBeNull();
    lock.release();
    const again = acquire('migrate');
    expect(readLock(again.file).purpose).toBe('migrate');
  });

  it('release does not remove a lock file that now belongs to another process', () => {
    const lock = acquire('server');
    const other: LockHolder = { pid: process.ppid, purpose: 'other', startedAt: new Date().toISOString() };
    fs.writeFileSync(lock.file, JSON.stringify(other));
    lock.release();
    expect(readLock(lock.file).pid).toBe(process.ppid);
  });

  it('takes over a stale lock left by a process that no longer exists', () => {
    const file = path.join(dir, 'arbiter.lock');
    const stale: LockHolder = { pid: DEAD_PID, purpose: 'server', startedAt: '2020-01-01T00:00:00.000Z' };
    fs.writeFileSync(file, JSON.stringify(stale));
    expect(currentLockHolder(dir)).toBeNull();
    acquire('server');
    expect(readLock(file)).toMatchObject({ pid: process.pid, purpose: 'server' });
  });

  it('takes over an unreadable lock file', () => {
    fs.writeFileSync(path.join(dir, 'arbiter.lock'), 'not json');
    const lock = acquire('server');
    expect(readLock(lock.file).pid).toBe(process.pid);
  });

  it('does not pile up exit listeners across acquire/release cycles', () => {
    const before = process.listenerCount('exit');
    for (let i = 0; i < 12; i++) acquireEmbeddedLock(dir, { purpose: `cycle ${i}` }).release();
    expect(process.listenerCount('exit')).toBe(before);
  });
});

describe('openDb with an on-disk PGlite store', () => {
  it('lets one opener at a time in, and keeps the data on disk across reopening', async () => {
    const first = await openDb({
      kind: 'pglite',
      dataDir: dir,
      lockPurpose: 'server',
      lockUrl: 'http://x:1',
    });
    handles.push(first);
    expect(first.location).toBe(path.join(dir, 'pgdata'));
    await migrateToLatest(first.db);
    await first.db.insertInto('app_settings').values({ key: 'persisted', value: '{"n":42}' }).execute();

    const second = openDb({ kind: 'pglite', dataDir: dir, lockPurpose: 'server' });
    await expect(second).rejects.toBeInstanceOf(DatabaseOpenError);
    await expect(second).rejects.toMatchObject({ code: 'busy' });
    await expect(second).rejects.toThrow(/in use by the Arbiter server \(pid \d+, http:\/\/x:1\)/);

    // the refused opener did not disturb the first one
    expect(await sql<{ one: number }>`SELECT 1 AS one`.execute(first.db)).toMatchObject({
      rows: [{ one: 1 }],
    });
    await first.close();
    handles.splice(handles.indexOf(first), 1);
    expect(fs.existsSync(path.join(dir, 'arbiter.lock'))).toBe(false);

    const reopened = await openDb({ kind: 'pglite', dataDir: dir, lockPurpose: 'migrate' });
    handles.push(reopened);
    expect(readLock(path.join(dir, 'arbiter.lock')).purpose).toBe('migrate');
    expect((await migrateToLatest(reopened.db)).applied).toEqual([]);
    const row = await reopened.db
      .selectFrom('app_settings')
      .select('value')
      .where('key', '=', 'persisted')
      .executeTakeFirst();
    expect(row?.value).toEqual({ n: 42 });
  });
});
