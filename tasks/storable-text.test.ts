import { describe, expect, it } from 'vitest';
import { findUnstorableText, unstorableText } from './storable-text';

describe('storable text', () => {
  it('accepts ordinary text, emoji pairs and escapes written out', () => {
    for (const text of ['', 'plain', '👩‍👩‍👧‍👦 family', 'e\u0301', '\\u0000 as written', '中文'])
      expect(unstorableText(text)).toBeNull();
  });

  it('names NULs and lone surrogates', () => {
    expect(unstorableText('a\u0000b')).toMatch(/NUL character/);
    expect(unstorableText('\ud83d')).toMatch(/surrogate/);
    expect(unstorableText('x\ude00')).toMatch(/surrogate/);
    expect(unstorableText('\ude00\ud83d')).toMatch(/surrogate/);
  });

  it('finds the first bad string or key with its path', () => {
    expect(findUnstorableText({ a: ['ok', { b: 'x\u0000' }] })).toBe(
      'a.1.b: contains a NUL character (\\u0000), which cannot be stored',
    );
    expect(findUnstorableText({ meta: { 'k\u0000': 1 } })).toMatch(
      /^meta: the key "k\\u0000" contains a NUL/,
    );
    expect(findUnstorableText('\ud800')).toMatch(/^contains half/);
    expect(findUnstorableText({ n: 1, b: true, z: null, list: [[]] })).toBeNull();
  });
});
