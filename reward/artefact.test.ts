import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeHead,
  encodeArtefact,
  loadArtefactBytes,
  loadModelDir,
  MANIFEST_KEY,
  ModelArtefactError,
  saveModelDir,
  type ModelManifest,
} from './artefact';
import { DEFAULT_FEATURIZER } from './featurizer-config';
import { scoreRows, type LinearHead } from './head';
import { buildHeadModel } from './onnx/build-head';
import type { OnnxHeadScorer } from './onnx/session';
import { createRng } from './rng';
import { toRows, type SparseVector } from './sparse';

const { onnx } = onnxProto;
const HASH_BITS = 12;
const DENSE = ['length', 'newlines', 'bullets', 'code_blocks'];
const DIM = 2 ** HASH_BITS + DENSE.length;
const K = 3;

const rng = createRng(7);
const head: LinearHead = {
  dim: DIM,
  members: K,
  weights: Float32Array.from({ length: DIM * K }, () => rng() - 0.5),
  bias: Float32Array.from({ length: K }, () => rng() - 0.5),
};
const manifest: ModelManifest = {
  format: 'arbiter-reward-model',
  formatVersion: 1,
  axis: 'helpfulness',
  createdAt: '2025-01-02T03:04:05.678Z',
  featurizer: { ...DEFAULT_FEATURIZER, hashBits: HASH_BITS },
  dim: DIM,
  members: K,
  snapshot: { id: 'snap-1', pairs: 1234, sources: ['hh-rlhf', 'ultrafeedback'] },
  metrics: { accuracy: 0.71, ece: 0.04, reliability: [0.1, 0.5, 0.9] },
  topFeatures: [{ feature: 'w:thanks', weight: 0.8 }],
  denseFeatureNames: DENSE,
};
const vectors: SparseVector[] = Array.from({ length: 50 }, (_, r) => {
  const indices = Int32Array.from({ length: r }, (_, j) => j * 80 + (r % 7));
  return { indices, values: Float32Array.from(indices, () => rng() * 2) };
});
const rows = toRows(vectors, DIM);

