/**
 * The reward model artefact format (the shared reading and writing lives in model-file.ts): a
 * Bradley-Terry ensemble head with its axis, featurizer, training snapshot, metrics and top
 * features. Loaders throw ModelArtefactError with one sentence saying what is wrong and what to do.
 */
import { z } from 'zod';
import { FeaturizerConfigSchema } from './featurizer-config';
import { artefactFunctions, OnnxFileSchema, type ArtefactFormat } from './model-file';

export { MANIFEST_KEY, ModelArtefactError, WEIGHTS_DIGEST_KEY } from './model-file';

export const MODEL_FORMAT = 'arbiter-reward-model';
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1];

const manifestShape = {
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(1),
  axis: z.enum(['helpfulness', 'safety']),
  createdAt: z.iso.datetime(),
  featurizer: FeaturizerConfigSchema,
  dim: z.number().int().positive(),
  members: z.number().int().positive(),
  snapshot: z.object({
    id: z.string().min(1),
    pairs: z.number().int().nonnegative(),
    sources: z.array(z.string()),
  }),
  metrics: z.record(z.string(), z.unknown()),
  topFeatures: z.array(z.object({ feature: z.string(), weight: z.number() })),
  denseFeatureNames: z.array(z.string()),
};

// The featurizer hashes into [0, 2^hashBits) and puts dense features after that block, so a
// smaller head would index past its weights on the first hashed feature.
const coversFeatures = (m: { dim: number; featurizer: { hashBits: number }; denseFeatureNames: string[] }) =>
  m.dim >= 2 ** m.featurizer.hashBits + m.denseFeatureNames.length;
const coversFeaturesError = {
  message: 'dim must be at least 2^featurizer.hashBits + denseFeatureNames.length',
  path: ['dim'],
};

export const ModelManifestSchema = z.object(manifestShape).refine(coversFeatures, coversFeaturesError);
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** manifest.json: the embedded manifest plus where the ONNX file is and what it must hash to. */
export const ModelManifestFileSchema = z
  .object({ ...manifestShape, onnx: OnnxFileSchema })
  .refine(coversFeatures, coversFeaturesError);
export type ModelManifestFile = z.infer<typeof ModelManifestFileSchema>;

const REWARD_FORMAT: ArtefactFormat<ModelManifest> = {
  format: MODEL_FORMAT,
  noun: 'an Arbiter reward model',
  headNoun: 'an Arbiter reward head',
  versions: SUPPORTED_FORMAT_VERSIONS,
  kind: 'ensemble',
  manifest: ModelManifestSchema,
  file: ModelManifestFileSchema,
  columns: (m) => m.members,
  columnNoun: 'members',
};

const reward = artefactFunctions(REWARD_FORMAT);

/** The artefact's ONNX bytes (deterministic); throws when the manifest is invalid or does not fit the head. */
export const encodeArtefact = reward.encode;
/** Writes model.onnx, then manifest.json, each atomically; returns the manifest.json contents. */
export const saveModelDir = reward.saveDir;
/** Loads and checks a saved model directory and opens an ONNX scorer on it. */
export const loadModelDir = reward.loadDir;
/** Checks artefact bytes (e.g. from the database) and opens an ONNX scorer on them. */
export const loadArtefactBytes = reward.loadBytes;
/** The head and manifest from artefact bytes, checked, for in-process scoring. */
export const decodeHead = reward.decode;
