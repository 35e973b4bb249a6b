/**
 * Linear heads as ONNX "embedding bag" graphs, written and read in one place so the two cannot
 * drift apart. Rows arrive padded to a common length M (index 0, value 0 in the padding):
 *
 *   scores[n, k] = Σ_m values[n, m] · weights[indices[n, m], k] + bias[k]
 *
 * Padding contributes 0 · weights[0, k] = 0, so it never changes a score. Two kinds of head share
 * that core and differ in what they output:
 *
 *   reward ensemble (K members):  member_scores[n, k] = scores,
 *                                 reward[n] = mean_k, spread[n] = population std_k
 *   softmax classifier (K classes): logits[n, k] = scores, probabilities[n, k] = softmax_k(logits)
 *   multi-label classifier (K labels): label_logits[n, k] = scores,
 *                                 label_probabilities[n, k] = sigmoid(label_logits[n, k])
 */
import onnxProto from 'onnx-proto';
import type { LinearHead } from '../head';

// onnx-proto is CommonJS with `module.exports = root`, so Node's ESM loader sees only a default export.
const { onnx } = onnxProto;
type ModelProto = InstanceType<typeof onnx.ModelProto>;

/**
 * Opset 18 is the first where ReduceMean, like Unsqueeze and Squeeze, takes `axes` as an input
 * tensor, so every node in the graph uses one convention (the shared `axis_1` initializer).
 * IR version 8 is the one opset 18 shipped with (ONNX 1.13); onnxruntime 1.30 reads both.
 */
export const HEAD_OPSET = 18;
export const HEAD_IR_VERSION = 8;

export const HEAD_INPUTS = { indices: 'indices', values: 'values' } as const;
export const HEAD_OUTPUTS = { memberScores: 'member_scores', reward: 'reward', spread: 'spread' } as const;
export const CLASSIFIER_OUTPUTS = { logits: 'logits', probabilities: 'probabilities' } as const;
export const MULTILABEL_OUTPUTS = {
  logits: 'label_logits',
  probabilities: 'label_probabilities',
} as const;

export type HeadKind = 'ensemble' | 'softmax' | 'multilabel';

/** Per kind: the graph's name, the output holding the [N, K] linear scores, and all its outputs. */
export const HEAD_KINDS: Record<HeadKind, { graph: string; scores: string; outputs: readonly string[] }> = {
  ensemble: {
    graph: 'arbiter_reward_head',
    scores: HEAD_OUTPUTS.memberScores,
    outputs: Object.values(HEAD_OUTPUTS),
  },
  softmax: {
    graph: 'arbiter_text_classifier',
    scores: CLASSIFIER_OUTPUTS.logits,
    outputs: Object.values(CLASSIFIER_OUTPUTS),
  },
  multilabel: {
    graph: 'arbiter_multilabel_classifier',
    scores: MULTILABEL_OUTPUTS.logits,
    outputs: Object.values(MULTILABEL_OUTPUTS),
  },
};
const WEIGHTS = 'weights';
const BIAS = 'bias';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const INT = onnx.AttributeProto.AttributeType.INT;

/** ONNX raw_data is little-endian; typed arrays use the platform's byte order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `data` in the byte layout of ONNX raw_data (little-endian float32), as a new array. */
export function float32LeBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else {
    const view = new DataView(out.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  }
  return out;
}

