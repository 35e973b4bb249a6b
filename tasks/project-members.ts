/**
 * Who may work on a project. A project is open to every annotator until a lead restricts it to
 * members; membership and access changes are audited.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { findUserByEmail } from '../db/queries/users';
import { recordActorEvent, type Actor } from './accounts';
import { UserInputError } from './errors';

async function userByEmail(db: Kysely<Database>, email: string) {
  const user = await findUserByEmail(db, email.trim().toLowerCase());
  if (!user) throw new UserInputError(`No user with email ${email}.`, 'email', 'not-found');
  return user;
}

/** Adds a member (adding twice is harmless); returns whether they were new. */
export async function addMember(
  db: Kysely<Database>,
  projectId: string,
  email: string,
  actor: Actor,
): Promise<boolean> {
  const user = await userByEmail(db, email);
  return db.transaction().execute(async (trx) => {
    const added = await trx
      .insertInto('project_members')
      .values({ project_id: projectId, user_id: user.id, added_by: actor.userId ?? null })
      .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (added)
      await recordActorEvent(
        trx,
        'project.member_added',
        actor,
        { type: 'project', id: projectId },
        { email: user.email },
      );
    return !!added;
  });
}

export async function removeMember(
  db: Kysely<Database>,
  projectId: string,
  email: string,
  actor: Actor,
): Promise<boolean> {
  const user = await userByEmail(db, email);
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    const any = Number(removed.numDeletedRows) > 0;
    if (any)
      await recordActorEvent(
        trx,
        'project.member_removed',
        actor,
        { type: 'project', id: projectId },
        { email: user.email },
      );
    return any;
  });
}

export async function listMembers(db: Kysely<Database>, projectId: string) {
  return db
    .selectFrom('project_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.email', 'u.display_name', 'u.roles', 'u.languages', 'u.domains', 'm.added_at'])
    .where('m.project_id', '=', projectId)
    .orderBy('u.email')
    .execute();
}

/** Restricts the project to its members, or opens it to every annotator again. */
export async function setMembersOnly(
  db: Kysely<Database>,
  projectId: string,
  membersOnly: boolean,
  actor: Actor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('projects')
      .set({ members_only: membersOnly, updated_at: new Date() })
      .where('id', '=', projectId)
      .execute();
    await recordActorEvent(trx, membersOnly ? 'project.restricted' : 'project.opened', actor, {
      type: 'project',
      id: projectId,
    });
  });
}
