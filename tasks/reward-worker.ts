/**
 * The reward training worker thread: receives one request, trains and evaluates (CPU-bound and
 * synchronous, which is why it runs here and not on the server's event loop), encodes the artefact,
 * and posts progress, then the result or the error. Started by trainInWorker (reward-training-job.ts).
 */
import { parentPort } from 'node:worker_threads';
import { encodeArtefact, type ModelManifest } from '../reward/artefact';
import type { TrainingPair } from '../reward/dataset';
import { trainAndEvaluate, type RunMetrics, type RunOptions } from '../reward/run';

export interface TrainRequest {
  pairs: TrainingPair[];
  options: Omit<RunOptions, 'onProgress'>;
}

export type TrainMessage =
  | { type: 'progress'; stage: string; fraction: number }
  | { type: 'done'; artefact: Uint8Array; manifest: ModelManifest; metrics: RunMetrics }
  | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  port.once('message', (request: TrainRequest) => {
    const post = (message: TrainMessage) => port.postMessage(message);
    try {
      const result = trainAndEvaluate(request.pairs, {
        ...request.options,
        onProgress: (stage, fraction) => post({ type: 'progress', stage, fraction }),
      });
      post({ type: 'progress', stage: 'save', fraction: 0 });
      const artefact = encodeArtefact(result.model.head, result.manifest);
      post({ type: 'done', artefact, manifest: result.manifest, metrics: result.metrics });
    } catch (error) {
      post({ type: 'error', message: (error as Error).message ?? String(error) });
    }
  });
}
