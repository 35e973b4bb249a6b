import type { Kysely } from 'kysely';
import type { Database } from '../schema';
import { PUBLIC_USER_COLUMNS, type PublicUser } from './users';

export interface SessionRow {
  id: string;
  user_id: string | null;
  data: Record<string, unknown>;
  expires_at: Date;
  last_seen_at: Date;
}

export async function insertSession(
  db: Kysely<Database>,
  row: {
    id: string;
    user_id: string | null;
    data: Record<string, unknown>;
    expires_at: Date;
    ip: string | null;
    user_agent: string | null;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({ ...row, data: JSON.stringify(row.data) })
    .execute();
}

/** A session that has not expired, or undefined. */
export async function findLiveSession(
  db: Kysely<Database>,
  id: string,
  now: Date,
): Promise<SessionRow | undefined> {
  return db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'data', 'expires_at', 'last_seen_at'])
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * A live session and its user in one round trip (every signed-in request starts here): the row's
 * user_id is the user, and the stored data must name the same user, as every writer keeps it.
 */
export async function findLiveSessionUser(
  db: Kysely<Database>,
  id: string,
  now: Date,
): Promise<{ sessionId: string; lastSeenAt: Date; user: PublicUser } | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id as session_id', 's.last_seen_at', 's.data as session_data'])
    .select(PUBLIC_USER_COLUMNS.map((c) => `u.${c}` as const))
    .where('s.id', '=', id)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_id, last_seen_at, session_data, ...user } = row;
  if ((session_data as { userId?: unknown }).userId !== user.id) return undefined;
  return { sessionId: session_id, lastSeenAt: last_seen_at, user: user as PublicUser };
}

export async function setSessionData(
  db: Kysely<Database>,
  id: string,
  patch: { user_id: string | null; data: Record<string, unknown>; expires_at: Date },
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ user_id: patch.user_id, data: JSON.stringify(patch.data), expires_at: patch.expires_at })
    .where('id', '=', id)
    .execute();
}

export async function touchSession(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function deleteSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Ends every session of a user ("log out everywhere"); returns how many were ended. */
export async function deleteSessionsOfUser(
  db: Kysely<Database>,
  userId: string,
  exceptId?: string,
): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptId) query = query.where('id', '<>', exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function listSessionsOfUser(
  db: Kysely<Database>,
  userId: string,
  now: Date,
): Promise<
  { id: string; created_at: Date; last_seen_at: Date; ip: string | null; user_agent: string | null }[]
> {
  return db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

export async function deleteExpiredSessions(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