let dir: string;
let modelDir: string;
const scorers: OnnxHeadScorer[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'arbiter-artefact-'));
  modelDir = path.join(dir, 'model');
});
afterEach(async () => {
  for (const scorer of scorers.splice(0)) await scorer.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

async function load(target = modelDir) {
  const loaded = await loadModelDir(target);
  scorers.push(loaded.scorer);
  return loaded;
}

async function expectArtefactError(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelArtefactError);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}

function expectThrowsArtefactError(run: () => unknown, fragment: string): void {
  expect(run).toThrow(ModelArtefactError);
  expect(run).toThrow(fragment);
}

const manifestPath = () => path.join(modelDir, 'manifest.json');
const modelPath = () => path.join(modelDir, 'model.onnx');

async function editManifest(edit: (json: Record<string, any>) => void): Promise<void> {
  const json = JSON.parse(await fs.readFile(manifestPath(), 'utf8'));
  edit(json);
  await fs.writeFile(manifestPath(), JSON.stringify(json));
}

type Graph = InstanceType<typeof onnx.GraphProto>;

/** model.onnx decoded, edited in its graph and encoded again, bypassing every writer-side check. */
async function editedModel(edit: (graph: Graph) => void): Promise<Uint8Array> {
  const model = onnx.ModelProto.decode(await fs.readFile(modelPath()));
  edit(model.graph as Graph);
  return onnx.ModelProto.encode(model).finish();
}

function flipBits(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = bytes[at]! ^ mask;
}

/** Replaces model.onnx and updates manifest.json's size and hash, so only the content checks can object. */
async function replaceModel(bytes: Uint8Array): Promise<void> {
  await fs.writeFile(modelPath(), bytes);
  await editManifest((json) => {
    json.onnx.bytes = bytes.length;
    json.onnx.sha256 = createHash('sha256').update(bytes).digest('hex');
  });
}

describe('model artefact round trip', () => {
  it('saves and loads a directory that scores like the head it was made from', async () => {
    const written = await saveModelDir(modelDir, head, manifest);
    expect((await fs.readdir(modelDir)).sort()).toEqual(['manifest.json', 'model.onnx']);
    const onDisk = JSON.parse(await fs.readFile(manifestPath(), 'utf8'));
    const bytesOnDisk = await fs.readFile(modelPath());
    expect(onDisk.onnx).toEqual({
      file: 'model.onnx',
      sha256: createHash('sha256').update(bytesOnDisk).digest('hex'),
      bytes: bytesOnDisk.length,
    });

    const loaded = await load();
    expect(loaded.manifest).toEqual(written);
    expect(loaded.manifest).toEqual({ ...manifest, onnx: onDisk.onnx });
    expect(JSON.parse(loaded.scorer.metadata()[MANIFEST_KEY]!)).toEqual(manifest);
    const onnxScores = await loaded.scorer.scoreRows(rows);
    const expected = scoreRows(head, rows);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(onnxScores[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(1);
  });

  it('decodes the exact weights and manifest back from the bytes', async () => {
    const { bytes } = await saveModelDir(modelDir, head, manifest).then(() => load());
    const decoded = decodeHead(bytes);
    expect(decoded.manifest).toEqual(manifest);
    expect(decoded.head.dim).toBe(DIM);
    expect(decoded.head.members).toBe(K);
    expect(Buffer.from(decoded.head.weights.buffer).equals(Buffer.from(head.weights.buffer))).toBe(true);
    expect(Buffer.from(decoded.head.bias.buffer).equals(Buffer.from(head.bias.buffer))).toBe(true);
  });

  it('loads artefact bytes held outside a directory (the database case)', async () => {
    const bytes = encodeArtefact(head, manifest);
    expect(Buffer.from(encodeArtefact(head, manifest)).equals(Buffer.from(bytes))).toBe(true);
    const { manifest: read, scorer } = await loadArtefactBytes(bytes);
    scorers.push(scorer);
    expect(read).toEqual(manifest);
    expect(Array.from(await scorer.scoreRows(rows))).toHaveLength(50 * K);
  });

  it('refuses to encode a manifest that does not describe the head', () => {
    expectThrowsArtefactError(
      () => encodeArtefact(head, { ...manifest, members: K + 1 }),
      `Cannot write a head of shape [${DIM}, ${K}] under a manifest that says dim ${DIM} and members ${K + 1}`,
    );
    expectThrowsArtefactError(
      () => encodeArtefact(head, { ...manifest, featurizer: { ...manifest.featurizer, hashBits: 13 } }),
      'Cannot write a model whose manifest is invalid at field "dim"',
    );
  });
});

describe('loading a model directory that is not right', () => {
  beforeEach(async () => {
    await saveModelDir(modelDir, head, manifest);
  });

  it('names a missing directory', async () => {
    await expectArtefactError(load(path.join(dir, 'nope')), 'does not exist');
  });

  it('names a file passed as the directory', async () => {
    await expectArtefactError(load(modelPath()), 'is a file, not a model directory');
  });

  it('names a missing manifest.json', async () => {
    await fs.rm(manifestPath());
    await expectArtefactError(load(), 'has no manifest.json');
  });

  it('names a manifest.json that is not JSON', async () => {
    await fs.writeFile(manifestPath(), '{"format": "arbiter-reward-model",');
    await expectArtefactError(load(), 'is not valid JSON');
  });

  it('names a manifest of something else', async () => {
    await editManifest((json) => (json.format = 'some-other-model'));
    await expectArtefactError(load(), 'is not an Arbiter reward model', '"some-other-model"');
  });

  it('names an unsupported formatVersion and the supported ones', async () => {
    await editManifest((json) => (json.formatVersion = 2));
    await expectArtefactError(load(), 'formatVersion 2', 'reads formatVersion 1 only');
  });

  it('names the manifest field that fails the schema', async () => {
    await editManifest((json) => (json.featurizer.hashBits = 99));
    await expectArtefactError(load(), 'invalid at field "featurizer.hashBits"');
    await editManifest((json) => (json.axis = 'honesty'));
    await expectArtefactError(load(), 'invalid at field "axis"');
  });

  it('refuses a manifest that points outside its directory', async () => {
    await editManifest((json) => (json.onnx.file = '../elsewhere.onnx'));
    await expectArtefactError(load(), 'invalid at field "onnx.file"');
  });

  it('names a missing model.onnx', async () => {
    await fs.rm(modelPath());
    await expectArtefactError(load(), 'has manifest.json but no model.onnx');
  });

  it('detects a truncated model.onnx', async () => {
    const bytes = await fs.readFile(modelPath());
    await fs.writeFile(modelPath(), bytes.subarray(0, bytes.length - 100));
    await expectArtefactError(load(), 'model.onnx was changed or corrupted after it was written');
  });

  it('detects one flipped byte in the middle of model.onnx', async () => {
    const bytes = await fs.readFile(modelPath());
    flipBits(bytes, bytes.length >> 1, 0x01);
    await fs.writeFile(modelPath(), bytes);
    await expectArtefactError(load(), 'model.onnx was changed or corrupted after it was written');
  });

  it('names a model.onnx that is not ONNX at all, even with a matching hash', async () => {
    await replaceModel(new TextEncoder().encode('this is not a protobuf message at all, just text'));
    await expectArtefactError(load(), 'is not a readable ONNX model', 'truncated or corrupted');
  });

  it('detects a manifest.json edited after export', async () => {
    await editManifest((json) => (json.snapshot.pairs = 99999));
    await expectArtefactError(
      load(),
      'disagrees with the manifest embedded in model.onnx',
      'field "snapshot.pairs"',
    );
  });

  it('detects weights whose shape disagrees with dim and members', async () => {
    const claimed = { ...manifest, dim: DIM + 10 };
    await replaceModel(buildHeadModel(head, { [MANIFEST_KEY]: JSON.stringify(claimed) }));
    await editManifest((json) => (json.dim = DIM + 10));
    await expectArtefactError(load(), `weights of shape [${DIM}, ${K}]`, `dim ${DIM + 10} and members ${K}`);
  });

  it('names a missing graph output', async () => {
    await replaceModel(
      await editedModel((graph) => (graph.output = graph.output.filter((o) => o.name !== 'reward'))),
    );
    await expectArtefactError(load(), 'not an Arbiter reward head', 'no output "reward"');
  });

  it('names a missing graph input', async () => {
    await replaceModel(
      await editedModel((graph) => (graph.input = graph.input.filter((o) => o.name !== 'values'))),
    );
    await expectArtefactError(load(), 'not an Arbiter reward head', 'no input "values"');
  });

  it('reports a graph onnxruntime cannot run', async () => {
    await replaceModel(await editedModel((graph) => (graph.node[0]!.opType = 'NoSuchOperator')));
    await expectArtefactError(
      load(),
      'model.onnx could not be loaded by onnxruntime',
      'No Op registered for NoSuchOperator',
    );
  });
});

describe('loading artefact bytes that are not right', () => {
  const bytes = encodeArtefact(head, manifest);

  it('detects truncated bytes', async () => {
    await expectArtefactError(
      loadArtefactBytes(bytes.subarray(0, bytes.length >> 1)),
      'truncated or corrupted',
    );
    // metadata_props are encoded after the graph, so the model without them is exactly the prefix
    // before them: cut there, the protobuf still decodes, but the manifest is gone
    const cut = buildHeadModel(head, {}).length;
    expect(Buffer.from(bytes.subarray(0, cut)).equals(Buffer.from(buildHeadModel(head, {})))).toBe(true);
    await expectArtefactError(loadArtefactBytes(bytes.subarray(0, cut)), 'carries no embedded manifest');
  });

  it('detects a flipped byte in the weights through the embedded digest', () => {
    const corrupted = Uint8Array.from(bytes);
    flipBits(corrupted, corrupted.length >> 1, 0x40);
    expectThrowsArtefactError(() => decodeHead(corrupted), 'do not match the digest');
  });

  it('names ONNX bytes that were not written by encodeArtefact', async () => {
    await expectArtefactError(loadArtefactBytes(buildHeadModel(head, {})), 'carries no embedded manifest');
  });

  it('checks the embedded manifest against the schema', () => {
    const embedded = JSON.stringify({ ...manifest, formatVersion: 3 });
    expectThrowsArtefactError(
      () => decodeHead(buildHeadModel(head, { [MANIFEST_KEY]: embedded })),
      'reads formatVersion 1 only',
    );
  });
});
