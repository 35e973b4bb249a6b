import { expect, it } from 'vitest';
import type { LabelledItem } from '../db/queries/sentiment';
import { trainingExamples } from './sentiment-cycle';

const LABELS = ['negative', 'neutral', 'positive'];
const item = (id: string, votes: [string, string | null][], isHoldout = false): LabelledItem => ({
  item_id: id,
  text: `text ${id}`,
  is_holdout: isHoldout,
  labels: votes.map(([label]) => label),
  annotators: votes.map(([, annotator]) => annotator),
});
const items = [
  item('1', [
    ['positive', 'good'],
    ['negative', 'poor'],
    ['positive', 'typical'],
  ]),
  item('2', [['neutral', 'poor']]),
  item('3', [['negative', null]]),
  item('4', [['positive', 'good']], true),
];

it('trains on the vote shares, each item weighted by its number of votes', () => {
  expect(trainingExamples(items, LABELS)).toEqual([
    { text: 'text 1', target: [1 / 3, 0, 2 / 3], weight: 3 },
    { text: 'text 2', target: [0, 1, 0], weight: 1 },
    { text: 'text 3', target: [1, 0, 0], weight: 1 },
  ]);
});

it('counts each vote with its annotator’s reliability weight (1 for anyone not listed) when given', () => {
  const weights = new Map([
    ['good', 1.5],
    ['poor', 0.25],
  ]);
  const examples = trainingExamples(items, LABELS, weights);
  expect(examples.map((e) => e.text)).toEqual(['text 1', 'text 2', 'text 3']);
  expect(examples[0]!.weight).toBeCloseTo(2.75, 12);
  expect(examples[0]!.target[0]).toBeCloseTo(0.25 / 2.75, 12);
  expect(examples[0]!.target[2]).toBeCloseTo(2.5 / 2.75, 12);
  expect(examples[1]).toEqual({ text: 'text 2', target: [0, 1, 0], weight: 0.25 });
  expect(examples[2]).toEqual({ text: 'text 3', target: [1, 0, 0], weight: 1 });
  // unit weights are the unweighted examples exactly; an item whose votes weigh nothing is left out
  expect(trainingExamples(items, LABELS, new Map([['good', 1]]))).toEqual(trainingExamples(items, LABELS));
  expect(trainingExamples(items, LABELS, new Map([['poor', 0]])).map((e) => e.text)).toEqual([
    'text 1',
    'text 3',
  ]);
});
