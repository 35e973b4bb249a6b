/**
 * Dense sentence embeddings from a local Transformers.js model (ARCHITECTURE §5): an optional extra
 * featurizer block, used only when a model is configured and present in the local model directory.
 *
 * Transformers.js keeps its settings in one process-wide `env` object. loadEmbedder therefore sets
 * every loading-related `env` field on each call and loads one model at a time, so each load sees
 * exactly the options it was given; whoever else in the process uses Transformers.js sees the
 * settings of the last load. The library also memoizes config.json and file-existence lookups by
 * model id alone (not by directory) for the life of the process: load a given model id from one
 * localModelPath per process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';

export interface EmbedderOptions {
  /** a Hugging Face style id, e.g. `Xenova/all-MiniLM-L6-v2`, resolved under localModelPath */
  modelId: string;
  /** directory that holds `<modelId>/tokenizer.json`, `config.json`, `onnx/model.onnx`, … */
  localModelPath: string;
  /** true lets the library download missing files from the Hub into localModelPath */
  allowRemoteModels: boolean;
  /** texts per forward pass; bounds memory, does not change results (default 32) */
  batchSize?: number;
}

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

// config.json and tokenizer_config.json matter as much as tokenizer.json: without them
// Transformers.js fails later with errors that name neither the file nor the model.
const REQUIRED_FILES = ['tokenizer.json', 'tokenizer_config.json', 'config.json', 'onnx/model.onnx'];
// The library treats an id that is not Hub-shaped as a path relative to the working directory,
// which would bypass localModelPath; `..` would escape it.
const MODEL_ID = /^[\w.-]+(\/[\w.-]+)?$/;

function notThere(options: EmbedderOptions, detail: string) {
  return new EmbedderUnavailableError(
    `sentence-embedding model ${options.modelId} is not in ${options.localModelPath} (${detail}): ` +
      `put its ${REQUIRED_FILES.join(', ')} there, or turn embeddings off`,
  );
}

function broken(options: EmbedderOptions, what: string, cause: unknown) {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EmbedderUnavailableError(
    `sentence-embedding model ${options.modelId} in ${options.localModelPath} ${what} (${reason}): ` +
      `replace its ${REQUIRED_FILES.join(', ')} with a working export, or turn embeddings off`,
    { cause },
  );
}

function checkLocalFiles(options: EmbedderOptions): void {
  const modelDir = path.join(options.localModelPath, options.modelId);
  if (!fs.statSync(modelDir, { throwIfNoEntry: false })?.isDirectory())
    throw notThere(options, `no directory ${modelDir}`);
  const missing = REQUIRED_FILES.filter(
    (f) => !fs.statSync(path.join(modelDir, f), { throwIfNoEntry: false })?.isFile(),
  );
  if (missing.length > 0) throw notThere(options, `missing ${missing.join(', ')} in ${modelDir}`);
}

function configureLibrary(options: EmbedderOptions): void {
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemoteModels;
  env.localModelPath = options.localModelPath;
  // The file cache is consulted before localModelPath, and by default lives inside node_modules,
  // where a stale copy of the same model id would win. Pointing it at localModelPath makes the two
  // one place: downloads (when allowed) land where the next offline load looks.
  env.useFSCache = true;
  env.cacheDir = options.localModelPath;
  env.useBrowserCache = false;
  env.useCustomCache = false;
}

let loading: Promise<unknown> = Promise.resolve();

/** Runs loads one after another: each sets the global `env` and must finish under its own settings. */
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const result = loading.then(task, task);
  loading = result.catch(() => undefined);
  return result;
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
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!MODEL_ID.test(modelId) || modelId.split('/').some((part) => part === '..' || part === '.'))
    throw notThere(options, `"${modelId}" is not a model id like owner/name`);
  if (!options.allowRemoteModels) checkLocalFiles(options);

  const extractor = await serialized(async () => {
    configureLibrary(options);
    try {
      return await pipeline('feature-extraction', modelId, {
        dtype: 'fp32',
        device: 'cpu',
        local_files_only: !options.allowRemoteModels,
      });
    } catch (error) {
      throw broken(options, 'could not be loaded', error);
    }
  });

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
    throw broken(options, 'loaded but does not run', error);
  }

  return {
    modelId,
    dimension,
    async embed(texts) {
      if (disposed) throw new Error(`embedder for ${modelId} was disposed`);
      const out: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize)
        out.push(...(await run(texts.slice(start, start + batchSize))));
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await extractor.dispose();
    },
  };
}
