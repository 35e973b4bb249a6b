/**
 * Sentiment labels for export, with provenance: the item's final label and where it came from
 * (people's plurality, an accepted pre-label, an audit, an adjudication, a gold answer), the model's
 * confidence in its pre-label, and every human label behind it as per-project pseudonyms. Items
 * without a final label are left out. Read in pages of item ids: constant memory.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { ExportFilters } from './filters';
import { annotatorPseudonym } from './judgments';

const PAGE = 5000;

const PROVENANCE: Record<string, ExportedItem['provenance']> = {
  human: 'human',
  auto: 'auto-accepted',
  audit: 'audited',
  adjudicated: 'adjudicated',
  gold: 'gold',
};

export interface ExportedItem {
  item_id: string;
  text: string;
  label: string;
  provenance: 'human' | 'auto-accepted' | 'audited' | 'adjudicated' | 'gold';
  /** the pre-label's confidence (the model's), null when the item never had one */
  confidence: number | null;
  /** the human labels, in the order given */
  labels: string[];
  annotators: string[];
  is_gold: boolean;
}

/** Streams the project's labelled items in id order (gold items left out when the filters say so). */
export async function* streamExportItems(
  db: Kysely<Database>,
  projectId: string,
  filters: ExportFilters,
): AsyncGenerator<ExportedItem> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await sql<{
      id: string;
      text: string;
      final_label: string;
      final_source: string;
      confidence: number | null;
      is_gold: boolean;
    }>`
      select s.id, s.text, s.final_label, s.final_source, p.confidence, s.is_gold
      from sentiment_items s left join prelabels p on p.id = s.prelabel_id
      where s.project_id = ${projectId} and s.id > ${after}::uuid and s.final_label is not null
        and s.final_source in ('human', 'auto', 'audit', 'adjudicated', 'gold')
        ${filters.excludeGold ? sql`and not s.is_gold` : sql``}
      order by s.id
      limit ${PAGE}`.execute(db);
    if (page.rows.length === 0) return;
    after = page.rows[page.rows.length - 1]!.id;
    const labels = await sql<{ item_id: string; label: string; annotator_id: string }>`
      select item_id, label, annotator_id from sentiment_labels
      where item_id = any(${page.rows.map((r) => r.id)}::uuid[]) and annotator_id is not null and not is_gold
        ${filters.since ? sql`and created_at >= ${filters.since}` : sql``}
        ${filters.until ? sql`and created_at < ${filters.until}` : sql``}
      order by item_id, created_at, id`.execute(db);
    const byItem = new Map<string, { label: string; annotator_id: string }[]>();
    for (const l of labels.rows) {
      let list = byItem.get(l.item_id);
      if (!list) byItem.set(l.item_id, (list = []));
      list.push(l);
    }
    for (const item of page.rows) {
      const given = byItem.get(item.id) ?? [];
      yield {
        item_id: item.id,
        text: item.text,
        label: item.final_label,
        provenance: PROVENANCE[item.final_source]!,
        confidence: item.confidence,
        labels: given.map((l) => l.label),
        annotators: given.map((l) => annotatorPseudonym(projectId, l.annotator_id)),
        is_gold: item.is_gold,
      };
    }
  }
}
