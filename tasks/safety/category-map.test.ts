import { describe, expect, it } from 'vitest';
import { FLAG_CATEGORIES } from '../../db/schema';
import { UserInputError } from '../errors';
import {
  CategoryMapSchema,
  DEFAULT_BEAVERTAILS_MAP,
  mapCategories,
  parseCategoryMap,
  type CategoryMap,
} from './category-map';

const BEAVERTAILS = [
  'animal_abuse',
  'child_abuse',
  'controversial_topics,politics',
  'discrimination,stereotype,injustice',
  'drug_abuse,weapons,banned_substance',
  'financial_crime,property_crime,theft',
  'hate_speech,offensive_language',
  'misinformation_regarding_ethics,laws_and_safety',
  'non_violent_unethical_behavior',
  'privacy_violation',
  'self_harm',
  'sexually_explicit,adult_content',
  'terrorism,organized_crime',
  'violence,aiding_and_abetting,incitement',
];
const ALLOWED =
  'use one of violence, self_harm, sexual, hate_harassment, illegal_weapons, privacy, dangerous_advice, other or null';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as Error).message;
  }
  throw new Error('expected a UserInputError');
}

describe('DEFAULT_BEAVERTAILS_MAP', () => {
  it('names exactly the 14 BeaverTails categories and is a valid map', () => {
    expect(Object.keys(DEFAULT_BEAVERTAILS_MAP).sort()).toEqual(BEAVERTAILS);
    expect(CategoryMapSchema.parse(DEFAULT_BEAVERTAILS_MAP)).toEqual(DEFAULT_BEAVERTAILS_MAP);
  });

  it('gives every category a flag, and the unambiguous ones the obvious flag', () => {
    for (const target of Object.values(DEFAULT_BEAVERTAILS_MAP)) expect(FLAG_CATEGORIES).toContain(target);
    expect(DEFAULT_BEAVERTAILS_MAP).toMatchObject({
      self_harm: 'self_harm',
      privacy_violation: 'privacy',
      'sexually_explicit,adult_content': 'sexual',
      'drug_abuse,weapons,banned_substance': 'illegal_weapons',
      'financial_crime,property_crime,theft': 'illegal_weapons',
      'hate_speech,offensive_language': 'hate_harassment',
      'violence,aiding_and_abetting,incitement': 'violence',
    });
  });
});

describe('mapCategories', () => {
  it('maps true categories, distinct and in FLAG_CATEGORIES order, ignoring false ones', () => {
    const source = Object.fromEntries(BEAVERTAILS.map((name) => [name, false]));
    Object.assign(source, {
      privacy_violation: true,
      'violence,aiding_and_abetting,incitement': true,
      animal_abuse: true,
      'hate_speech,offensive_language': true,
      'discrimination,stereotype,injustice': true,
    });
    expect(mapCategories(source, DEFAULT_BEAVERTAILS_MAP)).toEqual({
      categories: ['violence', 'hate_harassment', 'privacy'],
      unmapped: [],
    });
  });

  it('drops categories mapped to null', () => {
    const map: CategoryMap = { politics: null, theft: 'illegal_weapons' };
    expect(mapCategories({ politics: true, theft: false }, map)).toEqual({ categories: [], unmapped: [] });
    expect(mapCategories({ politics: true, theft: true }, map)).toEqual({
      categories: ['illegal_weapons'],
      unmapped: [],
    });
  });

  it('sends true categories the map does not name to "other" and lists them', () => {
    const map: CategoryMap = { theft: 'illegal_weapons' };
    expect(mapCategories({ gambling: true, theft: true, spam: true, unseen: false }, map)).toEqual({
      categories: ['illegal_weapons', 'other'],
      unmapped: ['gambling', 'spam'],
    });
  });

  it('looks names up as own keys only ("toString" is not in every map)', () => {
    expect(mapCategories({ toString: true, constructor: true }, {})).toEqual({
      categories: ['other'],
      unmapped: ['toString', 'constructor'],
    });
    const source = JSON.parse('{"__proto__": true}') as Record<string, boolean>;
    expect(mapCategories(source, {})).toEqual({ categories: ['other'], unmapped: ['__proto__'] });
  });

  it('gives nothing for a row with no true category', () => {
    expect(mapCategories({}, DEFAULT_BEAVERTAILS_MAP)).toEqual({ categories: [], unmapped: [] });
  });
});

