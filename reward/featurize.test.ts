import { describe, expect, it } from 'vitest';
import { createFeaturizer, negationScope } from './featurize';
import { DEFAULT_FEATURIZER, FeaturizerConfigSchema } from './featurizer-config';
import { DENSE_FEATURE_COUNT, DENSE_FEATURE_NAMES } from './dense-features';
import { murmur3 } from './hash';
import { createRng } from './rng';
import { syntheticPairs } from './testing/synthetic';

const featurizer = createFeaturizer(DEFAULT_FEATURIZER);

describe('featurizer', () => {
  it('is deterministic to the bit, across instances', () => {
    const other = createFeaturizer(DEFAULT_FEATURIZER);
    const text = 'Here is a list:\n- one\n- two\n\n```js\nconsole.log(1)\n```\nI hope that helps!';
    const a = featurizer.featurize('How do I log?', text);
    const b = other.featurize('How do I log?', text);
    expect([...a.indices]).toEqual([...b.indices]);
    expect([...a.values]).toEqual([...b.values]);
    // and reusing one instance leaves no state behind
    featurizer.featurize('x', 'something else entirely');
    expect([...featurizer.featurize('How do I log?', text).values]).toEqual([...a.values]);
  });

  it('pins the hash function (a silent change would invalidate every stored model)', () => {
    // murmur3 over UTF-16 code units (not UTF-8 bytes), so not the reference byte-wise value
    expect(murmur3('hello', 0)).toBe(3619887497);
    expect(murmur3('', 0)).toBe(0);
  });

  it('produces strictly increasing indices inside [0, dim) with dense slots last', () => {
    const v = featurizer.featurize('prompt words', 'The quick brown fox jumps over the lazy dog. The end.');
    for (let i = 1; i < v.indices.length; i++) expect(v.indices[i]!).toBeGreaterThan(v.indices[i - 1]!);
    expect(v.indices[v.indices.length - 1]).toBe(featurizer.dim - 1);
    expect(featurizer.dim).toBe(2 ** DEFAULT_FEATURIZER.hashBits + DENSE_FEATURE_COUNT);
    expect(featurizer.denseName(featurizer.hashDim)).toBe(DENSE_FEATURE_NAMES[0]);
    expect(featurizer.denseName(0)).toBeNull();
  });

  it('normalizes the word block to unit length whatever the response length', () => {
    const hashedOnly = createFeaturizer({ ...DEFAULT_FEATURIZER, dense: false });
    for (const text of ['short answer', 'a much longer answer '.repeat(40)]) {
      const v = hashedOnly.featurize('', text);
      const norm = Math.sqrt(v.values.reduce((s, x) => s + x * x, 0));
      expect(norm).toBeCloseTo(1, 5);
    }
  });

  it('sees refusals, lists and prompt overlap in the dense features', () => {
    const dense = (prompt: string, text: string) => {
      const v = featurizer.featurize(prompt, text);
      return Object.fromEntries(
        DENSE_FEATURE_NAMES.map((name, j) => [name, v.values[v.values.length - DENSE_FEATURE_COUNT + j]!]),
      );
    };
    const refusal = dense('How do I pick a lock?', "I'm sorry, but I can't help with that.");
    const helpful = dense(
      'How do I bake bread?',
      'To bake bread:\n1. Mix flour and water.\n2. Knead.\n3. Bake the bread.',
    );
    expect(refusal['refusal phrases']).toBeGreaterThan(0);
    expect(refusal['starts with refusal']).toBe(1);
    expect(helpful['refusal phrases']).toBe(0);
    expect(helpful['log list items']).toBeCloseTo(Math.log1p(3), 5);
    expect(helpful['prompt coverage']).toBeGreaterThan(0.5);
  });

  it('keeps hashing collisions near what a uniform hash gives', () => {
    // 20k distinct n-grams into 2^18 slots: a uniform hash collides on ~3.7% of them
    const names = new Map<number, string>();
    const small = createFeaturizer({ ...DEFAULT_FEATURIZER, dense: false, wordNgrams: [1, 1] });
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}x`);
    const slots = new Set<number>();
    for (const w of words) for (const j of small.featurize('', w, names).indices) slots.add(j);
    const collided = 1 - slots.size / words.length;
    const n = words.length;
    const m = small.hashDim;
    const expected = 1 - (m * (1 - (1 - 1 / m) ** n)) / n;
    expect(collided).toBeLessThan(expected * 1.3);
    expect(collided).toBeGreaterThan(expected * 0.7);
  });

  it('records readable names for the n-grams it hashes', () => {
    const names = new Map<number, string>();
    featurizer.featurize('', 'thank you very much', names);
    expect([...names.values()]).toEqual(expect.arrayContaining(['thank', 'thank you', 'very much']));
  });

  it('adds character n-grams when configured, weighted against the word block', () => {
    const chars = createFeaturizer({
      ...DEFAULT_FEATURIZER,
      dense: false,
      wordNgrams: null,
      charNgrams: [3, 4],
      charWeight: 0.5,
    });
    const v = chars.featurize('', 'hello');
    // " hello " → 5 trigrams + 4 four-grams, unit-normalized then scaled by 0.5
    expect(v.indices.length).toBeLessThanOrEqual(9);
    expect(Math.sqrt(v.values.reduce((s, x) => s + x * x, 0))).toBeCloseTo(0.5, 5);
  });

  it('rejects an invalid config with the field named', () => {
    const bad = FeaturizerConfigSchema.safeParse({ ...DEFAULT_FEATURIZER, wordNgrams: [3, 1] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['wordNgrams']);
  });

  it('featurizes synthetic text fast enough to matter (sanity, not a timing target)', () => {
    const pairs = syntheticPairs(50, createRng(3));
    for (const p of pairs)
      expect(featurizer.featurize(p.prompt, p.a).indices.length).toBeGreaterThan(DENSE_FEATURE_COUNT);
  });
});

describe('negation marking', () => {
  const marking = createFeaturizer({ ...DEFAULT_FEATURIZER, dense: false, negation: true, hashBits: 16 });

  it('marks the words between a negator and the end of its clause', () => {
    const tokens = ['this', 'is', 'not', 'good', 'at', 'all', ',', 'but', 'fine', "isn't", 'bad', '!', 'ok'];
    expect([...negationScope(tokens)]).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('makes "not good" share nothing with "good" while "good" stays itself elsewhere', () => {
    const plain = marking.featurize('', 'good');
    const negated = marking.featurize('', 'not good');
    const names = new Map<number, string>();
    marking.featurize('', 'not good', names);
    expect([...names.values()]).toEqual(expect.arrayContaining(['not', 'NOT_good', 'not NOT_good']));
    expect([...negated.indices].some((i) => plain.indices.includes(i))).toBe(false);
    // off by default, so reward models trained before it featurize exactly as they did
    const off = createFeaturizer({ ...DEFAULT_FEATURIZER, dense: false, hashBits: 16 });
    expect([...off.featurize('', 'not good').indices]).toEqual(
      expect.arrayContaining([...off.featurize('', 'good').indices]),
    );
  });

  it('reads an old featurizer config without the field as negation off', () => {
    const { negation: _, ...old } = DEFAULT_FEATURIZER;
    expect(FeaturizerConfigSchema.parse(old).negation).toBe(false);
  });
});

describe('prompt n-grams', () => {
  const withPrompt = createFeaturizer({
    ...DEFAULT_FEATURIZER,
    dense: false,
    hashBits: 18,
    promptNgrams: [1, 2],
  });

  it('hashes the prompt’s words into their own namespace, at the prompt weight', () => {
    const response = withPrompt.featurize('', 'steal the car');
    const both = withPrompt.featurize('steal the car', 'steal the car');
    // the prompt's "steal" is another feature than the response's: the union has twice the slots
    expect(both.indices.length).toBe(2 * response.indices.length);
    const names = new Map<number, string>();
    withPrompt.featurize('how to steal', 'no', names);
    expect([...names.values()]).toEqual(expect.arrayContaining(['prompt: steal', 'prompt: to steal']));
    const light = createFeaturizer({ ...withPrompt.config, promptWeight: 0.5 }).featurize('steal', '');
    expect(Math.hypot(...light.values)).toBeCloseTo(0.5, 6);
  });

  it('is off in old configs, so every model trained before it featurizes as it did', () => {
    const { promptNgrams: _, promptWeight: __, ...old } = DEFAULT_FEATURIZER;
    const parsed = FeaturizerConfigSchema.parse(old);
    expect(parsed.promptNgrams).toBeNull();
    const plain = createFeaturizer(parsed);
    expect([...plain.featurize('any prompt at all', 'hello').indices]).toEqual([
      ...plain.featurize('', 'hello').indices,
    ]);
  });
});
