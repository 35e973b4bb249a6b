/**
 * Suggested flags on the compare screen: the categories the active safety model scores at or above
 * the project's suggestion threshold, shown unchecked with their confidence (the annotator decides;
 * a project can switch them off to avoid anchoring). When the judgment is submitted, what the
 * annotator did with each suggestion is kept (flag_suggestions), so the review page can say how
 * often people keep them.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database, FlagCategory } from '../../db/schema';
import { FLAG_CATEGORIES } from '../../db/schema';
import { safetySettings } from './settings';

export interface FlagSuggestion {
  category: FlagCategory;
  probability: number;
}

export interface PairSuggestions {
  modelId: string;
  left: FlagSuggestion[];
  right: FlagSuggestion[];
}

type Db = Kysely<Database> | Transaction<Database>;

/** A response's scores from the active safety model, as read with the pair (activeRisks). */
export interface RiskRow {
  response_id: string;
  model_id: string;
  categories: Record<string, number>;
}

/**
 * A subquery for the active safety model's scores of two responses, as a JSON array of RiskRow,
 * so the query that reads a pair reads them too (one round trip fewer on the compare screen).
 */
export function activeRisks(leftId: RawBuilder<unknown> | string, rightId: RawBuilder<unknown> | string) {
  return sql<RiskRow[]>`(
    select coalesce(json_agg(json_build_object(
             'response_id', k.response_id, 'model_id', k.model_id, 'categories', k.categories)), '[]'::json)
    from response_risks k
    join models m on m.id = k.model_id and m.is_active and m.kind = 'safety'
    where k.response_id in (${leftId}, ${rightId}))`;
}

/** The suggestions for a pair's two responses, or null when the project shows none. */
export async function suggestionsFor(
  db: Db,
  projectSettings: Record<string, unknown>,
  leftId: string,
  rightId: string,
): Promise<PairSuggestions | null> {
  if (!safetySettings(projectSettings).suggestions) return null;
  const rows = await sql<RiskRow>`
    select k.response_id, k.model_id, k.categories
    from response_risks k
    join models m on m.id = k.model_id and m.is_active and m.kind = 'safety'
    where k.response_id in (${leftId}, ${rightId})`.execute(db);
  return suggestionsFromRisks(projectSettings, rows.rows, leftId, rightId);
}

/** suggestionsFor over scores already read (activeRisks): what the project shows, or null. */
export function suggestionsFromRisks(
  projectSettings: Record<string, unknown>,
  risks: readonly RiskRow[],
  leftId: string,
  rightId: string,
): PairSuggestions | null {
  const settings = safetySettings(projectSettings);
  if (!settings.suggestions || risks.length === 0) return null;
  const of = (id: string): FlagSuggestion[] => {
    const scores = risks.find((r) => r.response_id === id)?.categories ?? {};
    return FLAG_CATEGORIES.filter((c) => (scores[c] ?? 0) >= settings.suggestThreshold)
      .map((category) => ({ category, probability: scores[category]! }))
      .sort((a, b) => b.probability - a.probability);
  };
  return { modelId: risks[0]!.model_id, left: of(leftId), right: of(rightId) };
}

/** The flag_suggestions rows for a judgment: each suggestion shown, and whether it became a flag. */
export function suggestionOutcomeRows(
  shown: PairSuggestions | null,
  judgment: {
    id: string;
    left: string;
    right: string;
    flags: readonly { side: 'left' | 'right'; category: string }[];
  },
) {
  if (!shown) return [];
  const flagged = new Set(judgment.flags.map((f) => `${f.side}:${f.category}`));
  return (['left', 'right'] as const).flatMap((side) =>
    shown[side].map((s) => ({
      judgment_id: judgment.id,
      response_id: side === 'left' ? judgment.left : judgment.right,
      category: s.category,
      probability: s.probability,
      model_id: shown.modelId,
      accepted: flagged.has(`${side}:${s.category}`),
    })),
  );
}

/** Records, in the judgment's transaction, which suggestions the annotator kept as flags. */
export async function recordSuggestionOutcomes(
  trx: Transaction<Database>,
  judgment: {
    id: string;
    projectSettings: Record<string, unknown>;
    left: string;
    right: string;
    flags: readonly { side: 'left' | 'right'; category: string }[];
  },
  /** a judgment inserted in this transaction has no earlier outcomes to replace */
  options: { fresh?: boolean } = {},
): Promise<number> {
  const shown = await suggestionsFor(trx, judgment.projectSettings, judgment.left, judgment.right);
  if (!options.fresh)
    await trx.deleteFrom('flag_suggestions').where('judgment_id', '=', judgment.id).execute();
  const rows = suggestionOutcomeRows(shown, judgment);
  if (rows.length) await trx.insertInto('flag_suggestions').values(rows).execute();
  return rows.length;
}