function float32FromLeBytes(bytes: Uint8Array): Float32Array {
  // Copy: the decoded bytes are a view into the model buffer at an arbitrary (unaligned) offset.
  // Not bytes.slice(): on a Node Buffer that returns another view of the same memory.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (LITTLE_ENDIAN) return new Float32Array(copy.buffer);
  const view = new DataView(copy.buffer);
  const out = new Float32Array(copy.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function tensorInfo(name: string, elemType: number, dims: (number | string)[]) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function node(opType: string, input: string[], output: string, attrs: Record<string, number> = {}) {
  const attribute = Object.entries(attrs).map(([name, i]) => ({ name, type: INT, i }));
  return { opType, input, output: [output], name: output, attribute };
}

/** What each kind computes from the [N, K] scores, and the tensors it outputs. */
function outputsOf(kind: HeadKind, k: number) {
  if (kind === 'softmax') {
    const { logits, probabilities } = CLASSIFIER_OUTPUTS;
    return {
      info: [tensorInfo(logits, FLOAT, ['N', k]), tensorInfo(probabilities, FLOAT, ['N', k])],
      nodes: [node('Softmax', [logits], probabilities, { axis: 1 })],
    };
  }
  if (kind === 'multilabel') {
    const { logits, probabilities } = MULTILABEL_OUTPUTS;
    return {
      info: [tensorInfo(logits, FLOAT, ['N', k]), tensorInfo(probabilities, FLOAT, ['N', k])],
      nodes: [node('Sigmoid', [logits], probabilities)],
    };
  }
  const { memberScores, reward, spread } = HEAD_OUTPUTS;
  return {
    info: [
      tensorInfo(memberScores, FLOAT, ['N', k]),
      tensorInfo(reward, FLOAT, ['N']),
      tensorInfo(spread, FLOAT, ['N']),
    ],
    nodes: [
      node('ReduceMean', [memberScores, 'axis_1'], reward, { keepdims: 0 }),
      node('ReduceMean', [memberScores, 'axis_1'], 'mean_kept', { keepdims: 1 }), // [N, 1]
      node('Sub', [memberScores, 'mean_kept'], 'centered'),
      node('Mul', ['centered', 'centered'], 'squared'),
      node('ReduceMean', ['squared', 'axis_1'], 'variance', { keepdims: 0 }),
      node('Sqrt', ['variance'], spread),
    ],
  };
}

/**
 * Encodes `head` as an ONNX model (opset 18) with inputs `indices` int64 [N, M] and `values` float
 * [N, M]. A reward ensemble (`kind` "ensemble", the default) outputs `member_scores` [N, K],
 * `reward` [N] and `spread` [N]; a softmax classifier outputs `logits` [N, K] and `probabilities`
 * [N, K]; a multi-label classifier outputs `label_logits` and `label_probabilities` (sigmoid per
 * column) [N, K]. Weights and bias are stored bit-exactly as little-endian float32 raw_data; `metadata`
 * becomes metadata_props (sorted by key, so equal inputs always give byte-identical models).
 */
export function buildHeadModel(
  head: LinearHead,
  metadata: Record<string, string>,
  kind: HeadKind = 'ensemble',
): Uint8Array {
  const { dim, members } = head;
  if (head.weights.length !== dim * members || head.bias.length !== members)
    throw new Error(`head arrays do not match dim ${dim} × members ${members}`);
  const { indices, values } = HEAD_INPUTS;
  const scores = HEAD_KINDS[kind].scores;
  const outputs = outputsOf(kind, members);
  const graph = {
    name: HEAD_KINDS[kind].graph,
    input: [tensorInfo(indices, INT64, ['N', 'M']), tensorInfo(values, FLOAT, ['N', 'M'])],
    output: outputs.info,
    initializer: [
      { name: WEIGHTS, dims: [dim, members], dataType: FLOAT, rawData: float32LeBytes(head.weights) },
      { name: BIAS, dims: [members], dataType: FLOAT, rawData: float32LeBytes(head.bias) },
      { name: 'axis_1', dims: [1], dataType: INT64, int64Data: [1] },
    ],
    node: [
      node('Gather', [WEIGHTS, indices], 'gathered', { axis: 0 }), // [N, M, K]
      node('Unsqueeze', [values, 'axis_1'], 'values_row'), // [N, 1, M]
      // values_row · gathered is Σ_m values·weights in one pass; Mul then ReduceSum writes and
      // re-reads the whole [N, M, K] product and measured about 1.5× slower end to end
      node('MatMul', ['values_row', 'gathered'], 'summed'), // [N, 1, K]
      node('Squeeze', ['summed', 'axis_1'], 'summed_2d'), // [N, K]
      node('Add', ['summed_2d', BIAS], scores),
      ...outputs.nodes,
    ],
  };
  const metadataProps = Object.keys(metadata)
    .sort()
    .map((key) => ({ key, value: metadata[key]! }));
  const model = onnx.ModelProto.create({
    irVersion: HEAD_IR_VERSION,
    opsetImport: [{ domain: '', version: HEAD_OPSET }],
    producerName: 'arbiter',
    graph,
    metadataProps,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Why readHeadModel rejected bytes: they are not protobuf at all, or not a reward head graph. */
export class HeadModelError extends Error {
  override readonly name = 'HeadModelError';
  constructor(
    readonly kind: 'unreadable' | 'not-a-head',
    message: string,
  ) {
    super(message);
  }
}

export interface HeadModel {
  head: LinearHead;
  metadata: Record<string, string>;
  kind: HeadKind;
}

const toNumber = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)));

function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new HeadModelError('unreadable', `protobuf decoding failed: ${(error as Error).message}`);
  }
}

