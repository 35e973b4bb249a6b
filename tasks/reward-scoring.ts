/**
 * Scoring with stored reward models through ONNX: one pair typed into the screen, or every pair of
 * a project when a model is activated. Loaded scorers are kept in a small LRU cache keyed by model
 * id (artefacts never change once a model is ready), and released when they fall out of it.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database, RewardAxis } from '../db/schema';
import { findModelArtefact } from '../db/queries/models';
import {
  deleteOtherPairScores,
  listPairTexts,
  upsertPairScores,
  type PairScore as StoredPairScore,
} from '../db/queries/pair-scores';
import { loadArtefactBytes, type ModelManifest } from '../reward/artefact';
import { createFeaturizer, type Featurizer } from '../reward/featurize';
import type { OnnxHeadScorer } from '../reward/onnx/session';
import { predictiveUncertainty, scorePairsOnnx } from '../reward/predict';
import { UserInputError } from './errors';
import { promptText } from './reward-files';
import { unpackArtefact } from './model-artefacts';

export interface LoadedModel {
  scorer: OnnxHeadScorer;
  featurizer: Featurizer;
  manifest: ModelManifest;
}

interface Entry {
  loading: Promise<LoadedModel>;
  users: number;
  evicted: boolean;
}

/**
 * At most `capacity` loaded models. An evicted model is disposed once no caller still uses it, so
 * a scoring request never sees its session released underneath it.
 */
export class ScorerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly capacity: number,
    private readonly load: (modelId: string) => Promise<LoadedModel>,
  ) {}

  /** Runs `fn` with the model loaded (from the cache when possible). */
  async use<T>(modelId: string, fn: (model: LoadedModel) => Promise<T>): Promise<T> {
    let entry = this.entries.get(modelId);
    if (entry) {
      // most recently used goes last
      this.entries.delete(modelId);
      this.entries.set(modelId, entry);
    } else {
      entry = { loading: this.load(modelId), users: 0, evicted: false };
      this.entries.set(modelId, entry);
      // a failed load is not cached: the next call tries again
      entry.loading.catch(() => {
        if (this.entries.get(modelId) === entry) this.entries.delete(modelId);
      });
      this.evictBeyondCapacity();
    }
    entry.users++;
    try {
      return await fn(await entry.loading);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) void this.dispose(entry);
    }
  }

  /** Model ids currently held, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Drops every model (e.g. at shutdown); models in use are disposed when their callers finish. */
  async clear(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      entry.evicted = true;
      if (entry.users === 0) await this.dispose(entry);
    }
  }

  private evictBeyondCapacity(): void {
    while (this.entries.size > this.capacity) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldestId);
      oldest.evicted = true;
      if (oldest.users === 0) void this.dispose(oldest);
    }
  }

  private async dispose(entry: Entry): Promise<void> {
    try {
      await (await entry.loading).scorer.dispose();
    } catch {
      // a load that failed has nothing to release
    }
  }
}

async function loadModel(db: Kysely<Database>, modelId: string): Promise<LoadedModel> {
  const bytes = await findModelArtefact(db, modelId);
  if (!bytes)
    throw new UserInputError(
      'That model version is not ready (or no longer exists).',
      'modelId',
      'not-found',
    );
  const { scorer, manifest } = await loadArtefactBytes(await unpackArtefact(bytes));
  return { scorer, manifest, featurizer: createFeaturizer(manifest.featurizer) };
}

// One cache per database handle: tests open several databases in one process.
const caches = new WeakMap<Kysely<Database>, ScorerCache>();
const SCORER_CACHE_SIZE = 4;

/** The process's scorer cache for `db`. */
export function scorerCache(db: Kysely<Database>): ScorerCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new ScorerCache(SCORER_CACHE_SIZE, (id) => loadModel(db, id));
    caches.set(db, cache);
  }
  return cache;
}

export interface AdHocScore {
  rewardA: number;
  rewardB: number;
  /** P(response A is better than response B) */
  probabilityA: number;
  /** binary entropy of probabilityA, in bits (0 certain, 1 a coin flip) */
  uncertainty: number;
  /** standard deviation of the ensemble members' probabilities */
  spread: number;
}

/** Scores one pair with a ready model, through ONNX, exactly as activation scores stored pairs. */
export async function scorePairAdHoc(
  db: Kysely<Database>,
  modelId: string,
  input: { prompt: string; a: string; b: string },
): Promise<AdHocScore> {
  return scorerCache(db).use(modelId, async ({ scorer, featurizer }) => {
    const [score] = await scorePairsOnnx(scorer, featurizer, [
      { prompt: input.prompt, a: input.a, b: input.b, target: 0.5, weight: 1 },
    ]);
    return {
      rewardA: score!.rewardA,
      rewardB: score!.rewardB,
      probabilityA: score!.probabilityA,
      uncertainty: predictiveUncertainty(score!.probabilityA),
      spread: score!.uncertainty,
    };
  });
}

/**
 * Scores every pair of the project with the model and upserts pair_scores for its axis, a batch at a
 * time, yielding to the event loop between batches so requests keep being served. Stops early (and
 * returns what it wrote) once the model is no longer the active one; otherwise finishes by removing
 * the axis's rows left by other models.
 */
export async function scoreProjectPairs(
  db: Kysely<Database>,
  model: { id: string; projectId: string; axis: RewardAxis },
  options: { batchSize?: number; onProgress?: (scored: number) => void; now?: () => Date } = {},
): Promise<{ scored: number; superseded: boolean }> {
  const batchSize = options.batchSize ?? 256;
  const now = options.now ?? (() => new Date());
  return scorerCache(db).use(model.id, async ({ scorer, featurizer }) => {
    let scored = 0;
    let after: string | undefined;
    for (;;) {
      const page = await listPairTexts(db, { projectId: model.projectId, after, limit: batchSize });
      if (page.length === 0) break;
      const scores = await scorePairsOnnx(
        scorer,
        featurizer,
        page.map((p) => ({ prompt: promptText(p.messages), a: p.a, b: p.b, target: 0.5, weight: 1 })),
      );
      const rows: StoredPairScore[] = page.map((p, i) => ({
        pair_id: p.id,
        axis: model.axis,
        model_id: model.id,
        reward_a: scores[i]!.rewardA,
        reward_b: scores[i]!.rewardB,
        probability_a: scores[i]!.probabilityA,
        uncertainty: predictiveUncertainty(scores[i]!.probabilityA),
        spread: scores[i]!.uncertainty,
      }));
      if ((await upsertPairScores(db, rows, now())) === 0) return { scored, superseded: true };
      scored += rows.length;
      options.onProgress?.(scored);
      after = page[page.length - 1]!.id;
      await yieldToEventLoop();
    }
    const stillActive = await db
      .selectFrom('models')
      .select('is_active')
      .where('id', '=', model.id)
      .executeTakeFirst();
    if (!stillActive?.is_active) return { scored, superseded: true };
    await deleteOtherPairScores(db, { projectId: model.projectId, axis: model.axis, keepModelId: model.id });
    return { scored, superseded: false };
  });
}
