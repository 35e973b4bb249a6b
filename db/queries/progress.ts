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

/** Where a project's answers live: judgments of pairs, or people's labels of sentiment items. */
export type AnswerTable = 'judgments' | 'sentiment_labels';

/** The table and condition of a project's answers (accepted pre-labels are not answers; audits are). */
function answersOf(table: AnswerTable, projectId: string) {
  return table === 'judgments'
    ? sql`judgments where project_id = ${projectId}`
    : sql`sentiment_labels where project_id = ${projectId} and source in ('human', 'audit', 'adjudicated')`;
}

/** Answers (judgments or labels) per day for the last `days` days (UTC), including days with none. */
export async function answersPerDay(
  db: Kysely<Database>,
  projectId: string,
  days: number,
  options: { table?: AnswerTable; now?: Date } = {},
) {
  const now = options.now ?? new Date();
  const since = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * 86_400_000,
  );
  const result = await sql<{ day: string; n: number }>`
    select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*) as n
    from ${answersOf(options.table ?? 'judgments', projectId)} and created_at >= ${since}
    group by day`.execute(db);
  const counts = new Map(result.rows.map((r) => [r.day, Number(r.n)]));
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    return { day, answers: counts.get(day) ?? 0 };
  });
}

/** Distinct people who answered in the project, and answers in the last 7 days. */
export async function projectActivity(
  db: Kysely<Database>,
  projectId: string,
  options: { table?: AnswerTable; now?: Date } = {},
) {
  const now = options.now ?? new Date();
  const result = await sql<{ annotators: number; last7: number }>`
    select count(distinct annotator_id) as annotators,
           count(*) filter (where created_at >= ${new Date(now.getTime() - 7 * 86_400_000)}) as last7
    from ${answersOf(options.table ?? 'judgments', projectId)}`.execute(db);
  const row = result.rows[0]!;
  return { annotators: Number(row.annotators), lastWeek: Number(row.last7) };
}
