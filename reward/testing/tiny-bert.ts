/**
 * A tiny BERT-shaped ONNX model for tests: the same inputs and output as a real sentence-embedding
 * export (Xenova/all-MiniLM-L6-v2 and friends), but random weights and a few kilobytes of graph, so
 * the embedder's loading, batching, padding and pooling can be tested with no download and no python.
 */
import fs from 'node:fs';
import path from 'node:path';
// onnx-proto is CommonJS whose namespace object Node's ESM loader cannot see as a named export
import onnxProto from 'onnx-proto';
import { createRng } from '../rng';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;
const INT = onnx.AttributeProto.AttributeType.INT;

export interface TinyBertOptions {
  /** must cover every token id the tokenizer can emit (config.json's vocab_size) */
  vocabSize: number;
  hidden: number;
  seed: number;
  /** longest sequence the position table covers; tokenizers truncate at model_max_length (512) */
  maxPositions?: number;
  /**
   * Makes it a sequence classifier (BertForSequenceClassification's output `logits`, batch × classes)
   * instead of an encoder: a text's logits are the mean over its real tokens of each token's row in
   * `evidence` (token id → one value per class; other tokens add 0), so a test knows what it says.
   */
  classifier?: { classes: number; evidence: ReadonlyMap<number, readonly number[]> };
}

function floatTensor(name: string, dims: number[], values: Float32Array) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
}

function int64Tensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: DataType.INT64, int64Data: values });
}

function randomTable(rows: number, cols: number, rng: () => number, scale = 1): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = (rng() * 2 - 1) * scale;
  return out;
}

function node(opType: string, input: string[], output: string[], attribute: object[] = []) {
  return onnx.NodeProto.create({ opType, input, output, attribute, name: output[0] });
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  });
}

/**
 * Builds the model bytes. `last_hidden_state` = tanh(x + mean_masked(x) · W) with
 * x = word[input_ids] + type[token_type_ids] + position[0..seq): every output depends on its token,
 * its position and (like attention) on the other real tokens, but never on padding, so a text embeds
 * the same alone or in a padded batch only if the attention mask reaches the model intact.
 * Same options → same bytes.
 */
export function buildTinyBertModel(opts: TinyBertOptions): Uint8Array {
  if (opts.classifier) {
    const { nodes, initializer, output } = classifierGraph(opts);
    return encodeModel('tiny_bert_classifier', nodes, initializer, output);
  }
  const { vocabSize, hidden, seed } = opts;
  const maxPositions = opts.maxPositions ?? 512;
  const rng = createRng(seed);
  const initializer = [
    floatTensor('word_embeddings', [vocabSize, hidden], randomTable(vocabSize, hidden, rng)),
    floatTensor('token_type_embeddings', [2, hidden], randomTable(2, hidden, rng)),
    floatTensor('position_embeddings', [maxPositions, hidden], randomTable(maxPositions, hidden, rng, 0.5)),
    floatTensor('mix', [hidden, hidden], randomTable(hidden, hidden, rng)),
    floatTensor('eps', [], new Float32Array([1e-9])),
    int64Tensor('zero', [], [0]),
    int64Tensor('one', [], [1]),
    int64Tensor('axis_seq', [1], [1]),
    int64Tensor('axis_last', [1], [2]),
  ];
  const nodes = [
    node('Gather', ['word_embeddings', 'input_ids'], ['words']),
    node('Gather', ['token_type_embeddings', 'token_type_ids'], ['types']),
    node('Shape', ['input_ids'], ['ids_shape']),
    node('Gather', ['ids_shape', 'one'], ['seq_len'], [{ name: 'axis', type: INT, i: 0 }]),
    node('Range', ['zero', 'seq_len', 'one'], ['position_ids']),
    node('Gather', ['position_embeddings', 'position_ids'], ['positions']),
    node('Add', ['words', 'types'], ['words_types']),
    node('Add', ['words_types', 'positions'], ['x']),
    // the masked mean over real tokens stands in for attention: cheap, and blind to padding
    ...maskedMeanNodes('x', 'context', 1),
    node('MatMul', ['context', 'mix'], ['context_mixed']),
    node('Add', ['x', 'context_mixed'], ['pre_activation']),
    node('Tanh', ['pre_activation'], ['last_hidden_state']),
  ];
  return encodeModel('tiny_bert', nodes, initializer, [
    valueInfo('last_hidden_state', DataType.FLOAT, ['batch', 'sequence', hidden]),
  ]);
}

