/**
 * The two things the simulator can teach: the reward model on preference pairs and the sentiment
 * classifier on labelled texts. Each featurizes its pool and test set once; every fit then trains
 * the real model (the same trainer the app runs) and scores the pool with its head.
 */
import { encodePairs, type TrainingPair } from '../../reward/dataset';
import { createFeaturizer } from '../../reward/featurize';
import type { FeaturizerConfig } from '../../reward/featurizer-config';
import { scoreRows } from '../../reward/head';
import { createRng, shuffled } from '../../reward/rng';
import { trainRewardModel, type TrainOptions } from '../../reward/train';
import {
  trainClassifier,
  type ClassifierTrainOptions,
  type TextExample,
} from '../../reward/classifier/train';
import { softmax, textRows } from '../../reward/classifier/predict';
import { selectRows, type SparseRows } from '../../reward/sparse';
import { DEFAULT_EMBEDDING_DIMS, embeddingLookup, projectRows } from './diversity';
import type { FittedModel, LabelledUnit, Learner } from './simulate';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Held-out split: seeded, `testFraction` of the units (at least one each side). */
function splitIndices(n: number, testFraction: number, seed: number): { pool: number[]; test: number[] } {
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    createRng(seed ^ 0x5e1ec7),
  );
  const testSize = Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
  return {
    test: order.slice(0, testSize).sort((a, b) => a - b),
    pool: order.slice(testSize).sort((a, b) => a - b),
  };
}

export interface PreferenceLearnerOptions {
  featurizer: FeaturizerConfig;
  train: Partial<TrainOptions>;
  /** a fixed held-out set; otherwise `testFraction` of `pairs` is held out */
  test?: readonly TrainingPair[];
  testFraction: number;
  /** the split is drawn with this seed, so every strategy and seed sees the same pool and test */
  splitSeed: number;
}

/**
 * Pairs in the file keep their preferred response as A; each is swapped with a seeded coin so the
 * simulated annotator answers A and B equally often (Bradley-Terry does not care; diversity does).
 */
export function preferenceLearner(
  pairs: readonly TrainingPair[],
  options: PreferenceLearnerOptions,
): Learner {
  const coin = createRng(options.splitSeed ^ 0xa11ce);
  const oriented = pairs.map((p) =>
    coin() < 0.5 ? { ...p } : { ...p, a: p.b, b: p.a, target: 1 - p.target },
  );
  const split = options.test
    ? { pool: oriented.map((_, i) => i), test: [] as number[] }
    : splitIndices(oriented.length, options.testFraction, options.splitSeed);
  const pool = split.pool.map((i) => oriented[i]!);
  const test = options.test ? [...options.test] : split.test.map((i) => oriented[i]!);
  const featurizer = createFeaturizer(options.featurizer);
  const encoded = encodePairs(featurizer, [...pool, ...test]);
  const at = (i: number) => ({ a: encoded.pairs.a[i]!, b: encoded.pairs.b[i]! });
  const poolIdx = pool.map((_, i) => i);
  const embedding = projectRows(encoded.rows, {
    plus: poolIdx.map((i) => at(i).a),
    minus: poolIdx.map((i) => at(i).b),
  });
  return {
    ids: pool.map((_, i) => `p${split.pool[i]}`),
    outcomes: 2,
    testSize: test.length,
    truth: (i) => (pool[i]!.target >= 0.5 ? 0 : 1),
    embedding: embeddingLookup(embedding, DEFAULT_EMBEDDING_DIMS),
    embeddingDims: DEFAULT_EMBEDDING_DIMS,
    fit(labelled: readonly LabelledUnit[], seed: number): FittedModel {
      const training: TrainingPair[] = labelled.map(({ index, votes }) => ({
        ...pool[index]!,
        target: votes[0]! / (votes[0]! + votes[1]!),
        weight: 1,
      }));
      const model = trainRewardModel(training, options.featurizer, { ...options.train, seed });
      const k = model.head.members;
      const scores = scoreRows(model.head, encoded.rows);
      const members = new Float64Array(pool.length * k * 2);
      const probabilities = new Float64Array(pool.length * 2);
      const pA = (i: number, m: number) => sigmoid(scores[at(i).a * k + m]! - scores[at(i).b * k + m]!);
      for (let i = 0; i < pool.length; i++) {
        let mean = 0;
        for (let m = 0; m < k; m++) {
          const p = pA(i, m);
          members[(i * k + m) * 2] = p;
          members[(i * k + m) * 2 + 1] = 1 - p;
          mean += p / k;
        }
        probabilities[i * 2] = mean;
        probabilities[i * 2 + 1] = 1 - mean;
      }
      let right = 0;
      for (let t = 0; t < test.length; t++) {
        const i = pool.length + t;
        let mean = 0;
        for (let m = 0; m < k; m++) mean += pA(i, m) / k;
        const target = test[t]!.target;
        right += mean === 0.5 || target === 0.5 ? 0.5 : mean > 0.5 === target > 0.5 ? 1 : 0;
      }
      return {
        probabilities,
        members: k > 1 ? members : null,
        memberCount: k,
        accuracy: right / test.length,
      };
    },
  };
}