describe('CategoryMapSchema', () => {
  it('accepts categories and null', () => {
    expect(CategoryMapSchema.parse({ a: 'violence', b: null })).toEqual({ a: 'violence', b: null });
    expect(CategoryMapSchema.parse({})).toEqual({});
  });

  it('names the key, the value and the allowed values for an unknown target', () => {
    const result = CategoryMapSchema.safeParse({ ok: 'other', foo: 'violent' });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]).toMatchObject({
      path: ['foo'],
      message: `"foo" maps to "violent", which is not a category; ${ALLOWED}`,
    });
  });

  it('rejects non-string targets, empty and over-long names, too many entries, non-objects', () => {
    const first = (value: unknown) => CategoryMapSchema.safeParse(value).error?.issues[0]?.message;
    expect(first({ foo: 3 })).toBe(`"foo" maps to 3, which is not a category; ${ALLOWED}`);
    expect(first({ foo: ['violence'] })).toBe(
      `"foo" maps to ["violence"], which is not a category; ${ALLOWED}`,
    );
    expect(first({ '': 'violence' })).toBe('a source category name is empty');
    expect(first({ '  ': 'violence' })).toBe('a source category name is empty');
    expect(first({ ['x'.repeat(201)]: 'violence' })).toBe(
      `source category "${'x'.repeat(40)}…" is longer than 200 characters`,
    );
    expect(CategoryMapSchema.safeParse({ ['x'.repeat(200)]: 'violence' }).success).toBe(true);
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, 'other']));
    expect(CategoryMapSchema.safeParse(many(200)).success).toBe(true);
    expect(first(many(201))).toBe('the category map has 201 entries; at most 200 are allowed');
    for (const value of [[], 'violence', null, 3])
      expect(first(value)).toMatch(
        /^the category map must be a JSON object from source category to one of violence, /,
      );
  });
});

describe('parseCategoryMap', () => {
  it('parses JSON text into a map', () => {
    expect(parseCategoryMap('{"theft": "illegal_weapons", "politics": null}', 'map.json')).toEqual({
      theft: 'illegal_weapons',
      politics: null,
    });
  });

  it('keeps a "__proto__" key as an ordinary source category', () => {
    const map = parseCategoryMap('{"__proto__": "privacy"}', 'map.json');
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(mapCategories(JSON.parse('{"__proto__": true}'), map)).toEqual({
      categories: ['privacy'],
      unmapped: [],
    });
  });

  it('throws UserInputError prefixed with where', () => {
    expect(messageOf(() => parseCategoryMap('{"foo": "violent"}', '--category-map'))).toBe(
      `--category-map: "foo" maps to "violent", which is not a category; ${ALLOWED}`,
    );
    expect(messageOf(() => parseCategoryMap('{"a": "x", "b": "y", "c": "other"}', 'map.json'))).toBe(
      `map.json: "a" maps to "x", which is not a category; ${ALLOWED} (and 1 more problem)`,
    );
    expect(messageOf(() => parseCategoryMap('{"a": "x", "b": "y", "c": "z"}', 'map.json'))).toMatch(
      / \(and 2 more problems\)$/,
    );
    expect(messageOf(() => parseCategoryMap('{"a": ', 'map.json'))).toMatch(
      /^map\.json: the category map is not valid JSON \(.+\)$/,
    );
    expect(messageOf(() => parseCategoryMap('["violence"]', 'map.json'))).toMatch(
      /^map\.json: the category map must be a JSON object/,
    );
  });
});
