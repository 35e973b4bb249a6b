import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema';

/** How many of a project's pairs have 0, 1, 2, … judgments (the last bucket is "redundancy or more"). */
export async function pairsByJudgmentCount(db: Kysely<Database>, projectId: string, redundancy: number) {
  const rows = await db
    .selectFrom('pairs')
    .select([
      sql<number>`least(judgment_count, ${redundancy})`.as('judged'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('project_id', '=', projectId)
    .groupBy('judged')
    .execute();
  return Array.from({ length: redundancy + 1 }, (_, k) => ({
    judgments: k,
    pairs: Number(rows.find((r) => Number(r.judged) === k)?.n ?? 0),
  }));
}

/** Judgments per day for the last `days` days (UTC), including days with none. */
export async function judgmentsPerDay(
  db: Kysely<Database>,
  projectId: string,
  days: number,
  now = new Date(),
) {
  const since = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * 86_400_000,
  );
  const rows = await db
    .selectFrom('judgments')
    .select([
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`.as('day'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('project_id', '=', projectId)
    .where('created_at', '>=', since)
    .groupBy('day')
    .execute();
  const counts = new Map(rows.map((r) => [r.day, Number(r.n)]));
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    return { day, judgments: counts.get(day) ?? 0 };
  });
}

/** Distinct annotators who judged in the project, and judgments in the last 7 days. */
export async function projectActivity(db: Kysely<Database>, projectId: string, now = new Date()) {
  const row = await db
    .selectFrom('judgments')
    .select((eb) => [
      eb.fn.count<number>('annotator_id').distinct().as('annotators'),
      sql<number>`count(*) filter (where created_at >= ${new Date(now.getTime() - 7 * 86_400_000)})`.as(
        'last7',
      ),
    ])
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return { annotators: Number(row.annotators), lastWeek: Number(row.last7) };
}
