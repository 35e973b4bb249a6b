import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { chooseConsensusMethod } from './consensus-method';
import { dawidSkene, majorityVote } from './dawid-skene';
import { simulateCrowd } from './simulate-crowd';

const CLASSES = ['x', 'y', 'z'];
const GOOD = [
  [0.85, 0.1, 0.05],
  [0.1, 0.85, 0.05],
  [0.05, 0.1, 0.85],
];
// Systematically swaps x and y: majority vote suffers, a confusion model learns the swap.
const SWAPPER = [
  [0.1, 0.85, 0.05],
  [0.85, 0.1, 0.05],
  [0.05, 0.1, 0.85],
];
const PERFECT = CLASSES.map((_, k) => CLASSES.map((_, l) => (k === l ? 1 : 0)));

const crowd = (confusions: number[][][], seed: number) =>
  simulateCrowd({ classes: CLASSES, items: 400, priors: [0.4, 0.4, 0.2], confusions }, createRng(seed));
const firstN = (map: ReadonlyMap<string, string>, n: number) => new Map([...map].slice(0, n));

describe('choosing the consensus method on gold', () => {
  it('picks Dawid-Skene when adversarial annotators make it beat majority vote on gold', () => {
    const { rows, truth } = crowd([GOOD, GOOD, GOOD, GOOD, SWAPPER, SWAPPER, SWAPPER], 8);
    const choice = chooseConsensusMethod(rows, firstN(truth, 200));
    expect(choice.method).toBe('dawid-skene');
    expect(choice.consensus).toEqual(dawidSkene(rows).consensus);
    const [majority, oneCoin, full] = choice.scores;
    expect(choice.scores.map((s) => s.method)).toEqual(['majority', 'one-coin', 'dawid-skene']);
    expect(full!.accuracy).toBeGreaterThan(majority!.accuracy + 0.1);
    expect(full!.accuracy).toBeGreaterThan(oneCoin!.accuracy);
    for (const s of choice.scores) {
      expect(s.n).toBe(200);
      expect(s.accuracy).toBe(s.correct / s.n);
      expect(s.low).toBeLessThanOrEqual(s.accuracy);
      expect(s.high).toBeGreaterThanOrEqual(s.accuracy);
    }
    expect(choice.reason).toMatch(
      /^Dawid-Skene scored 0\.\d\d on 200 gold items, majority vote 0\.\d\d: Dawid-Skene is used\.$/,
    );
  });

  it('keeps majority vote on a tie', () => {
    const { rows, truth } = crowd([PERFECT, PERFECT, PERFECT], 1);
    const choice = chooseConsensusMethod(rows, firstN(truth, 50));
    expect(choice.scores.every((s) => s.accuracy === 1)).toBe(true);
    expect(choice.method).toBe('majority');
    expect(choice.consensus).toEqual(majorityVote(rows).consensus);
    expect(choice.reason).toBe(
      'One-coin Dawid-Skene scored 1.00 on 50 gold items, the same as majority vote: majority vote is used.',
    );
  });

  it('keeps majority vote when it scores higher on gold', () => {
    const { rows } = crowd([GOOD, GOOD, GOOD, GOOD, SWAPPER, SWAPPER, SWAPPER], 8);
    // Gold that agrees with majority vote wherever the models disagree with it.
    const majority = majorityVote(rows).consensus;
    const choice = chooseConsensusMethod(rows, firstN(majority, 100));
    expect(choice.method).toBe('majority');
    expect(choice.consensus).toEqual(majority);
    expect(choice.scores[0]!.accuracy).toBe(1);
    expect(choice.reason).toMatch(
      /^(One-coin )?Dawid-Skene scored 0\.\d\d on 100 gold items, majority vote 1\.00: majority vote is used\.$/,
    );
  });

  it('uses majority vote until there are minGold gold items with labels', () => {
    const { rows, truth } = crowd([GOOD, GOOD, GOOD, GOOD, SWAPPER, SWAPPER, SWAPPER], 8);
    // 19 labelled gold items, plus gold for items nobody labelled, which cannot count.
    const gold = new Map([
      ...firstN(truth, 19),
      ...Array.from({ length: 30 }, (_, i) => [`unlabelled-${i}`, 'x'] as const),
    ]);
    const choice = chooseConsensusMethod(rows, gold);
    expect(choice.method).toBe('majority');
    expect(choice.consensus).toEqual(majorityVote(rows).consensus);
    expect(choice.scores.map((s) => [s.method, s.n])).toEqual([
      ['majority', 19],
      ['one-coin', 19],
      ['dawid-skene', 19],
    ]);
    expect(choice.reason).toBe(
      'Only 19 gold items have labels; majority vote until there are at least 20 to validate on.',
    );
    expect(chooseConsensusMethod(rows, firstN(truth, 19), { minGold: 10 }).method).toBe('dawid-skene');
  });

  it('does not clamp the gold it validates on', () => {
    const { rows } = crowd([GOOD, GOOD, GOOD, SWAPPER], 3);
    // Gold that contradicts everyone: a clamped fit would echo it back and score 100%.
    const contrary = new Map(
      [...majorityVote(rows).consensus].slice(0, 30).map(([i, c]) => [i, c === 'z' ? 'x' : 'z']),
    );
    const choice = chooseConsensusMethod(rows, contrary);
    expect(Math.max(...choice.scores.map((s) => s.accuracy))).toBeLessThan(0.2);
  });

  it('says when gold answers are outside the label vocabulary', () => {
    const { rows, truth } = crowd([GOOD, GOOD, GOOD], 2);
    const gold = new Map([...firstN(truth, 30), ['item-30', 'X']]);
    expect(chooseConsensusMethod(rows, gold).reason).toMatch(/ 1 gold answer is not one of the classes\.$/);
  });
});
