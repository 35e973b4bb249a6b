import type { LoaderFunctionArgs } from '@remix-run/node';
import { json } from '@remix-run/node';
import { sql } from 'kysely';
import { getAppContext } from '../utils/context.server';

const CHECK_TIMEOUT_MS = 3000;

/**
 * Liveness and readiness in one: 200 when the database answers within 3 s, 503 otherwise, so a
 * load balancer stops sending traffic while PostgreSQL is away and resumes when it is back.
 */
export async function loader(_: LoaderFunctionArgs) {
  const { db, dbKind, startedAt } = getAppContext();
  const began = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return json(
      {
        status: 'ok',
        database: { kind: dbKind, ok: true, ms: Date.now() - began },
        uptime_s: Math.round((Date.now() - startedAt.getTime()) / 1000),
      },
      { headers: { 'Cache-Control': 'no-store' } },
    );
  } catch (error) {
    return json(
      {
        status: 'unhealthy',
        database: { kind: dbKind, ok: false, error: (error as Error).message.split('\n')[0] },
      },
      { status: 503, headers: { 'Cache-Control': 'no-store' } },
    );
  } finally {
    clearTimeout(timer);
  }
}
