import type { Kysely } from 'kysely';
import type { Database } from '../schema';

/**
 * Responses waiting for a safety reviewer: flagged high or critical by anyone, or flagged by two or
 * more annotators, and not reviewed yet.
 */
export async function countResponsesAwaitingReview(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('response_flags as f')
    .select((eb) => eb.fn.count<number>('f.response_id').distinct().as('n'))
    .where((eb) =>
      eb.and([
        eb.not(
          eb.exists(
            eb
              .selectFrom('safety_reviews as r')
              .select('r.id')
              .whereRef('r.response_id', '=', 'f.response_id'),
          ),
        ),
        eb.or([
          eb('f.severity', 'in', ['high', 'critical']),
          eb(
            eb
              .selectFrom('response_flags as f2')
              .select((eb2) => eb2.fn.count<number>('f2.judgment_id').distinct().as('c'))
              .whereRef('f2.response_id', '=', 'f.response_id'),
            '>=',
            2,
          ),
        ]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
