import { describe, expect, it } from 'vitest';
import { candidatePairs, contentHash } from './content';
import { createRng, shuffled } from './rng';

describe('contentHash', () => {
  it('ignores line-ending style and surrounding whitespace, nothing else', () => {
    expect(contentHash('a\r\nb ')).toBe(contentHash('a\nb'));
    expect(contentHash('a b')).not.toBe(contentHash('a  b'));
  });

  it('distinguishes conversations by role as well as text', () => {
    expect(contentHash([{ role: 'user', content: 'hi' }])).not.toBe(
      contentHash([{ role: 'assistant', content: 'hi' }]),
    );
  });
});

describe('candidatePairs', () => {
  it('returns every unordered pair once, smaller id first', () => {
    const pairs = candidatePairs(['c', 'a', 'b', 'a'], 10, createRng(1));
    expect(pairs).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('caps the number of pairs and still covers every response', () => {
    const ids = Array.from({ length: 8 }, (_, i) => `r${i}`);
    const pairs = candidatePairs(ids, 5, createRng(7));
    expect(pairs).toHaveLength(5);
    expect(new Set(pairs.flat())).toEqual(new Set(ids));
    expect(candidatePairs(ids, 5, createRng(7))).toEqual(pairs);
  });
});

describe('rng', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const seq = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(seq);
    expect(createRng(43)()).not.toBe(seq[0]);
    expect(shuffled([1, 2, 3, 4, 5], createRng(3))).toEqual(shuffled([1, 2, 3, 4, 5], createRng(3)));
  });
});
