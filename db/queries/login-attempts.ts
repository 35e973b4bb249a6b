import type { Kysely } from 'kysely';
import type { Database } from '../schema';

export async function insertLoginAttempt(
  db: Kysely<Database>,
  attempt: { email: string; ip: string; succeeded: boolean; at: Date },
): Promise<void> {
  await db.insertInto('login_attempts').values(attempt).execute();
}

/**
 * Failed attempts since `since` for an account, counting only those after its last success:
 * a person who finally types the right password starts with a clean slate.
 */
export async function countRecentFailuresForEmail(
  db: Kysely<Database>,
  email: string,
  since: Date,
): Promise<{ failures: number; oldest: Date | null }> {
  const lastSuccess = await db
    .selectFrom('login_attempts')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('email', '=', email)
    .where('succeeded', '=', true)
    .where('at', '>', since)
    .executeTakeFirst();
  const from = lastSuccess?.at && new Date(lastSuccess.at) > since ? new Date(lastSuccess.at) : since;
  const row = await db
    .selectFrom('login_attempts')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
    .where('email', '=', email)
    .where('succeeded', '=', false)
    .where('at', '>', from)
    .executeTakeFirstOrThrow();
  return { failures: Number(row.n), oldest: row.oldest ? new Date(row.oldest) : null };
}

export async function countRecentFailuresForIp(
  db: Kysely<Database>,
  ip: string,
  since: Date,
): Promise<{ failures: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('login_attempts')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
    .where('ip', '=', ip)
    .where('succeeded', '=', false)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return { failures: Number(row.n), oldest: row.oldest ? new Date(row.oldest) : null };
}

export async function deleteLoginAttemptsBefore(db: Kysely<Database>, before: Date): Promise<void> {
  await db.deleteFrom('login_attempts').where('at', '<', before).execute();
}
