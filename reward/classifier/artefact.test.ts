import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir, type ModelManifest } from '../artefact';
import { DEFAULT_FEATURIZER } from '../featurizer-config';
import { ModelArtefactError } from '../model-file';
import { syntheticTexts } from '../testing/synthetic-text';
import {
  decodeClassifier,
  encodeClassifier,
  loadClassifierBytes,
  loadClassifierDir,
  saveClassifierDir,
  type ClassifierManifest,
} from './artefact';
import { predictTexts, predictTextsOnnx } from './predict';
import { trainAndEvaluateClassifier } from './run';
import { DEFAULT_CLASSIFIER_FEATURIZER } from './train';

const config = { ...DEFAULT_CLASSIFIER_FEATURIZER, hashBits: 14 };
const data = syntheticTexts({ classes: 3, count: 400, seed: 21, noise: 0.1 });
const run = trainAndEvaluateClassifier(data.examples, data.labels, {
  task: 'sentiment',
  seed: 1,
  testFraction: 0.2,
  featurizer: config,
  sources: ['synthetic'],
});

/** Texts a classifier meets in the wild: empty, non-Latin, emoji, very long, markup. */
function awkwardTexts(): string[] {
  const out = [
    '',
    ' ',
    '!!!',
    'не плохо вообще',
    '这部电影很好看',
    '🙂🙂 great 🙃',
    '<b>bold</b> & "quotes"',
  ];
  out.push(Array.from({ length: 5000 }, (_, i) => `cue${i % 3}x${i % 30} word${i % 300}`).join(' '));
  for (let i = out.length; i < 1000; i++) out.push(data.examples[i % data.examples.length]!.text);
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'arbiter-classifier-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function expectError(promise: Promise<unknown>, fragment: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelArtefactError);
  expect((error as Error).message).toContain(fragment);
}

describe('classifier artefact', () => {
  it('scores through ONNX within 1e-5 of the in-process classifier on 1,000 texts, calibrated softmax included', async () => {
    const bytes = encodeClassifier(run.model.head, run.manifest);
    const { scorer, manifest } = await loadClassifierBytes(bytes);
    try {
      expect(manifest.labels).toEqual(data.labels);
      const texts = awkwardTexts();
      const onnx = await predictTextsOnnx(scorer, run.model.featurizer, texts);
      const local = predictTexts(run.model.head, run.model.featurizer, texts);
      expect(onnx).toHaveLength(texts.length * 3);
      let max = 0;
      for (let i = 0; i < onnx.length; i++) max = Math.max(max, Math.abs(onnx[i]! - local[i]!));
      expect(max).toBeLessThan(1e-5);
      for (let r = 0; r < texts.length; r++)
        expect(onnx[r * 3]! + onnx[r * 3 + 1]! + onnx[r * 3 + 2]!).toBeCloseTo(1, 5);
    } finally {
      await scorer.dispose();
    }
  });

  it('is byte-identical for the same model and keeps the weights bit-exact', () => {
    const a = encodeClassifier(run.model.head, run.manifest);
    const b = encodeClassifier(run.model.head, run.manifest);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const decoded = decodeClassifier(a);
    expect(Buffer.from(decoded.head.weights.buffer).equals(Buffer.from(run.model.head.weights.buffer))).toBe(
      true,
    );
    expect(decoded.manifest).toEqual(run.manifest);
  });

  it('saves a directory that loads again, and names what is wrong with one that does not', async () => {
    const target = path.join(dir, 'good');
    const saved = await saveClassifierDir(target, run.model.head, run.manifest);
    expect(saved.onnx.file).toBe('model.onnx');
    const loaded = await loadClassifierDir(target);
    await loaded.scorer.dispose();
    expect(loaded.manifest.labels).toEqual(data.labels);

    const edited = path.join(dir, 'edited');
    await saveClassifierDir(edited, run.model.head, run.manifest);
    const file = path.join(edited, 'manifest.json');
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as ClassifierManifest;
    json.labels = ['a', 'b', 'c'];
    await fs.writeFile(file, JSON.stringify(json));
    await expectError(
      loadClassifierDir(edited),
      'disagrees with the manifest embedded in model.onnx at field "labels.0"',
    );
  });

  it('refuses a reward model where a classifier is expected, and the other way round', async () => {
    const rewardDir = path.join(dir, 'reward');
    const head = run.model.head;
    const rewardManifest: ModelManifest = {
      format: 'arbiter-reward-model',
      formatVersion: 1,
      axis: 'helpfulness',
      createdAt: '2026-01-01T00:00:00.000Z',
      featurizer: { ...DEFAULT_FEATURIZER, hashBits: 14, dense: false },
      dim: head.dim,
      members: head.members,
      snapshot: { id: 's', pairs: 1, sources: [] },
      metrics: {},
      topFeatures: [],
      denseFeatureNames: [],
    };
    await saveModelDir(rewardDir, head, rewardManifest);
    await expectError(
      loadClassifierDir(rewardDir),
      'is not an Arbiter text classifier (format "arbiter-reward-model"',
    );
    const { loadArtefactBytes } = await import('../artefact');
    await expectError(
      loadArtefactBytes(encodeClassifier(head, run.manifest)),
      'is not an Arbiter reward model (format "arbiter-text-classifier"',
    );
  });

  it('will not write a manifest whose labels do not fit the head', () => {
    expect(() => encodeClassifier(run.model.head, { ...run.manifest, labels: ['a', 'b'] })).toThrow(
      /head of shape \[16384, 3\] under a manifest that says dim 16384 and classes 2/,
    );
    expect(() => encodeClassifier(run.model.head, { ...run.manifest, labels: ['a', 'a', 'b'] })).toThrow(
      /labels must be distinct/,
    );
  });
});
