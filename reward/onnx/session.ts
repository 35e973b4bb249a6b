/**
 * Scores sparse rows with an exported linear head (a reward ensemble or a text classifier) through
 * onnxruntime-node. The graphs and their input/output names come from build-head.ts; this file
 * only pads, feeds and unpacks batches.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { rowCount, type SparseRows } from '../sparse';
import {
  CLASSIFIER_OUTPUTS,
  MULTILABEL_OUTPUTS,
  HEAD_INPUTS,
  HEAD_KINDS,
  HEAD_OUTPUTS,
  readHeadModel,
  type HeadKind,
} from './build-head';

export interface OnnxHeadScorerOptions {
  /**
   * Threads onnxruntime may use inside one run. Defaults to 1: the scorer runs inside the web
   * server and the job worker, which should not lose every core to one scoring request.
   */
  intraOpNumThreads?: number;
}

export interface EnsembleScores {
  /** row-major [rows][members] */
  memberScores: Float64Array;
  /** per row: mean over members */
  reward: Float64Array;
  /** per row: population standard deviation over members */
  spread: Float64Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class OnnxHeadScorer {
  private constructor(
    private readonly session: InferenceSession,
    /** input dimension the head expects (rows must have the same `dim`) */
    readonly dim: number,
    /** ensemble size K, or the number of classes of a classifier */
    readonly members: number,
    private readonly meta: Readonly<Record<string, string>>,
    /** which graph this is: a reward ensemble or a softmax classifier */
    readonly kind: HeadKind,
  ) {}

  /**
   * Opens a session on model bytes written by buildHeadModel. Throws if the bytes are not such a
   * model (see readHeadModel) or onnxruntime rejects the graph; never returns a half-usable scorer.
   */
  static async load(bytes: Uint8Array, options: OnnxHeadScorerOptions = {}): Promise<OnnxHeadScorer> {
    const { head, metadata, kind } = readHeadModel(bytes);
    const session = await InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // batches have a different padded width each time, so a memory pattern from one never fits the next
      enableMemPattern: false,
      logSeverityLevel: 3,
    });
    return new OnnxHeadScorer(session, head.dim, head.members, Object.freeze({ ...metadata }), kind);
  }

  /** The model's metadata_props (for Arbiter artefacts, the embedded manifest), as a copy. */
  metadata(): Record<string, string> {
    return { ...this.meta };
  }

  /**
   * Member scores (a classifier's logits) of every row, row-major [rows][members], the same layout
   * and (to float32 rounding, about 1e-6) the same values as `scoreRows` in head.ts.
   */
  async scoreRows(rows: SparseRows, batchSize = 2048): Promise<Float64Array> {
    return (await this.run(rows, batchSize, [HEAD_KINDS[this.kind].scores]))[0]!;
  }

  /** Member scores plus the graph's own `reward` (mean) and `spread` (population std) outputs. */
  async scoreEnsemble(rows: SparseRows, batchSize = 2048): Promise<EnsembleScores> {
    if (this.kind !== 'ensemble') throw new Error('this model is a classifier, not a reward ensemble');
    const [memberScores, reward, spread] = await this.run(rows, batchSize, [
      HEAD_OUTPUTS.memberScores,
      HEAD_OUTPUTS.reward,
      HEAD_OUTPUTS.spread,
    ]);
    return { memberScores: memberScores!, reward: reward!, spread: spread! };
  }

  /** A classifier's class distribution of every row, row-major [rows][classes], from the graph's softmax. */
  async classProbabilities(rows: SparseRows, batchSize = 2048): Promise<Float64Array> {
    if (this.kind !== 'softmax')
      throw new Error(`this model is a ${this.kind} head, not a softmax classifier`);
    return (await this.run(rows, batchSize, [CLASSIFIER_OUTPUTS.probabilities]))[0]!;
  }

  /** A multi-label head's per-label probabilities, row-major [rows][labels], from the graph's sigmoid. */
  async labelProbabilities(rows: SparseRows, batchSize = 2048): Promise<Float64Array> {
    if (this.kind !== 'multilabel')
      throw new Error(`this model is a ${this.kind} head, not a multi-label classifier`);
    return (await this.run(rows, batchSize, [MULTILABEL_OUTPUTS.probabilities]))[0]!;
  }

  /** Frees the native session; the scorer must not be used afterwards. */
  async dispose(): Promise<void> {
    await this.session.release();
  }

  /** The named outputs for every row, each row-major with its width per row, in batches. */
  private async run(rows: SparseRows, batchSize: number, fetches: string[]): Promise<Float64Array[]> {
    if (rows.dim !== this.dim)
      throw new Error(
        `rows have dim ${rows.dim} but the model expects ${this.dim}; featurize with the model's config`,
      );
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be a positive integer`);
    const n = rowCount(rows);
    const outputs: Float64Array[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      const out = await this.session.run(batchFeeds(rows, start, end), fetches);
      fetches.forEach((name, i) => {
        const data = out[name]!.data as Float32Array;
        // the first batch tells each output's width (members, classes, or 1 for a per-row value)
        outputs[i] ??= new Float64Array(n * (data.length / (end - start)));
        outputs[i]!.set(data, start * (data.length / (end - start)));
      });
    }
    return fetches.map((_, i) => outputs[i] ?? new Float64Array(0));
  }
}

/** Rows [start, end) padded to the batch's longest row (at least 1, so no tensor has a 0 axis). */
function batchFeeds(rows: SparseRows, start: number, end: number): Record<string, Tensor> {
  const { rowPtr } = rows;
  let width = 1;
  for (let r = start; r < end; r++) width = Math.max(width, rowPtr[r + 1]! - rowPtr[r]!);
  const count = end - start;
  const indices = new BigInt64Array(count * width);
  const values = new Float32Array(count * width);
  // Creating one BigInt per nonzero costs more than the whole ONNX run, so write the low 32-bit
  // word of each int64 directly (indices are non-negative, the zeroed high word is right).
  const words = LITTLE_ENDIAN ? new Int32Array(indices.buffer) : null;
  for (let r = start; r < end; r++) {
    const from = rowPtr[r]!;
    const to = rowPtr[r + 1]!;
    const base = (r - start) * width;
    values.set(rows.values.subarray(from, to), base);
    if (words) for (let p = from; p < to; p++) words[(base + p - from) * 2] = rows.indices[p]!;
    else for (let p = from; p < to; p++) indices[base + p - from] = BigInt(rows.indices[p]!);
  }
  return {
    [HEAD_INPUTS.indices]: new Tensor('int64', indices, [count, width]),
    [HEAD_INPUTS.values]: new Tensor('float32', values, [count, width]),
  };
}
