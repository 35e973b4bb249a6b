import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Embedder, EmbedderUnavailableError, loadEmbedder } from './embedder';
import { forbidNetwork } from './testing/no-network';
import { readVocabSize, writeTinyBertModel } from './testing/tiny-bert';
import { writeTinyTokenizer } from './testing/tiny-tokenizer';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models');
const MINILM = 'Xenova/all-MiniLM-L6-v2';
const MINILM_SOURCE = path.join(SHARED_MODELS, MINILM);
const HAS_MINILM = fs.existsSync(path.join(MINILM_SOURCE, 'tokenizer.json'));
const HIDDEN = 8;

const TEXTS = [
  'The answer is 42.',
  'A much longer response that explains the reasoning step by step, with caveats and a summary.',
  'hi',
  'The answer is 43.',
  'Refusing: I cannot help with that request.',
  'Ünïcödé and emoji 🙂 still embed.',
  '',
];

let root: string;
forbidNetwork();
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'arbiter-embedder-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function norm(v: Float32Array): number {
  return Math.hypot(...v);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

/**
 * The embedder contract, for a model directory that `prepare` fills under `root`. Model ids differ
 * per suite because Transformers.js memoizes file lookups by model id for the whole process.
 */
function contract(label: string, skipNote: string | null, modelId: string, prepare: (dir: string) => void) {
  describe(label, () => {
    let embedder: Embedder | null = null;
    beforeAll(async () => {
      if (skipNote) return;
      prepare(path.join(root, modelId));
      embedder = await loadEmbedder({
        modelId,
        localModelPath: root,
        allowRemoteModels: false,
        batchSize: 3,
      });
    });
    afterAll(() => embedder?.dispose());

    function ready(skip: (condition: boolean, note?: string) => void): Embedder {
      skip(skipNote !== null, skipNote ?? undefined);
      return embedder!;
    }

    it('loads offline and returns one unit-norm vector of the model dimension per text', async ({ skip }) => {
      const e = ready(skip);
      expect(e.modelId).toBe(modelId);
      expect(e.dimension).toBe(HIDDEN);
      const vectors = await e.embed(TEXTS);
      expect(vectors).toHaveLength(TEXTS.length);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v).toHaveLength(HIDDEN);
        expect(norm(v)).toBeCloseTo(1, 5);
      }
      expect(await e.embed([])).toEqual([]);
    });

    it('is deterministic: the same text gives the same vector, in a call and across calls', async ({
      skip,
    }) => {
      const e = ready(skip);
      const [a, b] = await e.embed([TEXTS[0]!, TEXTS[0]!]);
      const [c] = await e.embed([TEXTS[0]!]);
      expect(Array.from(b!)).toEqual(Array.from(a!));
      expect(maxAbsDiff(a!, c!)).toBeLessThan(1e-5);
    });

    it('gives different texts different vectors', async ({ skip }) => {
      const e = ready(skip);
      const vectors = await e.embed(TEXTS);
      for (let i = 0; i < vectors.length; i++)
        for (let j = i + 1; j < vectors.length; j++)
          expect(maxAbsDiff(vectors[i]!, vectors[j]!), `${TEXTS[i]} vs ${TEXTS[j]}`).toBeGreaterThan(1e-3);
    });

    it('embeds a text the same alone as padded in batches of mixed lengths', async ({ skip }) => {
      const e = ready(skip);
      // batchSize 3 over 7 texts: batches of 3, 3 and 1, each padded to its own longest text
      const batched = await e.embed(TEXTS);
      for (const [i, text] of TEXTS.entries()) {
        const [alone] = await e.embed([text]);
        expect(maxAbsDiff(batched[i]!, alone!), text).toBeLessThan(1e-5);
      }
    });
  });
}

contract(
  'with the real MiniLM tokenizer and a tiny ONNX model',
  HAS_MINILM ? null : `needs the MiniLM tokenizer at ${MINILM_SOURCE} (CI has it)`,
  MINILM,
  (dir) => {
    fs.cpSync(MINILM_SOURCE, dir, { recursive: true });
    writeTinyBertModel(dir, { vocabSize: readVocabSize(dir), hidden: HIDDEN, seed: 7 });
  },
);

contract(
  'with the fallback tiny tokenizer and a tiny ONNX model',
  null,
  'arbiter-test/tiny-wordpiece',
  (dir) => {
    const { vocabSize } = writeTinyTokenizer(dir);
    writeTinyBertModel(dir, { vocabSize, hidden: HIDDEN, seed: 11 });
  },
);

describe('when the model is not usable', () => {
  const options = (modelId: string) => ({ modelId, localModelPath: root, allowRemoteModels: false });

  it('names the directory when the model directory is missing', async () => {
    const error = await loadEmbedder(options('arbiter-test/absent')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    expect((error as Error).message).toContain(root);
    expect((error as Error).message).toContain('arbiter-test/absent');
    expect((error as Error).message).toMatch(/turn embeddings off/);
  });

  it('says onnx/model.onnx is missing when only the tokenizer is there', async () => {
    writeTinyTokenizer(path.join(root, 'arbiter-test/no-weights'));
    const error = await loadEmbedder(options('arbiter-test/no-weights')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    expect((error as Error).message).toMatch(/missing onnx\/model\.onnx/);
  });

  it('fails with its own error before calling the library, so offline never tries the network', async () => {
    const error = await loadEmbedder(options('Xenova/not-downloaded')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    // a wrapped library error would carry a cause; afterEach asserts env.fetch was never called
    expect((error as Error).cause).toBeUndefined();
  });

  it('wraps a library load failure (corrupt weights) with the cause attached', async () => {
    const dir = path.join(root, 'arbiter-test/corrupt');
    writeTinyTokenizer(dir);
    fs.mkdirSync(path.join(dir, 'onnx'));
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), 'not a protobuf');
    const error = await loadEmbedder(options('arbiter-test/corrupt')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbedderUnavailableError);
    expect((error as Error).message).toMatch(/could not be loaded/);
    expect((error as Error).cause).toBeDefined();
  });

  it('rejects model ids that would escape the model directory', async () => {
    await expect(loadEmbedder(options('../outside'))).rejects.toThrow(EmbedderUnavailableError);
    await expect(loadEmbedder(options('/etc'))).rejects.toThrow(EmbedderUnavailableError);
  });
});
