import type { Kysely, Transaction } from 'kysely';
import type { AuditLogEntry, Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditEvent {
  event: string;
  actorUserId?: string | null;
  actorEmail?: string | null;
  actorTokenId?: string | null;
  ip?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Appends one entry. Pass the transaction of the change it records, so both land or neither does. */
export async function insertAuditEvent(db: Db, entry: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      event: entry.event,
      actor_user_id: entry.actorUserId ?? null,
      actor_email: entry.actorEmail ?? null,
      actor_token_id: entry.actorTokenId ?? null,
      ip: entry.ip ?? null,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** Newest first, with keyset pagination on id (`before` = the smallest id already shown). */
export async function listAuditEvents(
  db: Db,
  options: { limit: number; before?: number; event?: string; actorUserId?: string; aboutUserId?: string },
): Promise<AuditLogEntry[]> {
  let query = db
    .selectFrom('audit_log')
    .select([
      'id',
      'at',
      'actor_user_id',
      'actor_email',
      'actor_token_id',
      'event',
      'ip',
      'target_type',
      'target_id',
      'details',
    ])
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  if (options.event) query = query.where('event', '=', options.event);
  if (options.actorUserId) query = query.where('actor_user_id', '=', options.actorUserId);
  if (options.aboutUserId) {
    const id = options.aboutUserId;
    // what the user did, and what was done to their account
    query = query.where((eb) =>
      eb.or([
        eb('actor_user_id', '=', id),
        eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', id)]),
      ]),
    );
  }
  return query.execute();
}
