/**
 * Accounts: creating users, checking passwords with rate limits, roles, deactivation, invites.
 * Every change that matters for security writes an audit-log entry in the same transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database, Role } from '../db/schema';
import { ROLES } from '../db/schema';
import {
  countActiveUsersWithRole,
  findCredentialsByEmail,
  findUserById,
  insertUser,
  setLastLogin,
  setUserPassword,
  setUserProfile,
  type PublicUser,
} from '../db/queries/users';
import { insertAuditEvent } from '../db/queries/audit-log';
import { deleteSessionsOfUser } from '../db/queries/sessions';
import {
  countRecentFailuresForEmail,
  countRecentFailuresForIp,
  insertLoginAttempt,
} from '../db/queries/login-attempts';
import {
  burnPasswordCheck,
  DEFAULT_SCRYPT,
  hashPassword,
  passwordWeakness,
  verifyPassword,
  type ScryptParams,
} from './passwords';
import { UserInputError, describeZodIssue } from './errors';

export const EmailSchema = z
  .string({ error: 'Email is required.' })
  .trim()
  .toLowerCase()
  .max(254, 'Email is too long.')
  .pipe(z.email({ error: 'Enter a valid email address, like name@example.org.' }));

const TagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'Use short lowercase codes like "en" or "medical".');

export const NewUserSchema = z.object({
  email: EmailSchema,
  displayName: z.string().trim().max(100, 'Name is too long (100 characters at most).').optional(),
  roles: z
    .array(
      z.enum(ROLES, {
        error: (issue) => `Unknown role "${String(issue.input)}". Roles: ${ROLES.join(', ')}.`,
      }),
    )
    .min(1, 'Choose at least one role.'),
  languages: z.array(TagSchema).max(20).default([]),
  domains: z.array(TagSchema).max(20).default([]),
});
export type NewUserInput = z.input<typeof NewUserSchema>;

export interface Actor {
  userId?: string | null;
  email?: string | null;
  ip?: string | null;
}

/** Records `event` done by `actor`, about a user or token when given, in the caller's transaction. */
export async function recordActorEvent(
  db: Kysely<Database>,
  event: string,
  actor: Actor,
  target?: { type: string; id: string },
  details?: Record<string, unknown>,
): Promise<void> {
  await insertAuditEvent(db, {
    event,
    actorUserId: actor.userId,
    actorEmail: actor.email,
    ip: actor.ip,
    targetType: target?.type,
    targetId: target?.id,
    details,
  });
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const { field, message } = describeZodIssue(first);
    throw new UserInputError(message, field);
  }
  return parsed.data;
}

/**
 * Creates a user. With a password it is checked for strength and hashed; without one the user
 * is "invited" and can sign in only after setting one through an invite link.
 * Throws UserInputError for invalid fields, weak passwords and duplicate emails.
 */
export async function createUser(
  db: Kysely<Database>,
  input: NewUserInput & { password?: string },
  actor: Actor = {},
  scrypt: ScryptParams = DEFAULT_SCRYPT,
): Promise<PublicUser> {
  const data = parseOrThrow(NewUserSchema, input);
  let passwordHash: string | null = null;
  if (input.password !== undefined) {
    const weakness = passwordWeakness(input.password, data.email);
    if (weakness) throw new UserInputError(weakness, 'password', 'weak-password');
    passwordHash = await hashPassword(input.password, scrypt);
  }
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('users')
      .select('id')
      .where('email', '=', data.email)
      .executeTakeFirst();
    if (existing)
      throw new UserInputError(`A user with email ${data.email} already exists.`, 'email', 'duplicate');
    const user = await insertUser(trx, {
      email: data.email,
      display_name: data.displayName || data.email.split('@')[0]!,
      password_hash: passwordHash,
      password_changed_at: passwordHash ? new Date() : null,
      roles: [...new Set(data.roles)],
      languages: data.languages,
      domains: data.domains,
    });
    await recordActorEvent(
      trx,
      'user.created',
      actor,
      { type: 'user', id: user.id },
      { email: user.email, roles: user.roles },
    );
    return user;
  });
}

export interface RateLimits {
  windowMinutes: number;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  windowMinutes: 15,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 30,
};

export type LoginResult =
  | { ok: true; userId: string }
  | { ok: false; reason: 'invalid' | 'rate-limited'; retryAfterSeconds?: number; message: string };

const INVALID_LOGIN = 'Wrong email or password.';

/**
 * Checks a login. Rate limits apply per account and per address before the password is even
 * checked, so a locked account cannot be probed. Unknown emails cost the same time as known ones.
 */
