/**
 * Risk scores for responses, in-process (training-time evaluation) or through the exported ONNX
 * graph (what serving uses); both featurize the same way and agree to float32 rounding.
 */
import type { Featurizer } from '../featurize';
import { scoreRows, type LinearHead } from '../head';
import type { OnnxHeadScorer } from '../onnx/session';
import { classifierText } from '../classifier/input';
import { textRows } from '../classifier/predict';
import type { SafetyPrediction } from './metrics';

export interface PromptResponse {
  prompt: string;
  response: string;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Row-major [rows][labels] probabilities as SafetyPredictions (labels[0] is "unsafe"). */
export function toPredictions(probabilities: Float64Array, labels: readonly string[]): SafetyPrediction[] {
  const K = labels.length;
  const out: SafetyPrediction[] = [];
  for (let base = 0; base < probabilities.length; base += K) {
    const categories: Record<string, number> = {};
    for (let k = 1; k < K; k++) categories[labels[k]!] = probabilities[base + k]!;
    out.push({ risk: probabilities[base]!, categories });
  }
  return out;
}

function rowsOf(featurizer: Featurizer, inputs: readonly PromptResponse[]) {
  return textRows(
    featurizer,
    inputs.map((i) => classifierText(i.prompt, i.response)),
  );
}

/** In-process: the head's logits through a sigmoid per column. */
export function predictSafety(
  head: LinearHead,
  featurizer: Featurizer,
  labels: readonly string[],
  inputs: readonly PromptResponse[],
): SafetyPrediction[] {
  const logits = scoreRows(head, rowsOf(featurizer, inputs));
  return toPredictions(logits.map(sigmoid), labels);
}

/** Through onnxruntime (the graph's own Sigmoid output). */
export async function predictSafetyOnnx(
  scorer: OnnxHeadScorer,
  featurizer: Featurizer,
  labels: readonly string[],
  inputs: readonly PromptResponse[],
): Promise<SafetyPrediction[]> {
  return toPredictions(await scorer.labelProbabilities(rowsOf(featurizer, inputs)), labels);
}
