/**
 * Labelled file rows (files.ts) as training examples for the harm classifier: is_safe becomes the
 * unsafe target, the source's categories pass through the lead's mapping onto Arbiter's taxonomy.
 */
import { FLAG_CATEGORIES, type FlagCategory } from '../../db/schema';
import type { SafetyExample } from '../../reward/safety/train';
import { mapCategories, type CategoryMap } from './category-map';
import type { SafetyRow } from './files';

export interface FileExamples {
  examples: SafetyExample[];
  /** the taxonomy's categories, in order: every one gets a head when it has enough positives */
  categories: FlagCategory[];
  /** true source categories the mapping does not name (their rows count them as "other") */
  unmapped: string[];
}

export function safetyExamplesFromRows(rows: readonly SafetyRow[], map: CategoryMap): FileExamples {
  const unmapped = new Set<string>();
  const examples = rows.map((row): SafetyExample => {
    const mapped = mapCategories(row.categories, map);
    for (const name of mapped.unmapped) unmapped.add(name);
    return {
      prompt: row.prompt,
      response: row.response,
      unsafe: row.isSafe ? 0 : 1,
      categories: Object.fromEntries(mapped.categories.map((c) => [c, 1])),
      weight: 1,
    };
  });
  return { examples, categories: [...FLAG_CATEGORIES], unmapped: [...unmapped].sort() };
}
