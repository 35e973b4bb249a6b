/**
 * A pretrained text classifier from a local Transformers.js model (for example an SST-2 fine-tuned
 * DistilBERT exported to ONNX): sentiment projects can use one as their cold start, before they have
 * labels of their own, when it is configured and present in the local model directory. Loading
 * follows local-models.ts; nothing is downloaded unless the caller allows it.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  inBatches,
  loadLocalPipeline,
  missingModelFiles,
  probeFailure,
  reasonOf,
  REQUIRED_MODEL_FILES,
  type LocalModelOptions,
  type LocalPipelineOptions,
} from './local-models';

/** batchSize defaults to 16 */
export type PretrainedClassifierOptions = LocalPipelineOptions;

export interface PretrainedClassifier {
  readonly modelId: string;
  /** the model's class names, in its own order (config.json's id2label) */
  readonly labels: readonly string[];
  /** per text, a distribution over `labels` */
  classify(texts: readonly string[]): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}

/** The configured classifier cannot be loaded; the message says what to put where. */
export class PretrainedModelUnavailableError extends Error {
  override name = 'PretrainedModelUnavailableError';
}

function unavailable(options: LocalModelOptions, detail: string, cause?: unknown) {
  return new PretrainedModelUnavailableError(
    `text-classification model ${options.modelId} in ${options.localModelPath}: ${detail}; ` +
      `it needs ${REQUIRED_MODEL_FILES.join(', ')} (a Transformers.js export with id2label in config.json)`,
    cause === undefined ? undefined : { cause },
  );
}

function labelsOf(id2label: Record<string, string> | undefined): string[] {
  if (!id2label || typeof id2label !== 'object') return [];
  return Object.keys(id2label)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => String(id2label[i]));
}

/**
 * The class names a local model declares (config.json's id2label, in id order), without loading
 * it: cheap enough to check a project's settings against. Throws PretrainedModelUnavailableError
 * when files are missing or config.json names fewer than two classes.
 */
export function readPretrainedLabels(options: LocalModelOptions): string[] {
  const missing = missingModelFiles(options);
  if (missing) throw unavailable(options, missing);
  let config: { id2label?: Record<string, string> };
  try {
    config = JSON.parse(
      fs.readFileSync(path.join(options.localModelPath, options.modelId, 'config.json'), 'utf8'),
    );
  } catch (error) {
    throw unavailable(options, `config.json is not JSON (${reasonOf(error)})`, error);
  }
  const labels = labelsOf(config.id2label);
  if (labels.length < 2) throw unavailable(options, 'config.json names fewer than two classes in id2label');
  return labels;
}

/**
 * Loads `options.modelId` for text classification (fp32, CPU) and checks that it runs and names its
 * classes. With allowRemoteModels false it never touches the network: missing files fail at once.
 * Scores are the model's own (softmax of its logits; a multi-label model's sigmoids, normalized), so
 * they are only as calibrated as the model is on the project's texts.
 */
export async function loadPretrainedClassifier(
  options: PretrainedClassifierOptions,
): Promise<PretrainedClassifier> {
  const { modelId } = options;
  const { pipe: classifier, batchSize } = await loadLocalPipeline(
    options,
    16,
    (f) => unavailable(options, f.detail, f.kind === 'broken' ? f.cause : undefined),
    async (pipelineOptions) =>
      (await import('@huggingface/transformers')).pipeline('text-classification', modelId, pipelineOptions),
  );

  const labels = labelsOf((classifier.model.config as { id2label?: Record<string, string> }).id2label);
  if (labels.length < 2) {
    await classifier.dispose();
    throw unavailable(options, 'config.json names fewer than two classes in id2label');
  }
  const index = new Map(labels.map((l, i) => [l, i]));

  let disposed = false;
  async function run(batch: string[]): Promise<Float64Array[]> {
    const output = (await classifier(batch, { top_k: null })) as { label: string; score: number }[][];
    return output.map((scores) => {
      const row = new Float64Array(labels.length);
      for (const { label, score } of scores) row[index.get(label)!] = score;
      let sum = 0;
      for (const v of row) sum += v;
      for (let c = 0; c < row.length; c++) row[c] = sum > 0 ? row[c]! / sum : 1 / row.length;
      return row;
    });
  }

  try {
    await run(['probe']);
  } catch (error) {
    await classifier.dispose();
    throw unavailable(options, probeFailure(error).detail, error);
  }

  return {
    modelId,
    labels,
    async classify(texts) {
      if (disposed) throw new Error(`text classifier ${modelId} was disposed`);
      return inBatches(texts, batchSize, run);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await classifier.dispose();
    },
  };
}