export interface SentimentUnit {
  text: string;
  /** index into `labels` */
  label: number;
}

export interface SentimentLearnerOptions {
  labels: readonly string[];
  featurizer: FeaturizerConfig;
  train: Partial<ClassifierTrainOptions>;
  test?: readonly SentimentUnit[];
  testFraction: number;
  splitSeed: number;
}

/** Texts with labels as a learner: the pool answers with its label, the test set scores the fit. */
export function sentimentLearner(units: readonly SentimentUnit[], options: SentimentLearnerOptions): Learner {
  const split = options.test
    ? { pool: units.map((_, i) => i), test: [] as number[] }
    : splitIndices(units.length, options.testFraction, options.splitSeed);
  const pool = split.pool.map((i) => units[i]!);
  const test = options.test ? [...options.test] : split.test.map((i) => units[i]!);
  const featurizer = createFeaturizer(options.featurizer);
  const rows: SparseRows = textRows(
    featurizer,
    [...pool, ...test].map((u) => u.text),
  );
  const poolRows = selectRows(
    rows,
    pool.map((_, i) => i),
  );
  const testRows = selectRows(
    rows,
    test.map((_, i) => pool.length + i),
  );
  const C = options.labels.length;
  const embedding = projectRows(rows, { plus: pool.map((_, i) => i) });
  return {
    ids: pool.map((_, i) => `t${split.pool[i]}`),
    outcomes: C,
    testSize: test.length,
    truth: (i) => pool[i]!.label,
    embedding: embeddingLookup(embedding, DEFAULT_EMBEDDING_DIMS),
    embeddingDims: DEFAULT_EMBEDDING_DIMS,
    fit(labelled: readonly LabelledUnit[], seed: number): FittedModel {
      const examples: TextExample[] = labelled.map(({ index, votes }) => {
        let total = 0;
        for (let c = 0; c < C; c++) total += votes[c]!;
        return { text: pool[index]!.text, target: Array.from(votes, (v) => v / total), weight: 1 };
      });
      const model = trainClassifier(examples, options.labels, options.featurizer, { ...options.train, seed });
      const probabilities = softmax(scoreRows(model.head, poolRows), C);
      const testProbabilities = softmax(scoreRows(model.head, testRows), C);
      let right = 0;
      for (let t = 0; t < test.length; t++) {
        let best = 0;
        for (let c = 1; c < C; c++)
          if (testProbabilities[t * C + c]! > testProbabilities[t * C + best]!) best = c;
        if (best === test[t]!.label) right++;
      }
      return { probabilities, members: null, memberCount: 1, accuracy: right / Math.max(1, test.length) };
    },
  };
}
