/**
 * The model training worker thread: receives one request (a reward model, a text classifier, the
 * safety classifier, or an active-learning simulation, which retrains a reward model dozens of times),
 * trains and evaluates (CPU-bound and synchronous, which is why it runs here and not on the
 * server's event loop), encodes the ONNX artefact, and posts progress, then the result or the
 * error. Started by runInTrainingWorker (training-worker-client.ts).
 */
import { parentPort } from 'node:worker_threads';
import { encodeArtefact, type ModelManifest } from '../reward/artefact';
import { encodeClassifier, type ClassifierManifest } from '../reward/classifier/artefact';
import {
  trainAndEvaluateClassifier,
  type ClassifierRunMetrics,
  type ClassifierRunOptions,
} from '../reward/classifier/run';
import type { TextExample } from '../reward/classifier/train';
import type { TrainingPair } from '../reward/dataset';
import { trainAndEvaluate, type RunMetrics, type RunOptions } from '../reward/run';
import { encodeSafety, type SafetyManifest } from '../reward/safety/artefact';
import { trainAndEvaluateSafety, type SafetyRunMetrics, type SafetyRunOptions } from '../reward/safety/run';
import type { SafetyExample } from '../reward/safety/train';
import {
  preferenceSimulationLearner,
  runSimulation,
  type SimulationReport,
  type SimulationRequest,
} from './active-learning/run';

export type TrainRequest =
  | { kind: 'reward'; pairs: TrainingPair[]; options: Omit<RunOptions, 'onProgress'> }
  | {
      kind: 'classifier';
      examples: TextExample[];
      labels: string[];
      options: Omit<ClassifierRunOptions, 'onProgress'>;
    }
  | {
      kind: 'safety';
      examples: SafetyExample[];
      categories: string[];
      options: Omit<SafetyRunOptions, 'onProgress'>;
    }
  | { kind: 'simulation'; pairs: TrainingPair[]; request: SimulationRequest };

export type SimulationResult = { kind: 'simulation'; report: SimulationReport };

export type TrainedReward = {
  kind: 'reward';
  artefact: Uint8Array;
  manifest: ModelManifest;
  metrics: RunMetrics;
};
export type TrainedClassifierArtefact = {
  kind: 'classifier';
  artefact: Uint8Array;
  manifest: ClassifierManifest;
  metrics: ClassifierRunMetrics;
};

export type TrainedSafetyArtefact = {
  kind: 'safety';
  artefact: Uint8Array;
  manifest: SafetyManifest;
  metrics: SafetyRunMetrics;
};

export type TrainMessage =
  | { type: 'progress'; stage: string; fraction: number }
  | {
      type: 'done';
      result: TrainedReward | TrainedClassifierArtefact | TrainedSafetyArtefact | SimulationResult;
    }
  | { type: 'error'; message: string };

function train(request: TrainRequest, onProgress: (stage: string, fraction: number) => void) {
  if (request.kind === 'simulation') {
    const learner = preferenceSimulationLearner(request.pairs, { testFraction: 0.3, splitSeed: 1 });
    const report = runSimulation('preference', learner, request.request, (done, total, label) =>
      onProgress(label, done / total),
    );
    return { kind: 'simulation', report } satisfies SimulationResult;
  }
  if (request.kind === 'reward') {
    const run = trainAndEvaluate(request.pairs, { ...request.options, onProgress });
    onProgress('save', 0);
    const artefact = encodeArtefact(run.model.head, run.manifest);
    return { kind: 'reward', artefact, manifest: run.manifest, metrics: run.metrics } satisfies TrainedReward;
  }
  if (request.kind === 'safety') {
    const run = trainAndEvaluateSafety(request.examples, request.categories, {
      ...request.options,
      onProgress,
    });
    onProgress('save', 0);
    const artefact = encodeSafety(run.model.head, run.manifest);
    return {
      kind: 'safety',
      artefact,
      manifest: run.manifest,
      metrics: run.metrics,
    } satisfies TrainedSafetyArtefact;
  }
  const run = trainAndEvaluateClassifier(request.examples, request.labels, {
    ...request.options,
    onProgress,
  });
  onProgress('save', 0);
  const artefact = encodeClassifier(run.model.head, run.manifest);
  return {
    kind: 'classifier',
    artefact,
    manifest: run.manifest,
    metrics: run.metrics,
  } satisfies TrainedClassifierArtefact;
}

const port = parentPort;
if (port) {
  port.once('message', (request: TrainRequest) => {
    const post = (message: TrainMessage) => port.postMessage(message);
    try {
      const result = train(request, (stage, fraction) => post({ type: 'progress', stage, fraction }));
      post({ type: 'done', result });
    } catch (error) {
      post({ type: 'error', message: (error as Error).message ?? String(error) });
    }
  });
}
