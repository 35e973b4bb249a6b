/**
 * Pre-flags: the active safety model's P(unsafe) and per-category scores for a project's
 * responses, through the stored ONNX artefact (exactly what was measured), written to
 * response_risks under the model's id. Every version keeps its rows, so the review page can
 * measure each version against the reviewer decisions made while it was live.
 */
import { sql, type Kysely } from 'kysely';
import type { ChatMessage, Database } from '../../db/schema';
import { findModelArtefact } from '../../db/queries/models';
import { activeSafetyModel, SAFETY_AXIS, SAFETY_SCORE_JOB } from './active';
import { createFeaturizer } from '../../reward/featurize';
import { loadSafetyBytes, type SafetyManifest } from '../../reward/safety/artefact';
import type { SafetyPrediction } from '../../reward/safety/metrics';
import { predictSafetyOnnx, type PromptResponse } from '../../reward/safety/predict';
import { unpackArtefact } from '../model-artefacts';
import { promptForSafety } from './text';

export { activeSafetyModel, SAFETY_AXIS, SAFETY_SCORE_JOB };

export interface SafetyPredictor {
  modelId: string;
  manifest: SafetyManifest;
  predict(inputs: readonly PromptResponse[]): Promise<SafetyPrediction[]>;
  dispose(): Promise<void>;
}

export async function openSafetyPredictor(db: Kysely<Database>, modelId: string): Promise<SafetyPredictor> {
  const bytes = await findModelArtefact(db, modelId);
  if (!bytes) throw new Error(`safety model ${modelId} is not ready`);
  const { scorer, manifest } = await loadSafetyBytes(await unpackArtefact(bytes));
  const featurizer = createFeaturizer(manifest.featurizer);
  return {
    modelId,
    manifest,
    predict: (inputs) => predictSafetyOnnx(scorer, featurizer, manifest.labels, inputs),
    dispose: () => scorer.dispose(),
  };
}

const PAGE = 1000;

/**
 * Scores the project's responses that `predictor`'s model has not scored yet (all of them after a
 * retraining; only the new ones after an import), in pages by response id, each page in its own
 * statement so progress survives a crash and the job can resume. Returns how many it scored.
 */
export async function scoreProjectResponses(
  db: Kysely<Database>,
  projectId: string,
  predictor: SafetyPredictor,
  onProgress?: (done: number) => void,
): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000';
  let done = 0;
  for (;;) {
    const page = await sql<{ id: string; text: string; messages: ChatMessage[] }>`
      select r.id, r.text, q.messages
      from responses r
      join prompts q on q.id = r.prompt_id
      where q.project_id = ${projectId} and r.id > ${after}::uuid
        and not exists (select 1 from response_risks k where k.response_id = r.id and k.model_id = ${predictor.modelId}::uuid)
      order by r.id
      limit ${PAGE}`.execute(db);
    if (page.rows.length === 0) return done;
    const predictions = await predictor.predict(
      page.rows.map((r) => ({ prompt: promptForSafety(r.messages), response: r.text })),
    );
    await db
      .insertInto('response_risks')
      .values(
        page.rows.map((r, i) => ({
          response_id: r.id,
          model_id: predictor.modelId,
          project_id: projectId,
          risk: predictions[i]!.risk,
          categories: JSON.stringify(predictions[i]!.categories),
        })),
      )
      .onConflict((oc) => oc.columns(['response_id', 'model_id']).doNothing())
      .execute();
    done += page.rows.length;
    after = page.rows[page.rows.length - 1]!.id;
    onProgress?.(done);
  }
}