function checkTensorValue(
  values: readonly {
    name?: string | null;
    type?: { tensorType?: { elemType?: number | null } | null } | null;
  }[],
  name: string,
  elemType: number,
  kind: 'input' | 'output',
): void {
  const found = values.find((v) => v.name === name);
  if (!found) throw new HeadModelError('not-a-head', `the graph has no ${kind} "${name}"`);
  if (found.type?.tensorType?.elemType !== elemType)
    throw new HeadModelError(
      'not-a-head',
      `${kind} "${name}" has element type ${found.type?.tensorType?.elemType}, expected ${elemType}`,
    );
}

/**
 * Reads a model written by buildHeadModel back into a LinearHead (bit-exact weights), its kind and
 * its metadata. Throws a HeadModelError naming the first problem when the bytes do not decode or the
 * graph lacks an input, output or initializer the scorer relies on; it does not check the node list.
 */
export function readHeadModel(bytes: Uint8Array): HeadModel {
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (!graph) throw new HeadModelError('not-a-head', 'the model has no graph');
  checkTensorValue(graph.input ?? [], HEAD_INPUTS.indices, INT64, 'input');
  checkTensorValue(graph.input ?? [], HEAD_INPUTS.values, FLOAT, 'input');
  // a classifier announces itself by its logits; anything else must be a complete reward ensemble
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const kind: HeadKind = outputs.has(CLASSIFIER_OUTPUTS.logits)
    ? 'softmax'
    : outputs.has(MULTILABEL_OUTPUTS.logits)
      ? 'multilabel'
      : 'ensemble';
  for (const name of HEAD_KINDS[kind].outputs) checkTensorValue(graph.output ?? [], name, FLOAT, 'output');

  const init = (name: string) => {
    const tensor = (graph.initializer ?? []).find((t) => t.name === name);
    if (!tensor) throw new HeadModelError('not-a-head', `the graph has no initializer "${name}"`);
    if (tensor.dataType !== FLOAT)
      throw new HeadModelError('not-a-head', `initializer "${name}" is not float32`);
    const dims = (tensor.dims ?? []).map(toNumber);
    const raw = tensor.rawData ?? new Uint8Array(0);
    const expected = dims.reduce((a, b) => a * b, 1) * 4;
    if (raw.length !== expected)
      throw new HeadModelError(
        'not-a-head',
        `initializer "${name}" holds ${raw.length} bytes, but its shape [${dims}] needs ${expected}`,
      );
    return { dims, data: float32FromLeBytes(raw) };
  };
  const weights = init(WEIGHTS);
  const bias = init(BIAS);
  if (weights.dims.length !== 2 || bias.dims.length !== 1 || weights.dims[1] !== bias.dims[0])
    throw new HeadModelError(
      'not-a-head',
      `weights [${weights.dims}] and bias [${bias.dims}] do not form a [dim, K] head`,
    );

  const metadata: Record<string, string> = {};
  for (const { key, value } of model.metadataProps ?? []) {
    const k = key ?? '';
    if (Object.hasOwn(metadata, k))
      throw new HeadModelError('not-a-head', `metadata key "${k}" appears twice`);
    metadata[k] = value ?? '';
  }
  const head = { dim: weights.dims[0]!, members: bias.dims[0]!, weights: weights.data, bias: bias.data };
  return { head, metadata, kind };
}
