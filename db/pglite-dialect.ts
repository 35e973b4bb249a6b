/**
 * A Kysely dialect for PGlite (embedded PostgreSQL in WebAssembly).
 *
 * Kysely 0.29 ships one, but every 0.29 release requires Node >= 22 and these machines run Node 20
 * (docs/decisions/001-kysely-0.28-with-own-pglite-dialect.md). This is the same idea on 0.28:
 * PostgreSQL's adapter, compiler and introspector, and a driver over PGlite's single connection.
 *
 * PGlite has exactly one session, so the driver hands the connection out under a mutex: a
 * transaction holds it from BEGIN to COMMIT and no other query can slip in between, which is what
 * makes `db.transaction()` mean the same on PGlite as on a pg pool.
 */
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PGlite } from '@electric-sql/pglite';

/** Rows fetched per round trip when a query is streamed through a cursor. */
const DEFAULT_STREAM_CHUNK = 1000;

class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves once the caller holds the lock; call the returned function to release it. */
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    return release;
  }
}

export interface PGliteDialectConfig {
  pglite: PGlite;
}

export class PGliteDialect implements Dialect {
  constructor(private readonly config: PGliteDialectConfig) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.config.pglite);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteDriver implements Driver {
  readonly #mutex = new Mutex();
  readonly #connection: PGliteConnection;
  readonly #releases = new WeakMap<DatabaseConnection, () => void>();

  constructor(private readonly pglite: PGlite) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.lock();
    this.#releases.set(this.#connection, release);
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
    this.#connection.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('commit'));
    } finally {
      this.#connection.inTransaction = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } finally {
      this.#connection.inTransaction = false;
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = this.#releases.get(connection);
    this.#releases.delete(connection);
    release?.();
  }

  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  inTransaction = false;
  #cursorSeq = 0;

  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(query.sql, [...query.parameters], { rowMode: 'object' });
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows != null ? BigInt(result.affectedRows) : undefined,
    };
  }

  /**
   * Streams through a server-side cursor, so memory stays flat however many rows the query has.
   * Outside a transaction it opens one of its own, because cursors live inside a transaction.
   */
  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize = DEFAULT_STREAM_CHUNK,
  ): AsyncIterableIterator<QueryResult<R>> {
    const cursor = `kysely_stream_${++this.#cursorSeq}`;
    const ownTransaction = !this.inTransaction;
    if (ownTransaction) await this.pglite.query('begin');
    let settled = false;
    try {
      await this.pglite.query(`declare ${cursor} no scroll cursor for ${query.sql}`, [...query.parameters]);
      for (;;) {
        const chunk = await this.pglite.query<R>(`fetch ${Math.max(1, chunkSize)} from ${cursor}`, [], {
          rowMode: 'object',
        });
        if (chunk.rows.length === 0) break;
        yield { rows: chunk.rows };
      }
      settled = true;
      await this.pglite.query(`close ${cursor}`);
      if (ownTransaction) await this.pglite.query('commit');
    } catch (error) {
      settled = true;
      if (ownTransaction) await this.pglite.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      // The consumer stopped early (a `break` out of the loop): only `finally` runs then. Without this
      // the cursor, and outside a transaction our own BEGIN, would stay open on the shared session.
      if (!settled) {
        await this.pglite.query(`close ${cursor}`).catch(() => undefined);
        if (ownTransaction) await this.pglite.query('commit').catch(() => undefined);
      }
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
