/**
 * Runs one training request in a worker thread (training-worker.ts) and resolves with its result,
 * so the process that runs the job keeps serving requests while the CPU-bound fit runs. Only the
 * server's job worker, the CLI and tests import this module; the web bundle never does (it starts a
 * Worker from a file next to it).
 */
import { Worker } from 'node:worker_threads';
import type { TrainMessage, TrainRequest } from './training-worker';

export type { TrainRequest } from './training-worker';

/** A failure inside the training code: deterministic for the same data and seed, so not retried. */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

/**
 * Posts `request` to a new worker thread; `onProgress` receives its stage reports. Aborting
 * `signal` terminates the worker. Rejects with TrainingError when the training code throws.
 */
export function runInTrainingWorker<R extends Extract<TrainMessage, { type: 'done' }>['result']>(
  request: TrainRequest,
  {
    onProgress,
    signal,
  }: { onProgress?: (stage: string, fraction: number) => void; signal?: AbortSignal } = {},
): Promise<R> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const worker = new Worker(new URL('./training-worker.boot.mjs', import.meta.url), {
      name: `arbiter ${request.kind} training`,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const onAbort = () => settle(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: TrainMessage) => {
      if (message.type === 'progress') onProgress?.(message.stage, message.fraction);
      else if (message.type === 'done') settle(() => resolve(message.result as R));
      else settle(() => reject(new TrainingError(message.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`The training worker stopped (exit code ${code}) before it finished.`))),
    );
    worker.postMessage(request);
  });
}
