/**
 * API tokens for researchers: random, shown once, stored only as a sha256 hash, revocable,
 * optionally scoped to one project. Every use is written to the audit log.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { insertAuditEvent } from '../db/queries/audit-log';
import { findUserById, type PublicUser } from '../db/queries/users';
import { hashToken, recordActorEvent, type Actor } from './accounts';
import { requireId, UserInputError } from './errors';

export const TOKEN_PREFIX = 'arb_';
export const TOKEN_SCOPES = ['read', 'export', 'score'] as const;

export const NewTokenSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Give the token a name, e.g. "training cluster".')
    .max(80, 'Name is too long.'),
  projectId: z.uuid({ error: 'Unknown project.' }).nullable().default(null),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).default(['read']),
  expiresInDays: z.coerce
    .number({ error: 'Expiry must be a whole number of days.' })
    .int('Expiry must be a whole number of days.')
    .min(1, 'Expiry must be at least 1 day.')
    .max(3650, 'Expiry can be at most 3650 days (10 years).')
    .nullable()
    .default(null),
});

export interface TokenListing {
  id: string;
  name: string;
  token_prefix: string;
  scopes: string[];
  project_id: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Creates a token and returns its secret once; only the hash is kept. */
export async function createApiToken(
  db: Kysely<Database>,
  userId: string,
  input: z.input<typeof NewTokenSchema>,
  actor: Actor,
  now = new Date(),
): Promise<{ id: string; token: string }> {
  const parsed = NewTokenSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserInputError(issue.message, issue.path.join('.'));
  }
  const data = parsed.data;
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return db.transaction().execute(async (trx) => {
    if (data.projectId) {
      const project = await trx
        .selectFrom('projects')
        .select('id')
        .where('id', '=', data.projectId)
        .executeTakeFirst();
      if (!project) throw new UserInputError('Unknown project.', 'projectId');
    }
    const row = await trx
      .insertInto('api_tokens')
      .values({
        user_id: userId,
        name: data.name,
        token_hash: hashToken(token),
        token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        scopes: data.scopes,
        project_id: data.projectId,
        expires_at: data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * 86_400_000) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordActorEvent(
      trx,
      'token.created',
      actor,
      { type: 'api_token', id: row.id },
      { name: data.name, scopes: data.scopes, projectId: data.projectId },
    );
    return { id: row.id, token };
  });
}

export async function listApiTokens(db: Kysely<Database>, userId: string): Promise<TokenListing[]> {
  return db
    .selectFrom('api_tokens')
    .select([
      'id',
      'name',
      'token_prefix',
      'scopes',
      'project_id',
      'created_at',
      'expires_at',
      'last_used_at',
      'revoked_at',
    ])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Revokes a token of `ownerId`; revoking twice is harmless. Throws when it is not theirs. */
export async function revokeApiToken(
  db: Kysely<Database>,
  ownerId: string,
  tokenId: string,
  actor: Actor,
): Promise<void> {
  requireId(tokenId, 'tokenId', 'token');
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', tokenId)
      .where('user_id', '=', ownerId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const exists = await trx
        .selectFrom('api_tokens')
        .select('id')
        .where('id', '=', tokenId)
        .where('user_id', '=', ownerId)
        .executeTakeFirst();
      if (!exists) throw new UserInputError('No such token.', 'tokenId', 'not-found');
      return;
    }
    await recordActorEvent(trx, 'token.revoked', actor, { type: 'api_token', id: tokenId });
  });
}

export interface TokenPrincipal {
  user: PublicUser;
  token: { id: string; scopes: string[]; projectId: string | null };
}

/**
 * Resolves a bearer token to its active user, or null when the token is unknown, revoked,
 * expired or belongs to a deactivated user. Records the use.
 */
export async function verifyApiToken(
  db: Kysely<Database>,
  raw: string,
  context: { ip: string | null; path: string; now?: Date },
): Promise<TokenPrincipal | null> {
  if (!raw.startsWith(TOKEN_PREFIX) || raw.length > 200) return null;
  const now = context.now ?? new Date();
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'scopes', 'project_id', 'revoked_at', 'expires_at'])
    .where('token_hash', '=', hashToken(raw))
    .executeTakeFirst();
  if (!row) return null;
  if (row.revoked_at || (row.expires_at && row.expires_at <= now)) {
    await insertAuditEvent(db, {
      event: 'token.rejected',
      actorUserId: row.user_id,
      actorTokenId: row.id,
      ip: context.ip,
      details: { reason: row.revoked_at ? 'revoked' : 'expired', path: context.path },
    });
    return null;
  }
  const user = await findUserById(db, row.user_id);
  if (!user?.is_active) return null;
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  await insertAuditEvent(db, {
    event: 'token.used',
    actorUserId: user.id,
    actorEmail: user.email,
    actorTokenId: row.id,
    ip: context.ip,
    details: { path: context.path },
  });
  return { user, token: { id: row.id, scopes: row.scopes, projectId: row.project_id } };
}
