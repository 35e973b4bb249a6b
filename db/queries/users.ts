import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NewUser, Role } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** The columns of a user that may leave the server: never the password hash. */
export const PUBLIC_USER_COLUMNS = [
  'id',
  'email',
  'display_name',
  'roles',
  'languages',
  'domains',
  'is_active',
  'created_at',
  'last_login_at',
] as const;

export type PublicUser = {
  id: string;
  email: string;
  display_name: string;
  roles: Role[];
  languages: string[];
  domains: string[];
  is_active: boolean;
  created_at: Date;
  last_login_at: Date | null;
};

/** Inserts a user; the email must already be normalized (lowercase, trimmed). */
export async function insertUser(db: Db, user: NewUser): Promise<PublicUser> {
  const row = await db
    .insertInto('users')
    .values(user)
    .returning(PUBLIC_USER_COLUMNS)
    .executeTakeFirstOrThrow();
  return row as PublicUser;
}

export async function findUserById(db: Db, id: string): Promise<PublicUser | undefined> {
  const row = await db
    .selectFrom('users')
    .select(PUBLIC_USER_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row as PublicUser | undefined;
}

export async function findUserByEmail(db: Db, email: string): Promise<PublicUser | undefined> {
  const row = await db
    .selectFrom('users')
    .select(PUBLIC_USER_COLUMNS)
    .where('email', '=', email)
    .executeTakeFirst();
  return row as PublicUser | undefined;
}

/** For login only: the one query that reads the password hash. */
export async function findCredentialsByEmail(
  db: Db,
  email: string,
): Promise<{ id: string; password_hash: string | null; is_active: boolean } | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'password_hash', 'is_active'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function findPasswordHash(db: Db, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.password_hash ?? null;
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  const rows = await db.selectFrom('users').select(PUBLIC_USER_COLUMNS).orderBy('email').execute();
  return rows as PublicUser[];
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setUserProfile(
  db: Db,
  id: string,
  profile: {
    display_name?: string;
    roles?: Role[];
    languages?: string[];
    domains?: string[];
    is_active?: boolean;
  },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...profile, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function setUserPassword(db: Db, id: string, passwordHash: string): Promise<void> {
  const now = new Date();
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function setLastLogin(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('users').set({ last_login_at: at }).where('id', '=', id).execute();
}

/** Active users holding `role`, for guards such as "never remove the last admin". */
export async function countActiveUsersWithRole(db: Db, role: Role): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_active', '=', true)
    .where(sql<boolean>`${role} = any(roles)`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Active users per role (a user with several roles counts in each). */
export async function countUsersByRole(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom(sql<{ role: string }>`(select unnest(roles) as role from users where is_active)`.as('r'))
    .select(['r.role', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('r.role')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.role, Number(r.n)]));
}
