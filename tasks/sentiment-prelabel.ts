/**
 * Pre-labeling and routing sentiment items. A predictor is the project's active classifier
 * (through ONNX) or, before one exists, the cold start: the project's configured pretrained
 * Transformers.js model when it is present locally, else the VADER lexicon. Its distribution over
 * the label set becomes a pre-label, and routing (sentiment-routing.ts) sends the item to people, accepts it, or
 * accepts it and draws it for audit. Runs inside the caller's transaction, so imported items never
 * exist without a route and a re-routing pass lands whole.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, PrelabelSource, Project } from '../db/schema';
import { findActiveModel, findModelArtefact } from '../db/queries/models';
import {
  insertAudits,
  insertPrelabels,
  listReroutableItems,
  listRoutableItems,
  setItemRoutes,
  type ItemRouting,
  type NewPrelabel,
} from '../db/queries/sentiment';
import { loadClassifierBytes } from '../reward/classifier/artefact';
import { predictTextsOnnx } from '../reward/classifier/predict';
import { createFeaturizer } from '../reward/featurize';
import { lexiconProbabilities, polarityRoles } from '../reward/lexicon';
import { missingModelFiles } from '../reward/local-models';
import { loadPretrainedClassifier } from '../reward/pretrained-classifier';
import { unpackArtefact } from './model-artefacts';
import { itemPriority, routeFor, type Prelabel } from './sentiment-routing';
import { sentimentSettings, type SentimentSettings } from './sentiment-settings';

/** The models table's axis for sentiment classifiers (one model family per project). */
export const SENTIMENT_AXIS = 'sentiment';
/** Seeds the audit and held-out draws and the queue's tie-breaks of every sentiment project. */
export const ROUTING_SEED = 1;

export interface Predictor {
  source: PrelabelSource;
  /** the project's trained model (models table); null for the cold start */
  modelId: string | null;
  /** what people see it called: "the active model", a pretrained model's id, "the VADER word list" */
  name: string;
  /** per text, a distribution over the project's labels (label-set order) */
  predict(texts: readonly string[]): Promise<Float64Array[]>;
  /** releases the model's ONNX session (a no-op for the lexicon) */
  dispose(): Promise<void>;
}

/** The lexicon predictor for a label set, or null when the lexicon cannot map onto it. */
export function lexiconPredictor(labels: readonly string[]): Predictor | null {
  if (!polarityRoles(labels)) return null;
  return {
    source: 'lexicon',
    modelId: null,
    name: 'the VADER word list',
    predict: async (texts) => texts.map((t) => lexiconProbabilities(t, labels)!),
    dispose: async () => undefined,
  };
}

/**
 * A predictor over a stored classifier, loaded now (open it before a transaction: on the embedded
 * store a query outside an open transaction would wait for it forever). Its columns are mapped onto
 * `labels` by name; a label the model does not know gets probability 0. Dispose it when done.
 */
export async function openModelPredictor(
  db: Kysely<Database>,
  modelId: string,
  labels: readonly string[],
): Promise<Predictor> {
  const bytes = await findModelArtefact(db, modelId);
  if (!bytes) throw new Error(`sentiment model ${modelId} is not ready`);
  const { scorer, manifest } = await loadClassifierBytes(await unpackArtefact(bytes));
  const featurizer = createFeaturizer(manifest.featurizer);
  const C = manifest.labels.length;
  const column = labels.map((l) => manifest.labels.indexOf(l));
  return {
    source: 'model',
    modelId,
    name: 'the active model',
    async predict(texts) {
      const probs = await predictTextsOnnx(scorer, featurizer, texts);
      return texts.map((_, r) => Float64Array.from(column, (c) => (c < 0 ? 0 : probs[r * C + c]!)));
    },
    dispose: () => scorer.dispose(),
  };
}

/** Where pretrained models live: ARBITER_MODELS_DIR, read by the app's config and passed down. */
export interface PredictorContext {
  modelsDir?: string | null;
}

/**
 * For each project label, the column of the pretrained model's class it comes from (−1: none).
 * An explicit map (model class → project label) wins; otherwise names match, case aside. Throws a
 * message for people when a mapped name does not exist or when nothing maps at all.
 */
export function pretrainedColumns(
  modelLabels: readonly string[],
  projectLabels: readonly string[],
  explicit: Record<string, string>,
): number[] {
  const columns = projectLabels.map(() => -1);
  const entries = Object.entries(explicit);
  if (entries.length > 0) {
    for (const [from, to] of entries) {
      const c = modelLabels.indexOf(from);
      const p = projectLabels.indexOf(to);
      if (c < 0) throw new Error(`the model has no class "${from}" (it has ${modelLabels.join(', ')})`);
      if (p < 0) throw new Error(`the project has no label "${to}" (it has ${projectLabels.join(', ')})`);
      columns[p] = c;
    }
  } else {
    const lower = modelLabels.map((l) => l.toLowerCase());
    projectLabels.forEach((l, p) => (columns[p] = lower.indexOf(l.toLowerCase())));
  }
  if (columns.every((c) => c < 0))
    throw new Error(
      `none of its classes (${modelLabels.join(', ')}) is one of the project's labels (${projectLabels.join(', ')}); give a label map such as ${modelLabels[0]}=${projectLabels[0]}`,
    );
  return columns;
}

