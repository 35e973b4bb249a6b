/**
 * The app's door to accounts: the tasks/ functions bound to this process's database and settings,
 * with the acting user and address filled in from the request.
 */
import type { AppLoadContext } from '@remix-run/node';
import * as accounts from '../../tasks/accounts';
import * as tokens from '../../tasks/api-tokens';
import { refuseForeignIds } from '../../tasks/foreign-ids';
import type { PublicUser } from '../../db/queries/users';
import { getAppContext } from './context.server';

export function actorOf(user: PublicUser | null, context: AppLoadContext): accounts.Actor {
  return { userId: user?.id ?? null, email: user?.email ?? null, ip: context.clientIp };
}

export function signIn(email: string, password: string, ip: string) {
  const { db, config } = getAppContext();
  return accounts.authenticate(db, { email, password, ip }, config.loginLimits);
}

export const createUser = (input: Parameters<typeof accounts.createUser>[1], actor: accounts.Actor) =>
  accounts.createUser(getAppContext().db, input, actor);
export const setRoles = (
  userId: string,
  roles: Parameters<typeof accounts.setRoles>[2],
  actor: accounts.Actor,
) => accounts.setRoles(getAppContext().db, userId, roles, actor);
export const setProfile = (
  userId: string,
  input: Parameters<typeof accounts.setProfile>[2],
  actor: accounts.Actor,
) => accounts.setProfile(getAppContext().db, userId, input, actor);
export const setActive = (userId: string, active: boolean, actor: accounts.Actor) =>
  accounts.setActive(getAppContext().db, userId, active, actor);
export const logoutEverywhere = (userId: string, actor: accounts.Actor) =>
  accounts.logoutEverywhere(getAppContext().db, userId, actor);
export const changePassword = (input: Parameters<typeof accounts.changePassword>[1], actor: accounts.Actor) =>
  accounts.changePassword(getAppContext().db, input, actor);
export const createInvite = (userId: string, purpose: 'invite' | 'reset', actor: accounts.Actor) =>
  accounts.createInvite(getAppContext().db, userId, purpose, actor);
export const findInvite = (token: string) => accounts.findInvite(getAppContext().db, token);
export const redeemInvite = (token: string, password: string, ip: string) =>
  accounts.redeemInvite(getAppContext().db, token, password, ip);

export const createApiToken = (
  userId: string,
  input: Parameters<typeof tokens.createApiToken>[2],
  actor: accounts.Actor,
) => tokens.createApiToken(getAppContext().db, userId, input, actor);
export const listApiTokens = (userId: string) => tokens.listApiTokens(getAppContext().db, userId);
// someone else's token is refused as "no such token" and recorded (foreign-ids.ts)
export const revokeApiToken = (ownerId: string, tokenId: string, actor: accounts.Actor) =>
  refuseForeignIds(getAppContext().db, { ...actor, userId: ownerId }, 'revoke', { api_token: tokenId }, () =>
    tokens.revokeApiToken(getAppContext().db, ownerId, tokenId, actor),
  );

/** The base URL for links Arbiter hands out (invites): the configured public URL or this request's origin. */
export function publicBaseUrl(request: Request): string {
  return getAppContext().config.publicUrl?.replace(/\/$/, '') ?? new URL(request.url).origin;
}
