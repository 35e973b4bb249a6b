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

/**
 * Streams the project's judgments oldest first, `excluded` annotators left out. Pages follow the
 * (project, created_at) index with a (created_at, id) keyset, so each page is one range read rather
 * than a hop across the table by random ids; flags and edits come in the same query.
 */
export async function* streamExportJudgments(
  db: Kysely<Database>,
  projectId: string,
  filters: ExportFilters,
  excluded: ReadonlySet<string>,
  pageSize = PAGE,
): AsyncGenerator<ExportedJudgment> {
  // the keyset keeps PostgreSQL's own text of the timestamp: a JS Date would drop its microseconds
  // and the next page would start inside the last one
  let after: { at: string; id: string } | null = null;
  for (;;) {
    const page: { rows: JudgmentPageRow[] } = await sql<JudgmentPageRow>`
      select j.id, j.pair_id, j.annotator_id, j.helpfulness, j.safety, j.both_unacceptable, j.rationale,
        (j.shown_left_response_id = p.response_a_id) as left_is_a, j.time_on_task_ms, j.created_at,
        j.updated_at, j.is_gold, j.is_repeat, j.revision, j.created_at::text as at_key,
        (select coalesce(json_agg(json_build_object(
            'response', case when f.response_id = p.response_a_id then 'a' else 'b' end,
            'category', f.category, 'severity', f.severity) order by f.category), '[]'::json)
          from response_flags f where f.judgment_id = j.id) as flags,
        (select coalesce(json_agg(json_build_object(
            'revision', r.revision, 'edited_at', r.edited_at, 'data', r.data) order by r.revision), '[]'::json)
          from judgment_revisions r where r.judgment_id = j.id) as edits
      from judgments j join pairs p on p.id = j.pair_id
      where j.project_id = ${projectId}
        -- the plain bound is what the (project_id, created_at) index can use; the row comparison breaks ties
        ${after ? sql`and j.created_at >= ${after.at}::timestamptz and (j.created_at, j.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
        ${filters.excludeRepeats ? sql`and not j.is_repeat` : sql``}
        ${filters.excludeGold ? sql`and not j.is_gold` : sql``}
        ${filters.since ? sql`and j.created_at >= ${filters.since}` : sql``}
        ${filters.until ? sql`and j.created_at < ${filters.until}` : sql``}
      order by j.created_at, j.id
      limit ${pageSize}`.execute(db);
    if (page.rows.length === 0) return;
    const last = page.rows[page.rows.length - 1]!;
    after = { at: last.at_key, id: last.id };
    for (const j of page.rows) {
      if (excluded.has(j.annotator_id)) continue;
      yield {
        judgment_id: j.id,
        pair_id: j.pair_id,
        annotator: annotatorPseudonym(projectId, j.annotator_id),
        helpfulness: j.helpfulness,
        safety: j.safety,
        both_unacceptable: j.both_unacceptable,
        flags: j.flags,
        rationale: j.rationale,
        shown_left: j.left_is_a ? 'a' : 'b',
        time_on_task_ms: j.time_on_task_ms,
        created_at: j.created_at.toISOString(),
        updated_at: j.updated_at.toISOString(),
        is_gold: j.is_gold,
        is_repeat: j.is_repeat,
        revision: j.revision,
        // json_build_object writes timestamps without the zone letter: normalise to ISO
        edits: j.edits.map((e) => ({ ...e, edited_at: new Date(e.edited_at).toISOString() })),
      };
    }
  }
}

interface JudgmentPageRow {
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
  at_key: string;
  is_gold: boolean;
  is_repeat: boolean;
  revision: number;
  flags: ExportedJudgment['flags'];
  edits: ExportedJudgment['edits'];
}
