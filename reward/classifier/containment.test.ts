import { describe, expect, it } from 'vitest';
import { containers, wholeTextFolds, wholeTextSplit } from './containment';

const texts = [
  'The film is a joy from start to finish.', // 0: whole
  'a joy from start to finish', // 1: inside 0
  'from start to finish', // 2: inside 0 and 1
  'joy', // 3: one word, never treated as contained
  'An entirely different sentence about rain.', // 4: whole
  'FROM START TO FINISH', // 5: same tokens as 2, case aside: inside 0 and 1, and equal to 2 (not longer)
];

describe('containers', () => {
  it('finds every longer text that contains a text as a run of whole tokens, ignoring case', () => {
    const found = containers(texts);
    expect(found[0]).toEqual([]);
    expect(found[1]).toEqual([0]);
    expect(found[2]!.sort()).toEqual([0, 1]);
    expect(found[3]).toEqual([]);
    expect(found[4]).toEqual([]);
    expect(found[5]!.sort()).toEqual([0, 1]);
  });

  it('does not match inside words', () => {
    expect(containers(['art to fin', 'from start to finish'])).toEqual([[], []]);
  });
});

describe('whole-text validation', () => {
  const found = containers(texts);

  it('validates on whole texts only and keeps their fragments out of that fold’s training', () => {
    const folds = wholeTextFolds(found, [0, 1, 2, 3, 4, 5], 2);
    const valid = folds.flatMap((f) => f.valid).sort();
    expect(valid).toEqual([0, 3, 4]);
    for (const fold of folds) {
      if (fold.valid.includes(0))
        for (const fragment of [1, 2, 5]) expect(fold.train).not.toContain(fragment);
      else expect(fold.train).toEqual(expect.arrayContaining([0, 1, 2, 5]));
    }
  });

  it('gives a large-data split whose validation and removed fragments are about the share asked for', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `sentence number ${i} is about topic ${i % 7}`);
    const plain = wholeTextSplit(containers(many), [...many.keys()], 1000, 0.2);
    expect(plain.valid).toHaveLength(200);
    expect(plain.train).toHaveLength(800);
    const split = wholeTextSplit(found, [0, 1, 2, 3, 4, 5], 6, 0.5);
    // text 0 takes its three fragments with it: 4 of 6 texts, past the budget of 3
    expect(split.valid).toEqual([0]);
    expect(split.train).toEqual([3, 4]);
  });
});
