/**
 * Opens the database: embedded PGlite on disk (the default, so a fresh clone runs with no server)
 * or PostgreSQL through a pg pool when a URL is given. Configuration is passed in; nothing here
 * reads process.env.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Database } from './schema';
import { PGliteDialect } from './pglite-dialect';
import { preparingPool } from './prepared-pool';
import { acquireEmbeddedLock, type EmbeddedLock } from './embedded-lock';
import { DatabaseOpenError, describePostgresError, redactUrl } from './errors';

export type DbConfig =
  | {
      kind: 'pglite';
      /** directory of the store; null keeps it in memory (tests) */
      dataDir: string | null;
      /** a dump from PGlite's dumpDataDir() to start from (the tests' golden database) */
      loadDataDir?: Blob | File;
      /** who takes the lock, shown to a second opener; required for an on-disk store */
      lockPurpose?: string;
      lockUrl?: string;
    }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      statementTimeoutMs?: number;
      connectTimeoutMs?: number;
      applicationName?: string;
      /** named prepared statements (db/prepared-pool.ts); off for poolers in transaction mode */
      preparedStatements?: boolean;
    };

export interface DbHandle {
  db: Kysely<Database>;
  kind: DbConfig['kind'];
  /** where the data lives, for logs: a directory or a redacted URL */
  location: string;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as a gzipped tarball (golden test databases, backups) */
  dumpDataDir?: () => Promise<Blob>;
}

const INT8_OID = 20;

/**
 * Opens and checks the connection. Failures throw DatabaseOpenError with a one-line message:
 * unreachable server, bad credentials, missing database, or an embedded store held by another process.
 */
export async function openDb(config: DbConfig): Promise<DbHandle> {
  return config.kind === 'pglite' ? openPglite(config) : openPostgres(config);
}

async function openPglite(config: Extract<DbConfig, { kind: 'pglite' }>): Promise<DbHandle> {
  let lock: EmbeddedLock | null = null;
  let pgdata: string | undefined;
  if (config.dataDir) {
    const dataDir = path.resolve(config.dataDir);
    lock = acquireEmbeddedLock(dataDir, { purpose: config.lockPurpose ?? 'arbiter', url: config.lockUrl });
    pgdata = path.join(dataDir, 'pgdata');
    fs.mkdirSync(pgdata, { recursive: true });
  }
  // Loaded lazily: PGlite's WebAssembly is only paid for when the embedded store is used.
  const { PGlite } = await import('@electric-sql/pglite');
  let pglite;
  try {
    pglite = new PGlite({ dataDir: pgdata, loadDataDir: config.loadDataDir });
    await pglite.waitReady;
  } catch (error) {
    lock?.release();
    throw new DatabaseOpenError(
      `Cannot open the embedded database in ${pgdata}: ${(error as Error).message}. ` +
        `If the directory is damaged, move it aside and start again (the store is recreated empty).`,
      'corrupt',
    );
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    location: pgdata ?? 'memory',
    dumpDataDir: () => pglite.dumpDataDir('gzip'),
    async close() {
      await db.destroy();
      lock?.release();
    },
  };
}

async function openPostgres(config: Extract<DbConfig, { kind: 'postgres' }>): Promise<DbHandle> {
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    throw new DatabaseOpenError(
      `DATABASE_URL is not a valid URL (expected postgres://user@host:5432/dbname).`,
      'bad-url',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseOpenError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}//.`,
      'bad-url',
    );
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 5000,
    statement_timeout: config.statementTimeoutMs ?? 60_000,
    application_name: config.applicationName ?? 'arbiter',
    // bigint columns and count(*) as numbers, the same as PGlite returns them
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server (PostgreSQL restarted) must not crash the process;
  // the pool drops that client and the next query reconnects.
  pool.on('error', () => undefined);
  // A client that is checked out (between the statements of a transaction, say) when its server
  // goes away emits 'error' with no pool listener attached, which would crash the process. The
  // statement in flight rejects on its own, and a client that is no longer queryable is dropped
  // when released, so here the error only needs a listener.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw describePostgresError(error, config.url);
  }
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: config.preparedStatements === false ? pool : preparingPool(pool),
      cursor: Cursor,
    }),
  });
  return {
    db,
    kind: 'postgres',
    location: redactUrl(config.url),
    async close() {
      await db.destroy();
    },
  };
}
