/**
 * Scoring with stored reward models through ONNX: one pair typed into the screen, or every pair of
 * a project when a model is activated. Loaded scorers are kept in a small LRU cache keyed by model
 * id (scorer-cache.ts).
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
import { ScorerCache } from './scorer-cache';

export { ScorerCache };

export interface LoadedModel {
  scorer: OnnxHeadScorer;
  featurizer: Featurizer;
  manifest: ModelManifest;
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
const caches = new WeakMap<Kysely<Database>, ScorerCache<LoadedModel>>();
const SCORER_CACHE_SIZE = 4;

/** The process's scorer cache for `db`. */
export function scorerCache(db: Kysely<Database>): ScorerCache<LoadedModel> {
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