/**
 * The project's configured pretrained model as a predictor, loaded now (before any transaction, as
 * openModelPredictor). Its distribution is renormalized over the classes that map onto the project's
 * labels. Throws, saying why, when it is not there, does not load, or does not map.
 */
export async function openPretrainedPredictor(
  modelId: string,
  labelMap: Record<string, string>,
  labels: readonly string[],
  context: PredictorContext,
): Promise<Predictor> {
  if (!context.modelsDir) throw new Error('no model directory is configured (ARBITER_MODELS_DIR)');
  const model = await loadPretrainedClassifier({
    modelId,
    localModelPath: context.modelsDir,
    allowRemoteModels: false,
  });
  let columns: number[];
  try {
    columns = pretrainedColumns(model.labels, labels, labelMap);
  } catch (error) {
    await model.dispose();
    throw new Error(`cold-start model ${modelId}: ${(error as Error).message}`);
  }
  return {
    source: 'pretrained',
    modelId: null,
    name: modelId,
    async predict(texts) {
      const scores = await model.classify(texts);
      return scores.map((row) => {
        const out = Float64Array.from(columns, (c) => (c < 0 ? 0 : row[c]!));
        const sum = out.reduce((a, b) => a + b, 0);
        return sum > 0 ? out.map((v) => v / sum) : out.fill(1 / out.length);
      });
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Why the project's configured cold-start model cannot be used as things stand (no model
 * directory, files missing), or null when it looks usable or none is configured. Cheap: it checks
 * files, it does not load the model.
 */
export function coldStartProblem(settings: SentimentSettings, context: PredictorContext): string | null {
  if (!settings.coldStartModel) return null;
  if (!context.modelsDir) return 'no model directory is configured (ARBITER_MODELS_DIR)';
  return missingModelFiles({
    modelId: settings.coldStartModel,
    localModelPath: context.modelsDir,
    allowRemoteModels: false,
  });
}

export interface ActivePredictor {
  /** null: nothing can pre-label (no model, and the labels are not the lexicon's) */
  predictor: Predictor | null;
  /** why the configured cold-start model was not used, when it was not */
  note: string | null;
}

/**
 * The project's active classifier if it has one; else its cold start: the configured pretrained
 * model, or (when none is configured, or it cannot be used, which `note` then says) the lexicon.
 */
export async function openActivePredictor(
  db: Kysely<Database>,
  project: Project,
  context: PredictorContext = {},
): Promise<ActivePredictor> {
  const active = await findActiveModel(db, {
    projectId: project.id,
    kind: 'sentiment',
    axis: SENTIMENT_AXIS,
  });
  if (active) return { predictor: await openModelPredictor(db, active.id, project.label_set), note: null };
  const settings = sentimentSettings(project.settings);
  let note: string | null = null;
  if (settings.coldStartModel) {
    try {
      const predictor = await openPretrainedPredictor(
        settings.coldStartModel,
        settings.coldStartLabelMap,
        project.label_set,
        context,
      );
      return { predictor, note: null };
    } catch (error) {
      note = `The cold-start model ${settings.coldStartModel} was not used: ${(error as Error).message}`;
    }
  }
  return { predictor: lexiconPredictor(project.label_set), note };
}

export interface RoutingCounts {
  human: number;
  auto: number;
  audit: number;
  /** items that had nothing to go on (no predictor) and wait for people in seeded random order */
  unlabelled: number;
}

/**
 * Pre-labels and routes the project's routable items (see listRoutableItems; `itemIds` narrows them)
 * with `predictor`, in batches. Returns how many went where. `onProgress` gets the items done.
 */
export async function prelabelItems(
  trx: Transaction<Database>,
  project: Project,
  predictor: Predictor | null,
  options: { itemIds?: string[]; now?: Date; onProgress?: (done: number) => void; batchSize?: number } = {},
): Promise<RoutingCounts> {
  const settings: SentimentSettings = sentimentSettings(project.settings);
  const labels = project.label_set;
  const now = options.now ?? new Date();
  const counts: RoutingCounts = { human: 0, auto: 0, audit: 0, unlabelled: 0 };
  const batchSize = options.batchSize ?? 1000;
  let after: string | undefined;
  let done = 0;
  // with item ids: their chunks in turn; without: every routable item, paged by id
  const chunks = options.itemIds
    ? Array.from({ length: Math.ceil(options.itemIds.length / batchSize) }, (_, i) =>
        options.itemIds!.slice(i * batchSize, (i + 1) * batchSize),
      )
    : null;
  for (let round = 0; ; round++) {
    if (chunks && round >= chunks.length) break;
    const batch = await listRoutableItems(
      trx,
      project.id,
      chunks ? { ids: chunks[round]!, limit: batchSize } : { after, limit: batchSize },
    );
    if (!chunks && batch.length === 0) break;
    after = batch[batch.length - 1]?.id;
    const predictions = predictor ? await predictor.predict(batch.map((i) => i.text)) : null;
    const prelabelRows: NewPrelabel[] = [];
    const decided: { routing: ItemRouting; prelabelIndex: number | null }[] = [];
    batch.forEach((item, i) => {
      const probabilities = predictions?.[i] ?? null;
      const prelabel: Prelabel | null = probabilities ? { probabilities, source: predictor!.source } : null;
      const itemRef = { key: item.content_hash, isHoldout: item.is_holdout };
      const route = routeFor(itemRef, prelabel, settings, ROUTING_SEED);
      let label: string | null = null;
      let prelabelIndex: number | null = null;
      if (probabilities) {
        let top = 0;
        for (let c = 1; c < probabilities.length; c++) if (probabilities[c]! > probabilities[top]!) top = c;
        label = labels[top]!;
        prelabelIndex = prelabelRows.length;
        prelabelRows.push({
          item_id: item.id,
          model_id: predictor!.modelId,
          source: predictor!.source,
          label,
          confidence: Math.min(1, Math.max(0, probabilities[top]!)),
          probabilities: Object.fromEntries(labels.map((l, c) => [l, Number(probabilities[c]!.toFixed(6))])),
          route,
        });
      } else counts.unlabelled++;
      counts[route]++;
      decided.push({
        routing: {
          id: item.id,
          prelabel_id: null,
          route,
          priority: itemPriority(itemRef, route, prelabel, ROUTING_SEED),
          final_label: route === 'human' ? null : label,
        },
        prelabelIndex,
      });
    });
    const prelabelIds = await insertPrelabels(trx, prelabelRows);
    for (const d of decided)
      if (d.prelabelIndex !== null) d.routing.prelabel_id = prelabelIds[d.prelabelIndex]!;
    await setItemRoutes(
      trx,
      decided.map((d) => d.routing),
      now,
    );
    await insertAudits(
      trx,
      decided
        .filter((d) => d.routing.route === 'audit')
        .map((d) => ({ project_id: project.id, item_id: d.routing.id, prelabel_id: d.routing.prelabel_id! })),
    );
    done += batch.length;
    options.onProgress?.(done);
    if (!chunks && batch.length < batchSize) break;
  }
  return counts;
}

export interface RerouteCounts {
  /** accepted items below the new threshold, back with people */
  reopened: number;
  /** items that waited for people and are now accepted (some of them drawn for audit) */
  accepted: number;
  audited: number;
}

/**
 * Applies new routing settings to the pre-labels already stored (no model is run): accepted
 * items whose confidence is now below the threshold go back to people, and waiting items a trained
 * model is now confident enough about are accepted (with their audit draw). Items people have
 * labelled, leased items and pending audits keep their routes.
 */
export async function rerouteStored(
  trx: Transaction<Database>,
  project: Project,
  now = new Date(),
): Promise<RerouteCounts> {
  const settings = sentimentSettings(project.settings);
  const counts: RerouteCounts = { reopened: 0, accepted: 0, audited: 0 };
  const changes: ItemRouting[] = [];
  const audits: { project_id: string; item_id: string; prelabel_id: string }[] = [];
  for (const item of await listReroutableItems(trx, project.id)) {
    const probabilities = project.label_set.map((l) => Number(item.probabilities[l] ?? 0));
    const prelabel: Prelabel = { probabilities, source: item.source };
    const ref = { key: item.content_hash, isHoldout: item.is_holdout };
    const route = routeFor(ref, prelabel, settings, ROUTING_SEED);
    const was = item.route ?? 'human';
    if (route === was) continue;
    if (route === 'human') counts.reopened++;
    else counts.accepted++;
    if (route === 'audit') {
      counts.audited++;
      audits.push({ project_id: project.id, item_id: item.id, prelabel_id: item.prelabel_id });
    }
    changes.push({
      id: item.id,
      prelabel_id: item.prelabel_id,
      route,
      priority: itemPriority(ref, route, prelabel, ROUTING_SEED),
      final_label: route === 'human' ? null : item.label,
    });
  }
  await setItemRoutes(trx, changes, now, { routableOnly: false });
  await insertAudits(trx, audits);
  return counts;
}
