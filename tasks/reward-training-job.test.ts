import { describe, expect, it } from 'vitest';
import type { TrainingPair } from '../reward/dataset';
import { DEFAULT_FEATURIZER } from '../reward/featurizer-config';
import { createRng } from './rng';
import { ScorerCache, type LoadedModel } from './reward-scoring';
import { trainInWorker, TrainingError } from './reward-training-job';

const WORDS = [
  'clear',
  'example',
  'steps',
  'because',
  'vague',
  'maybe',
  'whatever',
  'sorry',
  'check',
  'list',
];

/** `n` pairs where the reply with more "good" words wins. */
function syntheticPairs(n: number, seed = 1): TrainingPair[] {
  const rng = createRng(seed);
  const reply = () =>
    Array.from({ length: 8 + Math.floor(rng() * 30) }, () => WORDS[Math.floor(rng() * 10)]!).join(' ');
  const goodness = (text: string) => text.split(' ').filter((w) => WORDS.indexOf(w) < 5).length;
  return Array.from({ length: n }, (_, i) => {
    const a = `${reply()} ${i}`;
    const b = `${reply()} ${i}`;
    return { prompt: `question ${i % 50}`, a, b, target: goodness(a) >= goodness(b) ? 1 : 0, weight: 1 };
  });
}

const options = {
  axis: 'helpfulness' as const,
  seed: 1,
  testFraction: 0.2,
  featurizer: DEFAULT_FEATURIZER,
  sources: ['synthetic'],
  learningCurve: true,
};

describe('trainInWorker', () => {
  it('trains off the main thread: the event loop keeps turning while the model trains', async () => {
    const pairs = syntheticPairs(4000);
    const stages = new Set<string>();
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 10);
    const started = performance.now();
    const trained = await trainInWorker(pairs, options, { onProgress: (stage) => stages.add(stage) });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    expect(trained.metrics.test_pairs).toBe(800);
    expect(trained.metrics.test!.accuracy).toBeGreaterThan(0.7);
    expect(trained.artefact.byteLength).toBeGreaterThan(1000);
    expect([...stages]).toEqual(expect.arrayContaining(['featurize', 'train members', 'save']));
    // ticks every ~10 ms throughout; training in-process would stall the loop for the whole run
    expect(seconds).toBeGreaterThan(0.5);
    expect(Math.max(...gaps)).toBeLessThan(250);
    expect(gaps.length).toBeGreaterThan((seconds * 1000) / 10 / 4);
  });

  it('reports a failure inside the training code as a TrainingError', async () => {
    await expect(trainInWorker(syntheticPairs(1), { ...options, testFraction: 0 })).rejects.toBeInstanceOf(
      TrainingError,
    );
  });

  it('stops the worker when aborted', async () => {
    const controller = new AbortController();
    const running = trainInWorker(syntheticPairs(3000), options, {
      onProgress: () => controller.abort(new Error('taken over')),
      signal: controller.signal,
    });
    await expect(running).rejects.toThrow('taken over');
  });
});

describe('ScorerCache', () => {
  function fakeModel(id: string, disposed: string[]): LoadedModel {
    return {
      scorer: { dispose: async () => void disposed.push(id) },
    } as unknown as LoadedModel;
  }

  it('keeps the most recently used models and releases the others, but never one still in use', async () => {
    const disposed: string[] = [];
    const loads: string[] = [];
    const cache = new ScorerCache(2, async (id) => {
      loads.push(id);
      return fakeModel(id, disposed);
    });
    await cache.use('a', async () => undefined);
    await cache.use('b', async () => undefined);
    await cache.use('a', async () => undefined);
    expect(loads).toEqual(['a', 'b']);
    await cache.use('c', async () => undefined);
    expect(cache.keys()).toEqual(['a', 'c']);
    expect(disposed).toEqual(['b']);

    let release!: () => void;
    const busy = cache.use('a', () => new Promise<void>((resolve) => (release = resolve)));
    await cache.use('d', async () => undefined);
    await cache.use('e', async () => undefined);
    expect(cache.keys()).toEqual(['d', 'e']);
    expect(disposed).toEqual(['b', 'c']);
    release();
    await busy;
    await new Promise((r) => setTimeout(r, 0));
    expect(disposed).toEqual(['b', 'c', 'a']);
  });

  it('does not keep a model that failed to load', async () => {
    let attempt = 0;
    const cache = new ScorerCache(2, async (id) => {
      if (attempt++ === 0) throw new Error('corrupt');
      return fakeModel(id, []);
    });
    await expect(cache.use('a', async () => 1)).rejects.toThrow('corrupt');
    expect(cache.keys()).toEqual([]);
    expect(await cache.use('a', async () => 2)).toBe(2);
  });
});
