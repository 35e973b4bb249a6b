/**
 * Loading Transformers.js models from a local directory only (ARCHITECTURE §5): what the sentence
 * embedder (embedder.ts) and the pretrained text classifier (pretrained-classifier.ts) share.
 *
 * Transformers.js keeps its settings in one process-wide `env` object. Every load therefore sets
 * each loading-related `env` field and runs after the previous load finished (`serializedLoad`), so
 * it sees exactly the options it was given; whoever else in the process uses Transformers.js sees
 * the settings of the last load. The library also memoizes config.json and file-existence lookups by
 * model id alone (not by directory) for the life of the process: load a given model id from one
 * localModelPath per process.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LocalModelOptions {
  /** a Hugging Face style id, e.g. `Xenova/all-MiniLM-L6-v2`, resolved under localModelPath */
  modelId: string;
  /** directory that holds `<modelId>/tokenizer.json`, `config.json`, `onnx/model.onnx`, … */
  localModelPath: string;
  /** true lets the library download missing files from the Hub into localModelPath */
  allowRemoteModels: boolean;
}

// config.json and tokenizer_config.json matter as much as tokenizer.json: without them
// Transformers.js fails later with errors that name neither the file nor the model.
export const REQUIRED_MODEL_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'config.json',
  'onnx/model.onnx',
];

// The library treats an id that is not Hub-shaped as a path relative to the working directory,
// which would bypass localModelPath; `..` would escape it.
const MODEL_ID = /^[\w.-]+(\/[\w.-]+)?$/;

/** Why `modelId` is not a usable model id, or null when it is one. */
export function modelIdProblem(modelId: string): string | null {
  if (!MODEL_ID.test(modelId) || modelId.split('/').some((part) => part === '..' || part === '.'))
    return `"${modelId}" is not a model id like owner/name`;
  return null;
}

/** What is missing for an offline load of the model, or null when every required file is there. */
export function missingModelFiles(options: LocalModelOptions): string | null {
  const idProblem = modelIdProblem(options.modelId);
  if (idProblem) return idProblem;
  const modelDir = path.join(options.localModelPath, options.modelId);
  if (!fs.statSync(modelDir, { throwIfNoEntry: false })?.isDirectory()) return `no directory ${modelDir}`;
  const missing = REQUIRED_MODEL_FILES.filter(
    (f) => !fs.statSync(path.join(modelDir, f), { throwIfNoEntry: false })?.isFile(),
  );
  return missing.length > 0 ? `missing ${missing.join(', ')} in ${modelDir}` : null;
}

/**
 * Transformers.js is imported on first use: loading it costs ~165 MB of resident memory, which
 * every CLI command and app process would otherwise pay whether or not it ever loads a model.
 */
async function configureLibrary(options: LocalModelOptions): Promise<void> {
  const { env } = await import('@huggingface/transformers');
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

/** Sets the library's `env` for `options` and runs `load` after every earlier load has finished. */
export function serializedLoad<T>(options: LocalModelOptions, load: () => Promise<T>): Promise<T> {
  const task = async () => {
    await configureLibrary(options);
    return load();
  };
  const result = loading.then(task, task);
  loading = result.catch(() => undefined);
  return result;
}

export interface LocalPipelineOptions extends LocalModelOptions {
  /** texts per forward pass; bounds memory, does not change results */
  batchSize?: number;
}

/** How a load went wrong: files not there (or a bad id), or the library failed on them. */
export type LoadFailure =
  { kind: 'missing'; detail: string } | { kind: 'broken'; detail: string; cause: unknown };

/** An error's message, or the thrown value as text. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks `options` (batch size, model id, and the files unless downloads are allowed), then runs
 * `load` under serializedLoad. `fail` turns what went wrong into the caller's own error, so each
 * kind of model names itself. Returns what `load` made and the batch size to use.
 */
export async function loadLocalPipeline<P>(
  options: LocalPipelineOptions,
  defaultBatchSize: number,
  fail: (failure: LoadFailure) => Error,
  load: (pipelineOptions: { dtype: 'fp32'; device: 'cpu'; local_files_only: boolean }) => Promise<P>,
): Promise<{ pipe: P; batchSize: number }> {
  const batchSize = options.batchSize ?? defaultBatchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const missing = options.allowRemoteModels ? modelIdProblem(options.modelId) : missingModelFiles(options);
  if (missing) throw fail({ kind: 'missing', detail: missing });
  const pipe = await serializedLoad(options, async () => {
    try {
      return await load({ dtype: 'fp32', device: 'cpu', local_files_only: !options.allowRemoteModels });
    } catch (error) {
      throw fail({ kind: 'broken', detail: `could not be loaded (${reasonOf(error)})`, cause: error });
    }
  });
  return { pipe, batchSize };
}

/** Runs `run` over `texts` in slices of `batchSize` and joins the results in order. */
export async function inBatches<T>(
  texts: readonly string[],
  batchSize: number,
  run: (batch: string[]) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < texts.length; start += batchSize)
    out.push(...(await run(texts.slice(start, start + batchSize))));
  return out;
}

/** The probe run after a load failed: what to tell the caller's `fail`. */
export function probeFailure(error: unknown): LoadFailure {
  return { kind: 'broken', detail: `loaded but does not run (${reasonOf(error)})`, cause: error };
}
