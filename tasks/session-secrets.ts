/**
 * Secrets that sign the session cookie. Taken from configuration when given (comma-separated,
 * newest first); otherwise generated once and kept in the database, so every app process that
 * shares the database signs and verifies alike with no setup.
 *
 * Rotation: a new secret goes first and signs new cookies; the previous one still verifies, so
 * nobody is logged out; cookies signed with anything older stop working.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { findSetting, insertSettingIfAbsent, setSetting } from '../db/queries/settings';
import { recordActorEvent, type Actor } from './accounts';

const KEY = 'session_secrets';
const KEEP = 2;

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function resolveSessionSecrets(db: Kysely<Database>, configured: string[]): Promise<string[]> {
  if (configured.length > 0) return configured;
  return insertSettingIfAbsent<string[]>(db, KEY, [newSecret()]);
}

/** Puts a new secret first and keeps the previous one for verification. */
export async function rotateSessionSecret(db: Kysely<Database>, actor: Actor): Promise<{ kept: number }> {
  return db.transaction().execute(async (trx) => {
    const current = (await findSetting<string[]>(trx, KEY)) ?? [];
    const next = [newSecret(), ...current].slice(0, KEEP);
    await setSetting(trx, KEY, next);
    await recordActorEvent(trx, 'session.secret_rotated', actor);
    return { kept: next.length };
  });
}
