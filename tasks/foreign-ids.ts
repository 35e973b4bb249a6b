/**
 * Someone naming another person's judgment, label, assignment or API token. The refusal reads like
 * "no such …" (it must not confirm that the id exists), so only the audit log can tell a stale form
 * from someone trying ids: such attempts are recorded as `access.denied` with reason "not-owner".
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { insertAuditEvent } from '../db/queries/audit-log';
import type { Actor } from './accounts';
import { UserInputError } from './errors';

export type OwnedKind = 'judgment' | 'sentiment_label' | 'assignment' | 'api_token';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function ownerOf(db: Kysely<Database>, kind: OwnedKind, id: string): Promise<string | undefined> {
  const owner = (table: 'judgments' | 'sentiment_labels' | 'assignments') =>
    db.selectFrom(table).select('annotator_id as owner').where('id', '=', id).executeTakeFirst();
  const row =
    kind === 'api_token'
      ? await db.selectFrom('api_tokens').select('user_id as owner').where('id', '=', id).executeTakeFirst()
      : await owner(
          kind === 'judgment' ? 'judgments' : kind === 'sentiment_label' ? 'sentiment_labels' : 'assignments',
        );
  return row?.owner ?? undefined;
}

/**
 * Records one `access.denied` entry for each of `ids` that names an existing row owned by someone
 * other than `actor`; ids that name nothing (or are malformed) record nothing. Returns how many
 * were recorded. Call it outside the refused work's transaction, which has rolled back.
 */
export async function auditForeignIds(
  db: Kysely<Database>,
  actor: Actor & { userId: string },
  action: string,
  ids: Partial<Record<OwnedKind, string>>,
): Promise<number> {
  let recorded = 0;
  for (const [kind, id] of Object.entries(ids) as [OwnedKind, string][]) {
    if (!UUID.test(id)) continue;
    const owner = await ownerOf(db, kind, id);
    if (owner === undefined || owner === actor.userId) continue;
    await insertAuditEvent(db, {
      event: 'access.denied',
      actorUserId: actor.userId,
      actorEmail: actor.email,
      ip: actor.ip,
      targetType: kind,
      targetId: id,
      details: { reason: 'not-owner', action, owner_id: owner },
    });
    recorded++;
  }
  return recorded;
}

/**
 * Runs `work` (which refuses other people's ids with a UserInputError) and, when it refuses, records
 * which of `ids` belonged to someone else before passing the error on unchanged.
 */
export async function refuseForeignIds<T>(
  db: Kysely<Database>,
  actor: Actor & { userId: string },
  action: string,
  ids: Partial<Record<OwnedKind, string>>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserInputError) await auditForeignIds(db, actor, action, ids);
    throw error;
  }
}
