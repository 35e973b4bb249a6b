/**
 * Dense sentence embeddings from a local Transformers.js model (ARCHITECTURE §5): an optional extra
 * featurizer block, used only when a model is configured and present in the local model directory.
 * Loading follows local-models.ts (one process-wide library configuration, loads in turn).
 */
import {
  inBatches,
  loadLocalPipeline,
  probeFailure,
  REQUIRED_MODEL_FILES,
  type LoadFailure,
  type LocalPipelineOptions,
} from './local-models';

/** batchSize defaults to 32 */
export type EmbedderOptions = LocalPipelineOptions;

export interface Embedder {
  readonly modelId: string;
  readonly dimension: number;
  /** one mean-pooled, L2-normalized vector per text, in order */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** The configured embedding model cannot be loaded; the message says what to put where. */
export class EmbedderUnavailableError extends Error {
  override name = 'EmbedderUnavailableError';
}

function failure(options: EmbedderOptions, f: LoadFailure): EmbedderUnavailableError {
  const files = REQUIRED_MODEL_FILES.join(', ');
  return f.kind === 'missing'
    ? new EmbedderUnavailableError(
        `sentence-embedding model ${options.modelId} is not in ${options.localModelPath} (${f.detail}): ` +
          `put its ${files} there, or turn embeddings off`,
      )
    : new EmbedderUnavailableError(
        `sentence-embedding model ${options.modelId} in ${options.localModelPath} ${f.detail}: ` +
          `replace its ${files} with a working export, or turn embeddings off`,
        { cause: f.cause },
      );
}

function rows(data: Float32Array, count: number, dimension: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => data.slice(i * dimension, (i + 1) * dimension));
}

/**
 * Loads the sentence-embedding model `options.modelId` from `options.localModelPath` (fp32,
 * `onnx/model.onnx`, CPU). With allowRemoteModels false it never touches the network: missing files
 * fail at once with EmbedderUnavailableError naming the directory. Any library failure while loading
 * is an EmbedderUnavailableError too. The returned embedder is deterministic: a text's vector does not
 * depend on the other texts in its call or on batchSize (beyond float rounding, ~1e-6).
 */
export async function loadEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const { modelId } = options;
  const { pipe: extractor, batchSize } = await loadLocalPipeline(
    options,
    32,
    (f) => failure(options, f),
    async (pipelineOptions) =>
      (await import('@huggingface/transformers')).pipeline('feature-extraction', modelId, pipelineOptions),
  );

  let disposed = false;
  async function run(batch: string[]): Promise<Float32Array[]> {
    const output = await extractor(batch, { pooling: 'mean', normalize: true });
    const [count, dimension] = output.dims as [number, number];
    // fp32 weights give float32 already; a model with fp16 outputs would not, and callers need one type
    const data =
      output.data instanceof Float32Array ? output.data : Float32Array.from(output.data as ArrayLike<number>);
    return rows(data, count, dimension);
  }

  // Probing beats trusting config.json's hidden_size: the vector length is what the ONNX file outputs.
  let dimension: number;
  try {
    dimension = (await run(['dimension probe']))[0]!.length;
  } catch (error) {
    await extractor.dispose();
    throw failure(options, probeFailure(error));
  }

  return {
    modelId,
    dimension,
    async embed(texts) {
      if (disposed) throw new Error(`embedder for ${modelId} was disposed`);
      return inBatches(texts, batchSize, run);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await extractor.dispose();
    },
  };
}
