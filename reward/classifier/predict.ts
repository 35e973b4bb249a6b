/**
 * Class probabilities for texts, in-process (training-time evaluation, before any ONNX file
 * exists) or through the exported ONNX graph (what serving uses). Both featurize the same way and
 * agree to float32 rounding; classifier tests hold them together.
 */
import type { Featurizer } from '../featurize';
import { scoreRows, type LinearHead } from '../head';
import type { OnnxHeadScorer } from '../onnx/session';
import { toRows, type SparseRows } from '../sparse';
import { featurizeText } from './input';

/** Feature rows of `texts` (classifier inputs: a text, or a prompt and response, see input.ts). */
export function textRows(featurizer: Featurizer, texts: readonly string[]): SparseRows {
  return toRows(
    texts.map((t) => featurizeText(featurizer, t)),
    featurizer.dim,
  );
}

/**
 * Row-major [texts][classes] probabilities from the head's logits. The exported head already has
 * its temperature folded in, so this is a plain softmax over its C columns.
 */
export function predictTexts(
  head: LinearHead,
  featurizer: Featurizer,
  texts: readonly string[],
): Float64Array {
  // the head's C columns are full softmax logits (binary models export [−z/2, +z/2])
  return softmax(scoreRows(head, textRows(featurizer, texts)), head.members);
}

/** Row-wise softmax of row-major [rows][classes] logits, into a new array. */
export function softmax(logits: Float64Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let base = 0; base < logits.length; base += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[base + c] = Math.exp(logits[base + c]! - max);
    for (let c = 0; c < classes; c++) out[base + c]! /= sum;
  }
  return out;
}

/** Like predictTexts, through onnxruntime (the graph's own Softmax output). */
export async function predictTextsOnnx(
  scorer: OnnxHeadScorer,
  featurizer: Featurizer,
  texts: readonly string[],
): Promise<Float64Array> {
  return scorer.classProbabilities(textRows(featurizer, texts));
}
