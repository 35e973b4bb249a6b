/**
 * The text classifier artefact format (shared reading and writing in ../model-file.ts): a softmax
 * head over hashed n-gram features whose ONNX graph outputs `logits` and calibrated
 * `probabilities`, with its task, class labels, featurizer, training snapshot, metrics and the
 * strongest features per class.
 */
import { z } from 'zod';
import { DENSE_FEATURE_COUNT } from '../dense-features';
import { FeaturizerConfigSchema } from '../featurizer-config';
import { artefactFunctions, OnnxFileSchema, type ArtefactFormat } from '../model-file';

export const CLASSIFIER_FORMAT = 'arbiter-text-classifier';
export const CLASSIFIER_FORMAT_VERSIONS: readonly number[] = [1];
export const CLASSIFIER_TASKS = ['sentiment'] as const;
export type ClassifierTask = (typeof CLASSIFIER_TASKS)[number];

const FeatureWeight = z.object({ feature: z.string(), weight: z.number() });

const manifestShape = {
  format: z.literal(CLASSIFIER_FORMAT),
  formatVersion: z.literal(1),
  task: z.enum(CLASSIFIER_TASKS),
  createdAt: z.iso.datetime(),
  /** class names in column order */
  labels: z
    .array(z.string().min(1).max(64))
    .min(2)
    .max(50)
    .refine((l) => new Set(l).size === l.length, 'labels must be distinct'),
  featurizer: FeaturizerConfigSchema,
  dim: z.number().int().positive(),
  /** the logits were divided by this before export (temperature scaling on held-out texts) */
  temperature: z.number().positive(),
  lambda: z.number().nonnegative(),
  snapshot: z.object({
    id: z.string().min(1),
    examples: z.number().int().nonnegative(),
    sources: z.array(z.string()),
  }),
  metrics: z.record(z.string(), z.unknown()),
  /** per class, the features that raise its logit most */
  topFeatures: z.record(z.string(), z.array(FeatureWeight)),
};

const dimFits = (m: { dim: number; featurizer: { hashBits: number; dense: boolean } }) =>
  m.dim === 2 ** m.featurizer.hashBits + (m.featurizer.dense ? DENSE_FEATURE_COUNT : 0);
const dimError = {
  message: 'dim must be 2^featurizer.hashBits (plus the dense features when on)',
  path: ['dim'],
};

export const ClassifierManifestSchema = z.object(manifestShape).refine(dimFits, dimError);
export type ClassifierManifest = z.infer<typeof ClassifierManifestSchema>;

export const ClassifierManifestFileSchema = z
  .object({ ...manifestShape, onnx: OnnxFileSchema })
  .refine(dimFits, dimError);
export type ClassifierManifestFile = z.infer<typeof ClassifierManifestFileSchema>;

const FORMAT: ArtefactFormat<ClassifierManifest> = {
  format: CLASSIFIER_FORMAT,
  noun: 'an Arbiter text classifier',
  headNoun: 'an Arbiter classifier head',
  versions: CLASSIFIER_FORMAT_VERSIONS,
  kind: 'softmax',
  manifest: ClassifierManifestSchema,
  file: ClassifierManifestFileSchema,
  columns: (m) => m.labels.length,
  columnNoun: 'classes',
};

const classifier = artefactFunctions(FORMAT);

/** The artefact's ONNX bytes (deterministic); throws when the manifest is invalid or does not fit the head. */
export const encodeClassifier = classifier.encode;
/** Writes model.onnx, then manifest.json, each atomically; returns the manifest.json contents. */
export const saveClassifierDir = classifier.saveDir;
/** Loads and checks a saved classifier directory and opens an ONNX scorer on it. */
export const loadClassifierDir = classifier.loadDir;
/** Checks classifier bytes (e.g. from the database) and opens an ONNX scorer on them. */
export const loadClassifierBytes = classifier.loadBytes;
/** The head and manifest from classifier bytes, checked, for in-process scoring. */
export const decodeClassifier = classifier.decode;