export async function authenticate(
  db: Kysely<Database>,
  credentials: { email: string; password: string; ip: string; now?: Date },
  limits: RateLimits = DEFAULT_RATE_LIMITS,
): Promise<LoginResult> {
  const now = credentials.now ?? new Date();
  const email = credentials.email.trim().toLowerCase().slice(0, 254);
  const since = new Date(now.getTime() - limits.windowMinutes * 60_000);

  const [byEmail, byIp] = await Promise.all([
    countRecentFailuresForEmail(db, email, since),
    countRecentFailuresForIp(db, credentials.ip, since),
  ]);
  const limited =
    byEmail.failures >= limits.maxFailuresPerAccount
      ? byEmail
      : byIp.failures >= limits.maxFailuresPerAddress
        ? byIp
        : null;
  if (limited) {
    const unlockAt = (limited.oldest?.getTime() ?? now.getTime()) + limits.windowMinutes * 60_000;
    const retryAfterSeconds = Math.max(1, Math.ceil((unlockAt - now.getTime()) / 1000));
    await insertAuditEvent(db, {
      event: 'login.rate_limited',
      actorEmail: email,
      ip: credentials.ip,
      details: { scope: limited === byEmail ? 'account' : 'address' },
    });
    return {
      ok: false,
      reason: 'rate-limited',
      retryAfterSeconds,
      message: `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
    };
  }

  const creds = await findCredentialsByEmail(db, email);
  let ok = false;
  if (creds?.password_hash) {
    ok = await verifyPassword(credentials.password, creds.password_hash);
  } else {
    await burnPasswordCheck(credentials.password);
  }
  // A deactivated account answers like a wrong password: no hint that the email exists.
  if (ok && !creds?.is_active) ok = false;

  await insertLoginAttempt(db, { email, ip: credentials.ip, succeeded: ok, at: now });
  if (!ok || !creds) {
    await insertAuditEvent(db, {
      event: 'login.failed',
      actorUserId: creds?.id ?? null,
      actorEmail: email,
      ip: credentials.ip,
    });
    return { ok: false, reason: 'invalid', message: INVALID_LOGIN };
  }
  await setLastLogin(db, creds.id, now);
  await insertAuditEvent(db, {
    event: 'login.succeeded',
    actorUserId: creds.id,
    actorEmail: email,
    ip: credentials.ip,
  });
  return { ok: true, userId: creds.id };
}

/** Replaces a user's roles. Refuses to remove the last active admin. */
export async function setRoles(
  db: Kysely<Database>,
  userId: string,
  roles: Role[],
  actor: Actor,
): Promise<void> {
  const wanted = parseOrThrow(NewUserSchema.shape.roles, roles);
  await db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, userId);
    if (!user) throw new UserInputError('No such user.', 'userId', 'not-found');
    if (user.roles.includes('admin') && !wanted.includes('admin') && user.is_active) {
      if ((await countActiveUsersWithRole(trx, 'admin')) <= 1) {
        throw new UserInputError('This is the last active admin; make someone else admin first.', 'roles');
      }
    }
    await setUserProfile(trx, userId, { roles: [...new Set(wanted)] });
    await recordActorEvent(
      trx,
      'user.roles_changed',
      actor,
      { type: 'user', id: userId },
      { from: user.roles, to: wanted },
    );
  });
}

export const ProfileSchema = z.object({
  displayName: z
    .string()
    .trim()
    .min(1, 'Name is required.')
    .max(100, 'Name is too long (100 characters at most).'),
  languages: NewUserSchema.shape.languages,
  domains: NewUserSchema.shape.domains,
});

export async function setProfile(
  db: Kysely<Database>,
  userId: string,
  input: z.input<typeof ProfileSchema>,
  actor: Actor,
): Promise<void> {
  const data = parseOrThrow(ProfileSchema, input);
  await db.transaction().execute(async (trx) => {
    await setUserProfile(trx, userId, {
      display_name: data.displayName,
      languages: data.languages,
      domains: data.domains,
    });
    await recordActorEvent(trx, 'user.profile_changed', actor, { type: 'user', id: userId }, data);
  });
}

/** Deactivates (ends every session) or reactivates a user. Refuses to lock out the last admin. */
export async function setActive(
  db: Kysely<Database>,
  userId: string,
  active: boolean,
  actor: Actor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, userId);
    if (!user) throw new UserInputError('No such user.', 'userId', 'not-found');
    if (!active && user.roles.includes('admin') && (await countActiveUsersWithRole(trx, 'admin')) <= 1) {
      throw new UserInputError('This is the last active admin and cannot be deactivated.', 'userId');
    }
    await setUserProfile(trx, userId, { is_active: active });
    if (!active) await deleteSessionsOfUser(trx, userId);
    await recordActorEvent(trx, active ? 'user.reactivated' : 'user.deactivated', actor, {
      type: 'user',
      id: userId,
    });
  });
}

/** Ends every session of a user, on every device. */
export async function logoutEverywhere(db: Kysely<Database>, userId: string, actor: Actor): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await deleteSessionsOfUser(trx, userId);
    await recordActorEvent(
      trx,
      'user.logout_everywhere',
      actor,
      { type: 'user', id: userId },
      { sessions: ended },
    );
    return ended;
  });
}

/** Changes a password after checking the current one; ends the user's other sessions. */
export async function changePassword(
  db: Kysely<Database>,
  input: { userId: string; email: string; current: string; next: string; keepSessionId?: string },
  actor: Actor,
  scrypt: ScryptParams = DEFAULT_SCRYPT,
): Promise<void> {
  const creds = await findCredentialsByEmail(db, input.email);
  if (!creds?.password_hash || !(await verifyPassword(input.current, creds.password_hash))) {
    throw new UserInputError('Current password is wrong.', 'current');
  }
  const weakness = passwordWeakness(input.next, input.email);
  if (weakness) throw new UserInputError(weakness, 'next', 'weak-password');
  const hash = await hashPassword(input.next, scrypt);
  await db.transaction().execute(async (trx) => {
    await setUserPassword(trx, input.userId, hash);
    await deleteSessionsOfUser(trx, input.userId, input.keepSessionId);
    await recordActorEvent(trx, 'user.password_changed', actor, { type: 'user', id: input.userId });
  });
}

/** Sets a password without the old one (admin CLI, invite links). Ends the user's sessions. */
export async function resetPassword(
  db: Kysely<Database>,
  userId: string,
  password: string,
  actor: Actor,
  scrypt: ScryptParams = DEFAULT_SCRYPT,
): Promise<void> {
  const user = await findUserById(db, userId);
  if (!user) throw new UserInputError('No such user.', 'userId', 'not-found');
  const weakness = passwordWeakness(password, user.email);
  if (weakness) throw new UserInputError(weakness, 'password', 'weak-password');
  const hash = await hashPassword(password, scrypt);
  await db.transaction().execute(async (trx) => {
    await setUserPassword(trx, userId, hash);
    await deleteSessionsOfUser(trx, userId);
    await recordActorEvent(trx, 'user.password_reset', actor, { type: 'user', id: userId });
  });
}

export const INVITE_DAYS = 7;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A one-time link token for setting a password (new user or reset); valid for INVITE_DAYS. */
export async function createInvite(
  db: Kysely<Database>,
  userId: string,
  purpose: 'invite' | 'reset',
  actor: Actor,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITE_DAYS * 86_400_000);
  await db.transaction().execute(async (trx) => {
    // a new link replaces any earlier unused one
    await trx
      .updateTable('user_invites')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
    await trx
      .insertInto('user_invites')
      .values({
        user_id: userId,
        token_hash: hashToken(token),
        purpose,
        created_by: actor.userId ?? null,
        expires_at: expiresAt,
      })
      .execute();
    await recordActorEvent(trx, purpose === 'invite' ? 'user.invited' : 'user.reset_link_created', actor, {
      type: 'user',
      id: userId,
    });
  });
  return { token, expiresAt };
}

/** The user an unused, unexpired invite token belongs to. */
export async function findInvite(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<{ inviteId: string; user: PublicUser; purpose: 'invite' | 'reset' } | null> {
  const row = await db
    .selectFrom('user_invites')
    .select(['id', 'user_id', 'purpose'])
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return null;
  const user = await findUserById(db, row.user_id);
  if (!user || !user.is_active) return null;
  return { inviteId: row.id, user, purpose: row.purpose };
}

/** Sets the password through an invite link; the link works once. */
export async function redeemInvite(
  db: Kysely<Database>,
  token: string,
  password: string,
  ip: string | null,
  scrypt: ScryptParams = DEFAULT_SCRYPT,
): Promise<PublicUser> {
  const invite = await findInvite(db, token);
  if (!invite)
    throw new UserInputError('This link is invalid, used or expired. Ask an admin for a new one.', 'token');
  const weakness = passwordWeakness(password, invite.user.email);
  if (weakness) throw new UserInputError(weakness, 'password', 'weak-password');
  const hash = await hashPassword(password, scrypt);
  await db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('user_invites')
      .set({ used_at: new Date() })
      .where('id', '=', invite.inviteId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new UserInputError('This link has just been used.', 'token');
    await setUserPassword(trx, invite.user.id, hash);
    await deleteSessionsOfUser(trx, invite.user.id);
    await insertAuditEvent(trx, {
      event: 'user.password_set_by_link',
      actorUserId: invite.user.id,
      actorEmail: invite.user.email,
      ip,
      targetType: 'user',
      targetId: invite.user.id,
    });
  });
  return invite.user;
}
