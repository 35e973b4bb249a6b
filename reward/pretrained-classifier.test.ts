import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPretrainedClassifier, PretrainedModelUnavailableError } from './pretrained-classifier';
import { forbidNetwork } from './testing/no-network';
import { TINY_SENTIMENT_LABELS, writeTinySentimentModel } from './testing/tiny-sentiment-model';

let root: string;
forbidNetwork();
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-pretrained-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('loadPretrainedClassifier', () => {
  it('loads offline, names its classes from config.json and classifies by the model', async () => {
    // model ids differ per test: the library memoizes lookups by id for the whole process
    writeTinySentimentModel(root, 'test/tiny-sst2');
    const model = await loadPretrainedClassifier({
      modelId: 'test/tiny-sst2',
      localModelPath: root,
      allowRemoteModels: false,
      batchSize: 2,
    });
    try {
      expect(model.labels).toEqual([...TINY_SENTIMENT_LABELS]);
      const texts = ['this is great', 'the answer is awful', 'the answer', 'good good and bad'];
      const probs = await model.classify(texts);
      expect(probs).toHaveLength(4);
      for (const p of probs) expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
      expect(probs[0]![1]).toBeGreaterThan(0.8); // great → POSITIVE
      expect(probs[1]![0]).toBeGreaterThan(0.8); // awful → NEGATIVE
      expect(probs[2]![1]).toBeCloseTo(0.5, 6); // no cue
      expect(probs[3]![1]).toBeGreaterThan(0.5);
      // batching and padding do not change a text's scores
      const alone = await model.classify([texts[3]!]);
      expect(alone[0]![1]).toBeCloseTo(probs[3]![1]!, 6);
    } finally {
      await model.dispose();
    }
    await expect(model.classify(['x'])).rejects.toThrow(/disposed/);
  });

  it('names the directory and the missing files when the model is not there', async () => {
    const attempt = loadPretrainedClassifier({
      modelId: 'test/absent',
      localModelPath: root,
      allowRemoteModels: false,
    });
    await expect(attempt).rejects.toThrow(PretrainedModelUnavailableError);
    await expect(attempt).rejects.toThrow(`no directory ${path.join(root, 'test/absent')}`);

    const dir = writeTinySentimentModel(root, 'test/no-weights');
    fs.rmSync(path.join(dir, 'onnx'), { recursive: true });
    await expect(
      loadPretrainedClassifier({
        modelId: 'test/no-weights',
        localModelPath: root,
        allowRemoteModels: false,
      }),
    ).rejects.toThrow(/missing onnx\/model\.onnx/);
  });

  it('refuses a model whose config.json does not name its classes, and ids that leave the directory', async () => {
    const dir = writeTinySentimentModel(root, 'test/no-labels');
    const configFile = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    config.id2label = { 0: 'ONLY' };
    fs.writeFileSync(configFile, JSON.stringify(config));
    await expect(
      loadPretrainedClassifier({ modelId: 'test/no-labels', localModelPath: root, allowRemoteModels: false }),
    ).rejects.toThrow(/fewer than two classes/);
    await expect(
      loadPretrainedClassifier({ modelId: '../escape', localModelPath: root, allowRemoteModels: false }),
    ).rejects.toThrow(/not a model id like owner\/name/);
  });

  it('wraps a library failure (corrupt weights) with its cause', async () => {
    const dir = writeTinySentimentModel(root, 'test/corrupt');
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), 'not a protobuf');
    const error = await loadPretrainedClassifier({
      modelId: 'test/corrupt',
      localModelPath: root,
      allowRemoteModels: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PretrainedModelUnavailableError);
    expect((error as Error).message).toMatch(/could not be loaded/);
    expect((error as Error).cause).toBeDefined();
  });
});
