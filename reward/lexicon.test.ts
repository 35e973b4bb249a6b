import { describe, expect, it } from 'vitest';
import { compoundScore, lexiconProbabilities, polarityRoles } from './lexicon';

describe('the VADER cold start', () => {
  it('maps onto label sets by name, and declines label sets it cannot speak for', () => {
    expect(polarityRoles(['positive', 'negative', 'neutral'])).toEqual({
      positive: 0,
      negative: 1,
      neutral: 2,
    });
    expect(polarityRoles(['Negative', 'Positive'])).toEqual({ positive: 1, negative: 0, neutral: null });
    expect(
      polarityRoles(['Positive', 'Negative', 'Neutral / author is just sharing information', "I can't tell"]),
    ).toEqual({ positive: 0, negative: 1, neutral: 2 });
    expect(polarityRoles(['joy', 'anger', 'fear'])).toBeNull();
    expect(lexiconProbabilities('I love it', ['joy', 'anger'])).toBeNull();
  });

  it('leans the way the words do, and toward neutral when there is nothing to go on', () => {
    const labels = ['positive', 'negative', 'neutral'];
    const argmax = (p: Float64Array) => labels[p.indexOf(Math.max(...p))];
    expect(argmax(lexiconProbabilities('What a wonderful, friendly place. Loved it!', labels)!)).toBe(
      'positive',
    );
    expect(argmax(lexiconProbabilities('Cold food, rude staff, a terrible evening.', labels)!)).toBe(
      'negative',
    );
    expect(argmax(lexiconProbabilities('The meeting moved to room 4 at 3pm.', labels)!)).toBe('neutral');
    // VADER's rules: negation flips, "not bad" is mildly positive
    expect(compoundScore('not good')).toBeLessThan(0);
    for (const text of ['great', 'awful', 'a table', '']) {
      const p = lexiconProbabilities(text, labels)!;
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      // a lexicon is never certain
      expect(Math.max(...p)).toBeLessThanOrEqual(0.95);
    }
  });

  it('gives two-class label sets a distribution over just those two', () => {
    const p = lexiconProbabilities('absolutely brilliant', ['negative', 'positive'])!;
    expect(p[1]).toBeGreaterThan(0.75);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
  });
});
