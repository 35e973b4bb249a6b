/**
 * Named prepared statements for the pg pool Kysely uses.
 *
 * Kysely sends every query as an unnamed statement, so PostgreSQL parses and plans it on every
 * call. On the serving path that was most of the database's work: with log_min_duration_statement=0
 * the queue's CTE took 0.5 ms to parse and 1.4 ms to bind (which plans it) against 0.8 ms to run,
 * and perf put planning at a third of PostgreSQL's CPU (docs/benchmarks.md). A named statement is parsed
 * once per connection, and after five runs PostgreSQL may keep a generic plan, so a repeated query
 * costs only its execution.
 *
 * Bounds, because every prepared statement holds memory in its backend until the connection closes:
 * only texts up to MAX_TEXT characters with at most MAX_PARAMS parameters are named (bulk inserts
 * and long IN lists run unnamed, as before), at most MAX_NAMES distinct texts per process get a
 * name, and at most MAX_PER_CONNECTION names are prepared on one connection.
 *
 * A pooler in transaction mode (PgBouncer before 1.21) cannot keep prepared statements across
 * transactions; ARBITER_PG_PREPARED_STATEMENTS=false turns this off for them.
 */
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

export const PREPARE_LIMITS = {
  MAX_TEXT: 16_000,
  MAX_PARAMS: 64,
  MAX_NAMES: 2_000,
  MAX_PER_CONNECTION: 300,
} as const;

// transaction control, session commands and DDL are not planned, so a name would only take a slot
const NEVER =
  /^\s*(begin|start|commit|rollback|savepoint|release|set|reset|show|lock|listen|notify|create|alter|drop|truncate|vacuum|analyze|checkpoint|grant|revoke|comment|do)\b/i;

/** Statement names by text, shared by every connection of the process (names are per connection in PostgreSQL). */
class NameBook {
  private readonly names = new Map<string, string>();
  nameFor(text: string, paramCount: number): string | null {
    if (text.length > PREPARE_LIMITS.MAX_TEXT || paramCount > PREPARE_LIMITS.MAX_PARAMS) return null;
    const known = this.names.get(text);
    if (known) return known;
    if (this.names.size >= PREPARE_LIMITS.MAX_NAMES || NEVER.test(text)) return null;
    const name = `arbiter_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }
}

export interface PreparingPool extends PostgresPool {
  /** for tests and diagnostics: how many statements ran named and unnamed */
  readonly counts: { named: number; unnamed: number };
}

export function preparingPool(pool: pg.Pool): PreparingPool {
  const book = new NameBook();
  const counts = { named: 0, unnamed: 0 };
  // Kysely keys its connection objects by client, so one wrapper per pg client, not per checkout
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();

  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    const prepared = new Set<string>();
    // set when a prepared statement went stale under a schema change; the client is then dropped
    let stale = false;
    const run = async <R>(text: string, parameters: readonly unknown[]) => {
      const candidate = book.nameFor(text, parameters.length);
      const name =
        candidate && (prepared.has(candidate) || prepared.size < PREPARE_LIMITS.MAX_PER_CONNECTION)
          ? candidate
          : null;
      if (!name) {
        counts.unnamed++;
        return (await client.query(text, parameters as unknown[])) as unknown as PostgresQueryResult<R>;
      }
      counts.named++;
      prepared.add(name);
      try {
        return (await client.query({
          name,
          text,
          values: parameters as unknown[],
        })) as unknown as PostgresQueryResult<R>;
      } catch (error) {
        // "cached plan must not change result type": a table behind `select *` changed (a
        // migration run while the pool was open). This statement fails once; the connection is
        // closed on release so its successor prepares the new shape. (0A000 alone is any
        // unsupported feature, hence the message test.)
        const { code, message } = error as { code?: string; message?: string };
        if (code === '0A000' && /cached plan/.test(message ?? '')) stale = true;
        throw error;
      }
    };
    function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
    function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
    function query<R>(
      sqlOrCursor: string | PostgresCursor<R>,
      parameters?: ReadonlyArray<unknown>,
    ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
      if (typeof sqlOrCursor !== 'string')
        return client.query(sqlOrCursor as never) as unknown as PostgresCursor<R>;
      return run<R>(sqlOrCursor, parameters ?? []);
    }
    return {
      query,
      release() {
        if (!stale) return client.release();
        wrappers.delete(client);
        client.release(true);
      },
    };
  };

  return {
    counts,
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
