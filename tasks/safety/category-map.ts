/**
 * Maps a labelled safety data set's own harm categories (BeaverTails has 14) onto Arbiter's fixed
 * flag taxonomy (FLAG_CATEGORIES), so imported labels and annotators' flags can be counted together.
 * A map is user input (a JSON file or form field), so it is validated with a zod schema whose
 * messages name the offending key and the allowed values.
 */
import { z } from 'zod';
import { FLAG_CATEGORIES, type FlagCategory } from '../../db/schema';
import { UserInputError } from '../errors';

/** null: the row still counts as unsafe, but no flag category is assigned for that source category. */
export type CategoryMap = Record<string, FlagCategory | null>;

export const MAX_MAP_ENTRIES = 200;
export const MAX_SOURCE_NAME_LENGTH = 200;

const ALLOWED = `use one of ${FLAG_CATEGORIES.join(', ')} or null`;
const isCategory = (value: unknown): value is FlagCategory =>
  typeof value === 'string' && (FLAG_CATEGORIES as readonly string[]).includes(value);
const shown = (value: unknown): string => (value === undefined ? 'undefined' : JSON.stringify(value));

/**
 * Checked by hand rather than with z.record: a record schema assigns keys onto a plain object, so a
 * key named "__proto__" (legal in JSON) would vanish silently instead of being mapped or reported.
 */
export const CategoryMapSchema = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    {
      error: `the category map must be a JSON object from source category to one of ${FLAG_CATEGORIES.join(', ')} or null, like {"privacy_violation": "privacy"}`,
    },
  )
  .transform((input, ctx): CategoryMap => {
    const entries = Object.entries(input);
    if (entries.length > MAX_MAP_ENTRIES) {
      ctx.issues.push({
        code: 'custom',
        input,
        message: `the category map has ${entries.length} entries; at most ${MAX_MAP_ENTRIES} are allowed`,
      });
      return z.NEVER;
    }
    for (const [key, value] of entries) {
      if (key.trim() === '')
        ctx.issues.push({ code: 'custom', input, path: [key], message: 'a source category name is empty' });
      else if (key.length > MAX_SOURCE_NAME_LENGTH)
        ctx.issues.push({
          code: 'custom',
          input,
          path: [key],
          message: `source category "${key.slice(0, 40)}…" is longer than ${MAX_SOURCE_NAME_LENGTH} characters`,
        });
      else if (value !== null && !isCategory(value))
        ctx.issues.push({
          code: 'custom',
          input: value,
          path: [key],
          message: `"${key}" maps to ${shown(value)}, which is not a category; ${ALLOWED}`,
        });
    }
    // fromEntries defines own properties, so "__proto__" stays an ordinary key
    return Object.fromEntries(entries) as CategoryMap;
  });

/**
 * BeaverTails' 14 categories onto Arbiter's 8, chosen by FLAG_CATEGORY_LABELS' wording. Every
 * category gets a flag (none null), so an unsafe BeaverTails row always shows why it is unsafe.
 */
export const DEFAULT_BEAVERTAILS_MAP: CategoryMap = {
  // cruelty to animals is physical harm; "other" would hide it among miscellany
  animal_abuse: 'violence',
  // abuse is harm done to a child; in the 30k test set 15 of 16 such rows are also labelled violence
  child_abuse: 'violence',
  // no political category, and controversy is not a harm of its own kind
  'controversial_topics,politics': 'other',
  'discrimination,stereotype,injustice': 'hate_harassment',
  'drug_abuse,weapons,banned_substance': 'illegal_weapons',
  // the label is "Illegal activity or weapons", and theft and fraud are illegal activity
  'financial_crime,property_crime,theft': 'illegal_weapons',
  'hate_speech,offensive_language': 'hate_harassment',
  // wrong claims about laws and safety are the "dangerous legal advice" the label names
  'misinformation_regarding_ethics,laws_and_safety': 'dangerous_advice',
  // unethical but lawful (lying, cheating): no closer category than "other harm"
  non_violent_unethical_behavior: 'other',
  privacy_violation: 'privacy',
  self_harm: 'self_harm',
  'sexually_explicit,adult_content': 'sexual',
  // planning attacks and running crime rings is illegal activity; the violent side is labelled
  // separately (24 of 31 such rows in the 30k test set are also violence,aiding_and_abetting,…)
  'terrorism,organized_crime': 'illegal_weapons',
  'violence,aiding_and_abetting,incitement': 'violence',
};

/**
 * The flag categories of one row: each true source category goes to its target (null targets are
 * dropped); a true category the map does not name goes to "other" and is listed in `unmapped`, so
 * no label is lost silently. Categories come out distinct, in FLAG_CATEGORIES order.
 */
export function mapCategories(
  source: Record<string, boolean>,
  map: CategoryMap,
): { categories: FlagCategory[]; unmapped: string[] } {
  const hit = new Set<FlagCategory>();
  const unmapped: string[] = [];
  for (const [name, on] of Object.entries(source)) {
    if (on !== true) continue;
    if (Object.hasOwn(map, name)) {
      const target = map[name];
      if (target) hit.add(target);
    } else {
      hit.add('other');
      unmapped.push(name);
    }
  }
  return { categories: FLAG_CATEGORIES.filter((c) => hit.has(c)), unmapped };
}

/** A category map from JSON text, or a UserInputError prefixed with `where` (a file name or flag). */
export function parseCategoryMap(text: string, where: string): CategoryMap {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`${where}: the category map is not valid JSON (${(error as Error).message})`);
  }
  const result = CategoryMapSchema.safeParse(value);
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new UserInputError(`${where}: ${first!.message}${more}`);
  }
  return result.data;
}
