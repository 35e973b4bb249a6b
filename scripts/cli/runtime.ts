/**
 * What every CLI command shares: configuration, opening the database (with the embedded store's
 * lock), exit codes that mean something, and `--report FILE` JSON output.
 */
import { ModelArtefactError } from '../../reward/artefact';
import fs from 'node:fs';
import path from 'node:path';
import { openDb, type DbHandle } from '../../db/client';
import { DatabaseOpenError } from '../../db/errors';
import { migrateToLatest } from '../../db/migrate';
import { UserInputError } from '../../tasks/errors';
import { ConfigError, loadConfig, type AppConfig } from '../../app/utils/env.server';
import { PortInUseError } from '../server/start';

/** Exit codes, documented in the README's CLI reference. */
export const EXIT = {
  ok: 0,
  /** an unexpected failure (a bug, or something the message explains) */
  failure: 1,
  /** bad input: unknown option, invalid value, a record that does not validate */
  badInput: 2,
  /** the database cannot be used: unreachable, refused the login, or the embedded store is busy */
  database: 3,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.badInput,
  ) {
    super(message);
  }
}

let configCache: AppConfig | undefined;
export function config(): AppConfig {
  configCache ??= loadConfig();
  return configCache;
}

/**
 * Opens the configured database for one command. The embedded store is locked with the command's
 * name, so a running server (or another command) gets a clear "busy" message.
 */
export function openConfiguredDb(command: string): Promise<DbHandle> {
  const cfg = config();
  return openDb(cfg.db.kind === 'pglite' ? { ...cfg.db, lockPurpose: `arbiter ${command}` } : cfg.db);
}

/** Opens and migrates the configured database, runs `fn`, and always closes it again. */
export async function withDb<T>(command: string, fn: (handle: DbHandle) => Promise<T>): Promise<T> {
  const handle = await openConfiguredDb(command);
  try {
    await migrateToLatest(handle.db);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

export function writeReport(file: string | undefined, report: Record<string, unknown>): void {
  if (!file) return;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
}

/** Runs a command action and turns its failure into one line on stderr and the right exit code. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

/** Errors whose message is already one line a person can act on, with their exit codes. */
const KNOWN_ERRORS: [new (...args: never[]) => Error, number][] = [
  [UserInputError, EXIT.badInput],
  [ConfigError, EXIT.badInput],
  [PortInUseError, EXIT.badInput],
  [DatabaseOpenError, EXIT.database],
  [ModelArtefactError, EXIT.badInput],
];

export function reportError(error: unknown): number {
  if (error instanceof UserInputError && error.field) {
    console.error(`error: ${error.field}: ${error.message}`);
    return EXIT.badInput;
  }
  if (error instanceof CliError) {
    console.error(`error: ${error.message}`);
    return error.exitCode;
  }
  const known = KNOWN_ERRORS.find(([type]) => error instanceof type);
  if (known) {
    console.error(`error: ${(error as Error).message}`);
    return known[1];
  }
  let debug = false;
  try {
    debug = config().debug;
  } catch {
    // configuration itself may be what failed
  }
  console.error(`error: ${(error as Error)?.message ?? String(error)}`);
  console.error(debug ? (error as Error)?.stack : '(set ARBITER_DEBUG=1 to see the stack trace)');
  return EXIT.failure;
}

/** Reads all of standard input (for --password-stdin), without the trailing newline. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new CliError(
      '--password-stdin reads the password from standard input; pipe it in, e.g. `printf %s "$PW" | arbiter ...`.',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** commander's collector for a repeatable option (`--data a --data b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A numeric option in [min, max] (whole when `integer`), or a CliError naming the option. */
export function numberOption(name: string, value: string, min: number, max: number, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    throw new CliError(
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}; got "${value}".`,
    );
  return n;
}
