/**
 * The compare screen's counters for one annotator: judgments today (UTC), in all, and the streak of
 * consecutive days with at least one judgment. Read on every next pair, so it is one grouped read
 * over the annotator's index (`judgments_annotator_idx`), at most 400 days back.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

export interface AnnotatorStats {
  today: number;
  total: number;
  streak: number;
}

const DAY_MS = 86_400_000;

export async function annotatorStats(
  db: Kysely<Database>,
  annotatorId: string,
  now = new Date(),
): Promise<AnnotatorStats> {
  const days = await db
    .selectFrom('judgments')
    .select((eb) => [
      eb
        .fn<string>('to_char', [
          eb.fn('date_trunc', [eb.val('day'), eb.ref('created_at')]),
          eb.val('YYYY-MM-DD'),
        ])
        .as('day'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('annotator_id', '=', annotatorId)
    .groupBy('day')
    .orderBy('day', 'desc')
    .limit(400)
    .execute();
  const today = now.toISOString().slice(0, 10);
  const counts = new Map(days.map((d) => [d.day, Number(d.n)]));
  let streak = 0;
  for (
    let d = new Date(`${today}T00:00:00Z`);
    counts.has(d.toISOString().slice(0, 10));
    d = new Date(d.getTime() - DAY_MS)
  ) {
    streak++;
  }
  return { today: counts.get(today) ?? 0, total: [...counts.values()].reduce((a, b) => a + b, 0), streak };
}
