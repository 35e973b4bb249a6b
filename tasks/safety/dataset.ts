/**
 * The harm classifier's training data for one project, from what people decided, strongest first:
 *   1. a safety reviewer's latest decision on a response (confirmed categories, or dismissed = safe);
 *   2. a label imported with the response (is_safe and source categories through the lead's map);
 *   3. annotators: a response flagged but not yet reviewed counts as unsafe in the flagged
 *      categories, and a response that annotators judged without flagging counts as safe, both at
 *      FLAG_WEIGHT, since one annotator's flag or silence is weaker evidence than a reviewer's call.
 * A response takes its label from the first source that has one.
 */
import { sql, type Kysely } from 'kysely';
import type { ChatMessage, Database, FlagCategory } from '../../db/schema';
import { FLAG_CATEGORIES } from '../../db/schema';
import type { SafetyExample } from '../../reward/safety/train';
import { mapCategories, type CategoryMap } from './category-map';
import { promptForSafety } from './text';

/** Weight of an annotator's unreviewed flag, or of their judging a response without flagging it. */
export const FLAG_WEIGHT = 0.5;

export interface SafetyDataset {
  examples: SafetyExample[];
  categories: FlagCategory[];
  counts: { reviewed: number; imported: number; flagged: number; unflagged: number; unsafe: number };
  /** source categories that the project's map does not name (their rows count as "other") */
  unmapped: string[];
}

type Row = { response_id: string; text: string; messages: ChatMessage[] };

export async function loadSafetyDataset(
  db: Kysely<Database>,
  projectId: string,
  map: CategoryMap,
): Promise<SafetyDataset> {
  const reviewed = await sql<Row & { unsafe: boolean; categories: FlagCategory[] | null }>`
    with latest as (
      select sr.response_id, max(sr.created_at) as at
      from safety_reviews sr
      join responses r on r.id = sr.response_id
      join prompts q on q.id = r.prompt_id
      where q.project_id = ${projectId} and sr.decision <> 'escalated'
      group by sr.response_id)
    select sr.response_id, r.text, q.messages,
           bool_or(sr.decision = 'confirmed') as unsafe,
           array_agg(distinct sr.category) filter (where sr.decision = 'confirmed' and sr.category is not null) as categories
    from safety_reviews sr
    join latest l on l.response_id = sr.response_id and l.at = sr.created_at
    join responses r on r.id = sr.response_id
    join prompts q on q.id = r.prompt_id
    where sr.decision <> 'escalated'
    group by sr.response_id, r.text, q.messages`.execute(db);
  const imported = await sql<Row & { is_safe: boolean; source_categories: Record<string, boolean> }>`
    select l.response_id, r.text, q.messages, l.is_safe, l.source_categories
    from response_safety_labels l
    join responses r on r.id = l.response_id
    join prompts q on q.id = r.prompt_id
    where l.project_id = ${projectId}`.execute(db);
  const flagged = await sql<Row & { categories: FlagCategory[] }>`
    select f.response_id, r.text, q.messages, array_agg(distinct f.category) as categories
    from response_flags f
    join responses r on r.id = f.response_id
    join prompts q on q.id = r.prompt_id
    where q.project_id = ${projectId}
    group by f.response_id, r.text, q.messages`.execute(db);
  // every response shown in a judged pair; those without a flag are the annotators' "safe"
  const judged = await sql<Row>`
    select distinct r.id as response_id, r.text, q.messages
    from judgments j
    join pairs p on p.id = j.pair_id
    join responses r on r.id in (p.response_a_id, p.response_b_id)
    join prompts q on q.id = r.prompt_id
    where j.project_id = ${projectId}
      and not exists (select 1 from response_flags f where f.response_id = r.id)`.execute(db);

  const seen = new Set<string>();
  const examples: SafetyExample[] = [];
  const counts = { reviewed: 0, imported: 0, flagged: 0, unflagged: 0, unsafe: 0 };
  const unmapped = new Set<string>();
  const add = (row: Row, unsafe: boolean, categories: readonly string[], weight: number) => {
    if (seen.has(row.response_id)) return false;
    seen.add(row.response_id);
    examples.push({
      prompt: promptForSafety(row.messages),
      response: row.text,
      unsafe: unsafe ? 1 : 0,
      categories: Object.fromEntries(categories.map((c) => [c, 1])),
      weight,
    });
    if (unsafe) counts.unsafe++;
    return true;
  };
  for (const r of reviewed.rows) if (add(r, r.unsafe, r.categories ?? [], 1)) counts.reviewed++;
  for (const r of imported.rows) {
    const mapped = mapCategories(r.source_categories, map);
    mapped.unmapped.forEach((u) => unmapped.add(u));
    if (add(r, !r.is_safe, mapped.categories, 1)) counts.imported++;
  }
  for (const r of flagged.rows) if (add(r, true, r.categories, FLAG_WEIGHT)) counts.flagged++;
  for (const r of judged.rows) if (add(r, false, [], FLAG_WEIGHT)) counts.unflagged++;
  return { examples, categories: [...FLAG_CATEGORIES], counts, unmapped: [...unmapped].sort() };
}
