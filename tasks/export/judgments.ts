/**
 * Raw judgments for export, with full provenance: who (as a stable per-project pseudonym, never
 * an email), both axes, flags and severities, rationale, which response was shown on the left,
 * time on task, timestamps, gold and repeat marks and the edit history. Read in pages of judgment
 * ids (keyset pagination): constant memory on PGlite and PostgreSQL alike.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { ExportFilters } from './filters';

const PAGE = 5000;

export interface ExportedJudgment {
  judgment_id: string;
  pair_id: string;
  annotator: string;
  /** canonical order: negative favours response A */
  helpfulness: number;
  safety: number;
  both_unacceptable: boolean;
  flags: { response: 'a' | 'b'; category: string; severity: string }[];
  rationale: string;
  shown_left: 'a' | 'b';
  time_on_task_ms: number | null;
  created_at: string;
  updated_at: string;
  is_gold: boolean;
  is_repeat: boolean;
  revision: number;
  /** earlier versions, oldest first (what the judgment said before each edit) */
  edits: { revision: number; edited_at: string; data: Record<string, unknown> }[];
}

/**
 * A stable pseudonym for an annotator within a project: the same person is the same pseudonym in
 * every export of the project, and different projects' exports cannot be joined on it.
 */
export function annotatorPseudonym(projectId: string, userId: string): string {
  const key = `${projectId}:${userId}`;
  let pseudonym = pseudonyms.get(key);
  if (pseudonym === undefined) {
    pseudonym = `annotator-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
    // a few hundred annotators per project: a small cache saves a hash per exported row
    if (pseudonyms.size > 10_000) pseudonyms.clear();
    pseudonyms.set(key, pseudonym);
  }
  return pseudonym;
}
const pseudonyms = new Map<string, string>();

/** Streams the project's judgments in id order, `excluded` annotators left out. */
export async function* streamExportJudgments(
  db: Kysely<Database>,
  projectId: string,
  filters: ExportFilters,
  excluded: ReadonlySet<string>,
): AsyncGenerator<ExportedJudgment> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await sql<{
      id: string;
      pair_id: string;
      annotator_id: string;
      helpfulness: number;
      safety: number;
      both_unacceptable: boolean;
      rationale: string;
      left_is_a: boolean;
      time_on_task_ms: number | null;
      created_at: Date;
      updated_at: Date;
      is_gold: boolean;
      is_repeat: boolean;
      revision: number;
      response_a_id: string;
    }>`
      select j.id, j.pair_id, j.annotator_id, j.helpfulness, j.safety, j.both_unacceptable, j.rationale,
        (j.shown_left_response_id = p.response_a_id) as left_is_a, j.time_on_task_ms, j.created_at,
        j.updated_at, j.is_gold, j.is_repeat, j.revision, p.response_a_id
      from judgments j join pairs p on p.id = j.pair_id
      where j.project_id = ${projectId} and j.id > ${after}::uuid
        ${filters.excludeRepeats ? sql`and not j.is_repeat` : sql``}
        ${filters.excludeGold ? sql`and not j.is_gold` : sql``}
        ${filters.since ? sql`and j.created_at >= ${filters.since}` : sql``}
        ${filters.until ? sql`and j.created_at < ${filters.until}` : sql``}
      order by j.id
      limit ${PAGE}`.execute(db);
    if (page.rows.length === 0) return;
    after = page.rows[page.rows.length - 1]!.id;
    const ids = page.rows.map((r) => r.id);
    const [flags, edits] = await Promise.all([
      sql<{ judgment_id: string; response_id: string; category: string; severity: string }>`
        select judgment_id, response_id, category, severity from response_flags
        where judgment_id = any(${ids}::uuid[]) order by judgment_id, category`.execute(db),
      sql<{ judgment_id: string; revision: number; edited_at: Date; data: Record<string, unknown> }>`
        select judgment_id, revision, edited_at, data from judgment_revisions
        where judgment_id = any(${ids}::uuid[]) order by judgment_id, revision`.execute(db),
    ]);
    const flagsOf = group(flags.rows);
    const editsOf = group(edits.rows);
    for (const j of page.rows) {
      if (excluded.has(j.annotator_id)) continue;
      yield {
        judgment_id: j.id,
        pair_id: j.pair_id,
        annotator: annotatorPseudonym(projectId, j.annotator_id),
        helpfulness: j.helpfulness,
        safety: j.safety,
        both_unacceptable: j.both_unacceptable,
        flags: (flagsOf.get(j.id) ?? []).map((f) => ({
          response: f.response_id === j.response_a_id ? 'a' : 'b',
          category: f.category,
          severity: f.severity,
        })),
        rationale: j.rationale,
        shown_left: j.left_is_a ? 'a' : 'b',
        time_on_task_ms: j.time_on_task_ms,
        created_at: j.created_at.toISOString(),
        updated_at: j.updated_at.toISOString(),
        is_gold: j.is_gold,
        is_repeat: j.is_repeat,
        revision: j.revision,
        edits: (editsOf.get(j.id) ?? []).map((e) => ({
          revision: e.revision,
          edited_at: e.edited_at.toISOString(),
          data: e.data,
        })),
      };
    }
  }
}

function group<T extends { judgment_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    let list = out.get(row.judgment_id);
    if (!list) out.set(row.judgment_id, (list = []));
    list.push(row);
  }
  return out;
}
