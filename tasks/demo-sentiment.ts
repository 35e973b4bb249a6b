/**
 * The demo's sentiment project: its items, routed as an import routes them (held-out set,
 * word-list pre-labels), and a history in which the demo panel has labelled every held-out item
 * and most of the rest, from the items' reference labels with each member's rate of slips. A demo
 * lead can run the first retraining cycle straight away; the demo annotators still find items.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, Project } from '../db/schema';
import { insertSentimentItemsBatch, setHoldoutItems } from '../db/queries/sentiment';
import { contentHash } from './content';
import { DEMO_PANEL } from './demo-judgments';
import type { NativeSentimentRecord } from './records';
import type { Rng } from './rng';
import { lexiconPredictor, prelabelItems, ROUTING_SEED } from './sentiment-prelabel';
import { holdoutDraw } from './sentiment-routing';
import { sentimentSettings } from './sentiment-settings';

/** Share of the items outside the held-out set that the panel has labelled. */
const PANEL_SHARE = 0.6;

export async function seedSentimentDemo(
  trx: Transaction<Database> | Kysely<Database>,
  project: Project,
  records: readonly NativeSentimentRecord[],
  panel: readonly string[],
  options: { rng: Rng; now?: Date },
): Promise<{ items: number; labels: number }> {
  const t = trx as Transaction<Database>;
  const settings = sentimentSettings(project.settings);
  const rows = records.map((r) => ({
    text: r.text,
    content_hash: contentHash(r.text),
    reference_label: r.label ?? null,
    language: typeof r.meta.language === 'string' ? r.meta.language : null,
    meta: r.meta,
  }));
  const { ids, created } = await insertSentimentItemsBatch(t, project.id, rows);
  const holdout = rows
    .filter((r) => holdoutDraw(ROUTING_SEED, r.content_hash) < settings.holdoutRate)
    .slice(0, settings.holdoutMax)
    .map((r) => ids.get(r.content_hash)!);
  await setHoldoutItems(t, holdout);
  await prelabelItems(t, project, lexiconPredictor(project.label_set), { itemIds: [...created] });

  const { rng } = options;
  const now = (options.now ?? new Date()).getTime();
  const held = new Set(holdout);
  const labels = project.label_set;
  // in content order, not by the random ids, so a seed gives the same history
  const ordered = [...rows].sort((a, b) => (a.content_hash < b.content_hash ? -1 : 1));
  const labelled = ordered.filter(
    (r) => r.reference_label && (held.has(ids.get(r.content_hash)!) || rng() < PANEL_SHARE),
  );
  const values = labelled.map((r) => {
    const member = Math.floor(rng() * panel.length);
    const slip = rng() < DEMO_PANEL[member]!.slip;
    const others = labels.filter((l) => l !== r.reference_label);
    const label = slip ? others[Math.floor(rng() * others.length)]! : r.reference_label!;
    const at = new Date(now - Math.floor(rng() * 14 * 86_400_000));
    return {
      id: randomUUID(),
      project_id: project.id,
      item_id: ids.get(r.content_hash)!,
      annotator_id: panel[member]!,
      label,
      source: 'human' as const,
      time_on_task_ms: 4_000 + Math.floor(rng() * 20_000),
      created_at: at,
    };
  });
  if (values.length) {
    await t.insertInto('sentiment_labels').values(values).execute();
    // one label each (the demo project asks for one): the item is done and its label is final
    for (const v of values)
      await t
        .updateTable('sentiment_items')
        .set({ label_count: 1, status: 'closed', final_label: v.label, final_source: 'human' })
        .where('id', '=', v.item_id)
        .execute();
  }
  return { items: created.size, labels: values.length };
}
