/**
 * Cookie sessions backed by the database. The cookie carries a random id, signed with the session
 * secrets (the newest signs, older ones still verify: rotation without logging anyone out); the
 * table stores only the id's sha256, so a leaked database does not hand out sessions.
 * A row per session is what makes "log out everywhere" and deactivation take effect at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createCookie,
  type Cookie,
  createSession,
  createSessionStorage,
  type Session,
  type SessionStorage,
} from '@remix-run/node';
import {
  deleteSession,
  findLiveSession,
  findLiveSessionUser,
  insertSession,
  setSessionData,
  touchSession,
} from '../../db/queries/sessions';
import type { PublicUser } from '../../db/queries/users';
import { getAppContext } from './context.server';

export const SESSION_COOKIE = 'arbiter_session';
/** last_seen_at is written at most this often, so reading pages does not write on every request */
const TOUCH_INTERVAL_MS = 5 * 60_000;

export interface SessionData {
  userId?: string;
}
export interface FlashData {
  toast?: string;
}

let cached: { key: string; storage: SessionStorage<SessionData, FlashData>; cookie: Cookie } | undefined;

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** The storage for the current context (rebuilt when secrets or settings change, e.g. in tests). */
export function getSessionStorage(): SessionStorage<SessionData, FlashData> {
  const { db, config, sessionSecrets } = getAppContext();
  const key = [sessionSecrets.join(','), config.cookieSecure, config.sessionDays].join('|');
  if (cached?.key === key) return cached.storage;
  const maxAge = config.sessionDays * 86_400;
  const cookie = createCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.cookieSecure,
    path: '/',
    secrets: sessionSecrets,
    maxAge,
  });
  const storage = createSessionStorage<SessionData, FlashData>({
    cookie,
    async createData(data, expires) {
      const id = randomBytes(32).toString('base64url');
      await insertSession(db, {
        id: hashId(id),
        user_id: typeof data.userId === 'string' ? data.userId : null,
        data: data as Record<string, unknown>,
        expires_at: expires ?? new Date(Date.now() + maxAge * 1000),
        ip: null,
        user_agent: null,
      });
      return id;
    },
    async readData(id) {
      const now = new Date();
      const row = await findLiveSession(db, hashId(id), now);
      if (!row) return null;
      if (now.getTime() - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) await touchSession(db, row.id, now);
      return row.data as Partial<SessionData & FlashData>;
    },
    async updateData(id, data, expires) {
      await setSessionData(db, hashId(id), {
        user_id: typeof data.userId === 'string' ? data.userId : null,
        data: data as Record<string, unknown>,
        expires_at: expires ?? new Date(Date.now() + maxAge * 1000),
      });
    },
    async deleteData(id) {
      await deleteSession(db, hashId(id));
    },
  });
  cached = { key, storage, cookie };
  return storage;
}

export function getSession(request: Request): Promise<Session<SessionData, FlashData>> {
  return getSessionStorage().getSession(request.headers.get('Cookie'));
}

/**
 * The signed-in user of a request, read with one query (session joined with its user) instead of
 * the session read and a user lookup, since every page and form asks this first. The cookie is
 * verified exactly as getSession does; last_seen_at is touched on the same schedule. null when
 * there is no valid cookie, no live session, or no user behind it; callers check is_active.
 */
export async function getSessionUser(request: Request): Promise<PublicUser | null> {
  const header = request.headers.get('Cookie');
  if (!header) return null;
  getSessionStorage();
  const id: unknown = await cached!.cookie.parse(header);
  if (typeof id !== 'string' || !id) return null;
  const { db } = getAppContext();
  const now = new Date();
  const found = await findLiveSessionUser(db, hashId(id), now);
  if (!found) return null;
  if (now.getTime() - found.lastSeenAt.getTime() > TOUCH_INTERVAL_MS)
    await touchSession(db, found.sessionId, now);
  return found.user;
}

/** The stored (hashed) id of a session, to compare with rows in the sessions table. */
export function storedSessionId(session: Session): string | null {
  return session.id ? hashId(session.id) : null;
}

/**
 * A new session row for a signed-in user (always a new id: no session fixation), with the
 * address and browser that opened it, shown on the account page.
 */
export async function startUserSession(
  userId: string,
  meta: { ip: string; userAgent: string },
): Promise<Session<SessionData, FlashData>> {
  const { db, config } = getAppContext();
  getSessionStorage();
  const id = randomBytes(32).toString('base64url');
  await insertSession(db, {
    id: hashId(id),
    user_id: userId,
    data: { userId },
    expires_at: new Date(Date.now() + config.sessionDays * 86_400_000),
    ip: meta.ip,
    user_agent: meta.userAgent.slice(0, 300),
  });
  return createSession<SessionData, FlashData>({ userId }, id);
}
