/**
 * One annotator's disagreements: the units where their answer differs from the majority of the
 * other annotators (the same leave-one-out rule as the profile's agreement), newest first. Read on
 * request for the drill-down page, bounded by the annotator's own volume.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';

export interface Disagreement {
  unitId: string;
  /** the prompt's last user turn (pairs) or the item's text */
  text: string;
  /** their answer and the others' majority: 'a' | 'b' | 'tie' for pairs, the label for items */
  answer: string;
  majority: string;
  others: number;
  rationale: string;
  at: Date;
}

const direction = (score: number) => (score < 0 ? 'a' : score > 0 ? 'b' : 'tie');

/** The most frequent answer, strictly ahead of every other; null on a tie for first or no answers. */
function strictMajority(answers: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  let tied = false;
  for (const [answer, n] of counts)
    if (n > bestCount) [best, bestCount, tied] = [answer, n, false];
    else if (n === bestCount) tied = true;
  return tied ? null : best;
}

/** Where the annotator's answers differ from the others' majority (gold and repeats left out), newest first. */
export async function listDisagreements(
  db: Kysely<Database>,
  options: { projectId: string; annotatorId: string; type: 'preference' | 'sentiment'; limit?: number },
): Promise<{ rows: Disagreement[]; compared: number }> {
  const { projectId, annotatorId } = options;
  const answers =
    options.type === 'preference'
      ? (
          await sql<{
            unit: string;
            annotator: string;
            score: number;
            rationale: string;
            at: Date;
            text: string;
          }>`
            select j.pair_id as unit, j.annotator_id as annotator, j.helpfulness as score, j.rationale,
              j.created_at as at, (q.messages -> -1 ->> 'content') as text
            from judgments j join pairs p on p.id = j.pair_id join prompts q on q.id = p.prompt_id
            where j.project_id = ${projectId} and not j.is_repeat and not j.is_gold
              and j.pair_id in (select pair_id from judgments
                                where annotator_id = ${annotatorId} and project_id = ${projectId} and not is_repeat)`.execute(
            db,
          )
        ).rows.map((r) => ({ ...r, answer: direction(r.score) }))
      : (
          await sql<{ unit: string; annotator: string; answer: string; at: Date; text: string }>`
            select l.item_id as unit, l.annotator_id as annotator, l.label as answer, l.created_at as at, s.text
            from sentiment_labels l join sentiment_items s on s.id = l.item_id
            where l.project_id = ${projectId} and l.annotator_id is not null and not l.is_gold
              and l.source in ('human', 'audit')
              and l.item_id in (select item_id from sentiment_labels where annotator_id = ${annotatorId} and project_id = ${projectId})`.execute(
            db,
          )
        ).rows.map((r) => ({ ...r, rationale: '' }));
  const byUnit = new Map<string, typeof answers>();
  for (const a of answers) {
    let list = byUnit.get(a.unit);
    if (!list) byUnit.set(a.unit, (list = []));
    list.push(a);
  }
  const rows: Disagreement[] = [];
  let compared = 0;
  for (const [unitId, list] of byUnit) {
    const mine = list.find((a) => a.annotator === annotatorId);
    const others = list.filter((a) => a.annotator !== annotatorId);
    const majority = strictMajority(others.map((o) => o.answer));
    if (!mine || majority === null) continue;
    compared++;
    if (mine.answer !== majority)
      rows.push({
        unitId,
        text: mine.text ?? '',
        answer: mine.answer,
        majority,
        others: others.length,
        rationale: mine.rationale,
        at: mine.at,
      });
  }
  rows.sort((x, y) => y.at.getTime() - x.at.getTime());
  return { rows: rows.slice(0, options.limit ?? 100), compared };
}
