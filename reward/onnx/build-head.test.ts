import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreRows, type LinearHead } from '../head';
import { createRng, type Rng } from '../rng';
import { toRows, type SparseRows, type SparseVector } from '../sparse';
import { buildHeadModel, HEAD_IR_VERSION, HEAD_OPSET, HeadModelError, readHeadModel } from './build-head';
import { OnnxHeadScorer } from './session';

const { onnx } = onnxProto;
const DIM = 2 ** 16 + 40;
const K = 5;

function randomHead(rng: Rng, dim: number, members: number): LinearHead {
  const weights = new Float32Array(dim * members);
  for (let i = 0; i < weights.length; i++) weights[i] = (rng() - 0.5) * 0.4;
  const bias = new Float32Array(members);
  for (let m = 0; m < members; m++) bias[m] = rng() - 0.5;
  return { dim, members, weights, bias };
}

/** Row 0 is empty; lengths vary up to 400, and indices 0 and dim - 1 (the table's edges) do occur. */
function randomRows(rng: Rng, count: number, dim: number): SparseRows {
  const vectors: SparseVector[] = [];
  for (let r = 0; r < count; r++) {
    const length = r === 0 ? 0 : 1 + Math.floor(rng() * 400);
    const chosen = new Set<number>();
    if (r % 97 === 1) chosen.add(0).add(dim - 1);
    while (chosen.size < length) chosen.add(Math.floor(rng() * dim));
    const indices = Int32Array.from([...chosen].sort((a, b) => a - b));
    const values = Float32Array.from(indices, () => (rng() - 0.5) * 4);
    vectors.push({ indices, values });
  }
  return toRows(vectors, dim);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('ONNX reward head', () => {
  const rng = createRng(20240611);
  const head = randomHead(rng, DIM, K);
  const rows = randomRows(rng, 1000, DIM);
  const expected = scoreRows(head, rows);
  const bytes = buildHeadModel(head, { 'arbiter.test': 'yes', another: 'value' });
  let scorer: OnnxHeadScorer;

  beforeAll(async () => {
    scorer = await OnnxHeadScorer.load(bytes);
  });
  afterAll(async () => {
    await scorer.dispose();
  });

  it('scores every member of every row like the in-process scorer', async () => {
    const got = await scorer.scoreRows(rows);
    expect(got).toHaveLength(1000 * K);
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
    // the comparison means something only if the scores are far from zero and from each other
    const spreadOfScores = Math.max(...expected) - Math.min(...expected);
    expect(spreadOfScores).toBeGreaterThan(5);
    // the empty row scores its bias exactly
    expect(Array.from(got.subarray(0, K))).toEqual(Array.from(head.bias));
  });

  it('reports the members mean as reward and their population std as spread', async () => {
    const { memberScores, reward, spread } = await scorer.scoreEnsemble(rows);
    expect(maxAbsDiff(memberScores, expected)).toBeLessThan(1e-5);
    const wantReward = new Float64Array(1000);
    const wantSpread = new Float64Array(1000);
    for (let r = 0; r < 1000; r++) {
      const members = expected.subarray(r * K, (r + 1) * K);
      const mean = members.reduce((a, b) => a + b, 0) / K;
      wantReward[r] = mean;
      wantSpread[r] = Math.sqrt(members.reduce((a, b) => a + (b - mean) ** 2, 0) / K);
    }
    expect(maxAbsDiff(reward, wantReward)).toBeLessThan(1e-5);
    expect(maxAbsDiff(spread, wantSpread)).toBeLessThan(1e-5);
    expect(Math.min(...spread.subarray(1))).toBeGreaterThan(0.01);
  });

  it('gives the same scores whatever the batch size, including partial last batches', async () => {
    for (const batchSize of [1, 7, 999, 1000, 4096]) {
      const got = await scorer.scoreRows(rows, batchSize);
      expect(maxAbsDiff(got, expected), `batchSize ${batchSize}`).toBeLessThan(1e-5);
    }
  });

  it('handles no rows, and a batch made only of empty rows', async () => {
    expect(await scorer.scoreRows(toRows([], DIM))).toHaveLength(0);
    const empty = { indices: new Int32Array(0), values: new Float32Array(0) };
    const got = await scorer.scoreRows(toRows([empty, empty, empty], DIM), 2);
    expect(Array.from(got)).toEqual([...head.bias, ...head.bias, ...head.bias]);
  });

  it('refuses rows from a different feature space and bad batch sizes', async () => {
    await expect(scorer.scoreRows(toRows([], DIM + 1))).rejects.toThrow(
      /dim 65577 but the model expects 65576/,
    );
    await expect(scorer.scoreRows(rows, 0)).rejects.toThrow(/batchSize/);
  });

  it('exposes the metadata and reads the weights back bit-exactly', () => {
    expect(scorer.metadata()).toEqual({ 'arbiter.test': 'yes', another: 'value' });
    expect([scorer.dim, scorer.members]).toEqual([DIM, K]);
    const back = readHeadModel(bytes);
    expect(back.head.dim).toBe(DIM);
    expect(back.head.members).toBe(K);
    expect(Buffer.from(back.head.weights.buffer).equals(Buffer.from(head.weights.buffer))).toBe(true);
    expect(Array.from(back.head.bias)).toEqual(Array.from(head.bias));
  });

  it('writes a deterministic model with the declared opset, IR version and producer', () => {
    expect(Buffer.from(buildHeadModel(head, { another: 'value', 'arbiter.test': 'yes' })).equals(bytes)).toBe(
      true,
    );
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.irVersion)).toBe(HEAD_IR_VERSION);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', HEAD_OPSET]]);
    expect(model.producerName).toBe('arbiter');
    expect(model.metadataProps.map((p) => p.key)).toEqual(['another', 'arbiter.test']);
  });

  it('rejects bytes that are not a reward head, saying why', () => {
    const kindOf = (b: Uint8Array) => {
      try {
        readHeadModel(b);
        return 'accepted';
      } catch (error) {
        return error instanceof HeadModelError ? `${error.kind}: ${error.message}` : 'other error';
      }
    };
    expect(kindOf(bytes.subarray(0, bytes.length >> 1))).toMatch(/^unreadable: /);
    const model = onnx.ModelProto.decode(bytes);
    const graph = model.graph as InstanceType<typeof onnx.GraphProto>;
    graph.output = graph.output.filter((o) => o.name !== 'spread');
    expect(kindOf(onnx.ModelProto.encode(model).finish())).toBe(
      'not-a-head: the graph has no output "spread"',
    );
  });
});
