/**
 * The end-of-run audit shared by the load benchmark and the fault tests: every acknowledged
 * submission stored exactly once, nobody judging a pair twice, no pair over its redundancy, and
 * every pair's counters equal to the rows they count (a half-written submission would break one).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/schema';

export interface IntegrityReport {
  acknowledged: number;
  /** acknowledged submission ids with no judgment row */
  lost: number;
  /** (annotator, pair) with more than one first judgment */
  duplicates: number;
  /** pairs with more judgments, or judgments + open leases, than they need */
  overAssigned: number;
  /** pairs whose judgment_count or lease_count differs from the rows */
  counterMismatches: number;
  /** submitted assignments without a judgment, or judgments whose assignment is not submitted */
  halfWritten: number;
  judgments: number;
  ok: boolean;
}

/** Audits project `projectId` after a run in which `acknowledged` submissions were confirmed. */
export async function checkIntegrity(
  db: Kysely<Database>,
  projectId: string,
  acknowledged: readonly string[],
): Promise<IntegrityReport> {
  const ids = [...new Set(acknowledged)];
  let found = 0;
  for (let i = 0; i < ids.length; i += 10_000) {
    const chunk = ids.slice(i, i + 10_000);
    const row = (
      await sql<{ n: number }>`select count(*)::int as n from judgments
        where id = any(${chunk}::uuid[])`.execute(db)
    ).rows[0]!;
    found += row.n;
  }
  const counts = (
    await sql<{
      duplicates: number;
      over_assigned: number;
      counter_mismatches: number;
      half_written: number;
      judgments: number;
    }>`
      with touched as (
        select distinct pair_id from assignments where project_id = ${projectId} and pair_id is not null
      ), actual as (
        select t.pair_id,
          (select count(*) from judgments j where j.pair_id = t.pair_id and not j.is_repeat)::int as judged,
          (select count(*) from assignments a where a.pair_id = t.pair_id and a.status = 'leased')::int as leased
        from touched t
      )
      select
        (select count(*)::int from (select 1 from judgments where project_id = ${projectId} and not is_repeat
           group by annotator_id, pair_id having count(*) > 1) d) as duplicates,
        (select count(*)::int from pairs p join projects pr on pr.id = p.project_id
           where p.project_id = ${projectId} and not p.is_gold
             and (p.judgment_count > coalesce(p.target_judgments, pr.redundancy)
                  or p.judgment_count + p.lease_count > coalesce(p.target_judgments, pr.redundancy))) as over_assigned,
        (select count(*)::int from actual a join pairs p on p.id = a.pair_id
           where p.judgment_count <> a.judged or p.lease_count <> a.leased) as counter_mismatches,
        (select count(*)::int from assignments a where a.project_id = ${projectId} and a.status = 'submitted'
           and not exists (select 1 from judgments j where j.assignment_id = a.id))
        + (select count(*)::int from judgments j join assignments a on a.id = j.assignment_id
           where j.project_id = ${projectId} and a.status <> 'submitted') as half_written,
        (select count(*)::int from judgments where project_id = ${projectId}) as judgments`.execute(db)
  ).rows[0]!;
  const report: IntegrityReport = {
    acknowledged: ids.length,
    lost: ids.length - found,
    duplicates: counts.duplicates,
    overAssigned: counts.over_assigned,
    counterMismatches: counts.counter_mismatches,
    halfWritten: counts.half_written,
    judgments: counts.judgments,
    ok: false,
  };
  report.ok =
    report.lost === 0 &&
    report.duplicates === 0 &&
    report.overAssigned === 0 &&
    report.counterMismatches === 0 &&
    report.halfWritten === 0;
  return report;
}