/** Nodes for the mean of `x` over the real tokens (attention_mask) as `out`; needs eps, axis_seq, axis_last. */
function maskedMeanNodes(x: string, out: string, keepdims: 0 | 1) {
  return [
    node('Cast', ['attention_mask'], ['mask_float'], [{ name: 'to', type: INT, i: DataType.FLOAT }]),
    node('Unsqueeze', ['mask_float', 'axis_last'], ['mask']),
    node('Mul', [x, 'mask'], [`${x}_masked`]),
    node(
      'ReduceSum',
      [`${x}_masked`, 'axis_seq'],
      [`${x}_sum`],
      [{ name: 'keepdims', type: INT, i: keepdims }],
    ),
    node('ReduceSum', ['mask', 'axis_seq'], ['mask_sum'], [{ name: 'keepdims', type: INT, i: keepdims }]),
    node('Max', ['mask_sum', 'eps'], ['mask_count']),
    node('Div', [`${x}_sum`, 'mask_count'], [out]),
  ];
}

/** A BERT-shaped graph (input_ids, attention_mask, token_type_ids in; `output` out) as ONNX bytes. */
function encodeModel(
  name: string,
  nodes: ReturnType<typeof node>[],
  initializer: ReturnType<typeof floatTensor>[],
  output: ReturnType<typeof valueInfo>[],
): Uint8Array {
  // a graph may leave an input unused (the classifier ignores token_type_ids); the library feeds
  // what the graph declares, and BERT exports declare all three
  const input = ['input_ids', 'attention_mask', 'token_type_ids'].map((n) =>
    valueInfo(n, DataType.INT64, ['batch', 'sequence']),
  );
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'arbiter-tiny-bert',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name, node: nodes, initializer, input, output },
  });
  return onnx.ModelProto.encode(model).finish();
}

function classifierGraph(opts: TinyBertOptions) {
  const { classes, evidence } = opts.classifier!;
  const table = new Float32Array(opts.vocabSize * classes);
  for (const [token, values] of evidence) {
    if (values.length !== classes)
      throw new Error(`token ${token}: ${values.length} values, expected ${classes}`);
    values.forEach((v, c) => (table[token * classes + c] = v));
  }
  const initializer = [
    floatTensor('class_evidence', [opts.vocabSize, classes], table),
    floatTensor('eps', [], new Float32Array([1e-9])),
    int64Tensor('axis_seq', [1], [1]),
    int64Tensor('axis_last', [1], [2]),
  ];
  const nodes = [
    node('Gather', ['class_evidence', 'input_ids'], ['token_evidence']),
    ...maskedMeanNodes('token_evidence', 'logits', 0),
  ];
  return { nodes, initializer, output: [valueInfo('logits', DataType.FLOAT, ['batch', classes])] };
}

/**
 * Writes `<dir>/onnx/model.onnx` (the file Transformers.js loads for dtype fp32) and returns its path.
 * Deterministic: the same options always write the same bytes.
 */
export function writeTinyBertModel(dir: string, opts: TinyBertOptions): string {
  const file = path.join(dir, 'onnx', 'model.onnx');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buildTinyBertModel(opts));
  return file;
}

/** The vocabulary size in `<dir>/config.json`, which the model's embedding table must cover. */
export function readVocabSize(dir: string): number {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
    vocab_size?: unknown;
  };
  if (typeof config.vocab_size !== 'number') throw new Error(`${dir}/config.json has no vocab_size`);
  return config.vocab_size;
}
