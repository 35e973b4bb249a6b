import { describe, expect, it } from 'vitest';
import { trainAndEvaluate } from './run';
import { DEFAULT_FEATURIZER } from './featurizer-config';
import { createRng } from './rng';
import { syntheticPairs } from './testing/synthetic';
import { decodeHead, encodeArtefact, loadArtefactBytes, ModelManifestSchema } from './artefact';
import { createFeaturizer } from './featurize';
import { scoreRows } from './head';
import { toRows } from './sparse';

describe('a training run, exported to ONNX', () => {
  const pairs = syntheticPairs(500, createRng(21));
  const run = trainAndEvaluate(pairs, {
    axis: 'helpfulness',
    seed: 3,
    testFraction: 0.2,
    featurizer: DEFAULT_FEATURIZER,
    train: { members: 5 },
    sources: ['synthetic'],
    learningCurve: true,
  });

  it('describes itself: a valid manifest with held-out metrics, a learning curve and features', () => {
    expect(ModelManifestSchema.safeParse(run.manifest).success).toBe(true);
    expect(run.metrics.train_pairs + run.metrics.test_pairs).toBe(500);
    expect(run.metrics.test?.n).toBe(100);
    expect(run.metrics.learning_curve.map((p) => p.pairs)).toEqual([50, 100, 200, 400]);
    expect(run.manifest.topFeatures.length).toBeGreaterThan(10);
    expect(run.manifest.snapshot.pairs).toBe(500);
  });

  it('scores 1,000 random texts through onnxruntime within 1e-5 of the in-process head', async () => {
    const bytes = encodeArtefact(run.model.head, run.manifest);
    const { scorer, manifest } = await loadArtefactBytes(bytes);
    try {
      const featurizer = createFeaturizer(manifest.featurizer);
      const rng = createRng(77);
      const extra = syntheticPairs(500, rng);
      const texts = extra.flatMap((p) => [p.a, p.b]);
      // edge cases among them: empty, one character, non-Latin scripts, code, a very long text
      texts.splice(
        0,
        5,
        '',
        'x',
        'Приветствую! 你好，世界。 مرحبا',
        '```py\nprint(1)\n```',
        'long '.repeat(5000),
      );
      expect(texts).toHaveLength(1000);
      const rows = toRows(
        texts.map((t, i) => featurizer.featurize(extra[i >> 1]!.prompt, t)),
        featurizer.dim,
      );
      const inProcess = scoreRows(decodeHead(bytes).head, rows);
      const viaOnnx = await scorer.scoreRows(rows, 256);
      let worst = 0;
      for (let i = 0; i < inProcess.length; i++)
        worst = Math.max(worst, Math.abs(inProcess[i]! - viaOnnx[i]!));
      expect(worst).toBeLessThan(1e-5);
      // the decoded head is the trained head, bit for bit
      expect(
        Buffer.from(decodeHead(bytes).head.weights.buffer).equals(Buffer.from(run.model.head.weights.buffer)),
      ).toBe(true);
    } finally {
      await scorer.dispose();
    }
  });
});
