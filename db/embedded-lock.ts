/**
 * PGlite keeps its data in a directory and is strictly single-process: two processes writing the
 * same directory corrupt it. This lock file makes the second opener stop with a message that says
 * who holds the store and what to do instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseOpenError } from './errors';

export interface LockHolder {
  pid: number;
  /** what holds it: 'server' for `arbiter serve`, otherwise the CLI command */
  purpose: string;
  url?: string;
  startedAt: string;
}

export interface EmbeddedLock {
  readonly file: string;
  release(): void;
}

const LOCK_NAME = 'arbiter.lock';

/**
 * Takes the lock for `dataDir` or throws DatabaseOpenError('busy'). A lock left behind by a process
 * that no longer exists (a kill -9, a crash) is taken over.
 */
export function acquireEmbeddedLock(
  dataDir: string,
  holder: Omit<LockHolder, 'pid' | 'startedAt'>,
): EmbeddedLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_NAME);
  const mine: LockHolder = { pid: process.pid, startedAt: new Date().toISOString(), ...holder };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // Write the holder to a private file, then link it into place: link() fails if the lock
      // exists, and a lock file never exists half-written, so "unreadable" can only mean damaged.
      const temp = `${file}.${process.pid}.${attempt}.tmp`;
      fs.writeFileSync(temp, JSON.stringify(mine), { mode: 0o600 });
      try {
        fs.linkSync(temp, file);
      } finally {
        fs.rmSync(temp, { force: true });
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        // a long-running process that opens and closes stores must not pile up exit listeners
        process.removeListener('exit', release);
        try {
          const current = readHolder(file);
          if (current?.pid === process.pid) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(file);
      if (current && isAlive(current.pid)) throw busyError(dataDir, current);
      // stale (its process is gone) or unreadable: remove it and try again
      fs.rmSync(file, { force: true });
    }
  }
  throw new DatabaseOpenError(`Could not take the lock on the embedded database in ${dataDir}.`, 'busy');
}

/** Who holds the embedded store right now, if anyone alive does. */
export function currentLockHolder(dataDir: string): LockHolder | null {
  const holder = readHolder(path.join(dataDir, LOCK_NAME));
  return holder && isAlive(holder.pid) ? holder : null;
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? (parsed as LockHolder) : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function busyError(dataDir: string, holder: LockHolder): DatabaseOpenError {
  const who =
    holder.purpose === 'server'
      ? `the Arbiter server (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''})`
      : `another arbiter command (\`${holder.purpose}\`, pid ${holder.pid})`;
  return new DatabaseOpenError(
    `The embedded database in ${dataDir} is in use by ${who}. The embedded store allows one process at a time: ` +
      `stop that process first, do this through the web UI or the API, or run Arbiter on PostgreSQL (set DATABASE_URL).`,
    'busy',
  );
}
