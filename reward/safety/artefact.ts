/**
 * The safety classifier artefact format (shared reading and writing in ../model-file.ts): a
 * multi-label head over hashed n-gram features of prompt and response whose ONNX graph outputs
 * `label_logits` and calibrated `label_probabilities`, with its labels ("unsafe" first), the risk
 * threshold chosen for a target recall, featurizer, training snapshot, metrics and top features.
 */
import { z } from 'zod';
import { DENSE_FEATURE_COUNT } from '../dense-features';
import { FeaturizerConfigSchema } from '../featurizer-config';
import { artefactFunctions, OnnxFileSchema, type ArtefactFormat } from '../model-file';
import { UNSAFE_LABEL } from './train';

export const SAFETY_FORMAT = 'arbiter-safety-classifier';
export const SAFETY_FORMAT_VERSIONS: readonly number[] = [1];

const FeatureWeight = z.object({ feature: z.string(), weight: z.number() });

const manifestShape = {
  format: z.literal(SAFETY_FORMAT),
  formatVersion: z.literal(1),
  createdAt: z.iso.datetime(),
  /** column order: "unsafe", then one per category with a head */
  labels: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(50)
    .refine((l) => l[0] === UNSAFE_LABEL, `the first label must be "${UNSAFE_LABEL}"`)
    .refine((l) => new Set(l).size === l.length, 'labels must be distinct'),
  featurizer: FeaturizerConfigSchema,
  dim: z.number().int().positive(),
  /** the risk threshold whose held-out recall of unsafe responses reached targetRecall */
  threshold: z.number().min(0).max(1),
  targetRecall: z.number().min(0).max(1),
  heads: z.array(
    z.object({
      label: z.string(),
      positives: z.number().int().nonnegative(),
      examples: z.number().int().nonnegative(),
      lambda: z.number().nonnegative(),
      temperature: z.number().positive(),
      plattA: z.number(),
      plattB: z.number(),
    }),
  ),
  skipped: z.array(z.object({ label: z.string(), reason: z.string() })),
  snapshot: z.object({
    id: z.string().min(1),
    examples: z.number().int().nonnegative(),
    sources: z.array(z.string()),
  }),
  metrics: z.record(z.string(), z.unknown()),
  /** per label, the features that raise its logit most */
  topFeatures: z.record(z.string(), z.array(FeatureWeight)),
};

const dimFits = (m: { dim: number; featurizer: { hashBits: number; dense: boolean } }) =>
  m.dim === 2 ** m.featurizer.hashBits + (m.featurizer.dense ? DENSE_FEATURE_COUNT : 0);
const dimError = {
  message: 'dim must be 2^featurizer.hashBits (plus the dense features when on)',
  path: ['dim'],
};

export const SafetyManifestSchema = z.object(manifestShape).refine(dimFits, dimError);
export type SafetyManifest = z.infer<typeof SafetyManifestSchema>;

export const SafetyManifestFileSchema = z
  .object({ ...manifestShape, onnx: OnnxFileSchema })
  .refine(dimFits, dimError);

const FORMAT: ArtefactFormat<SafetyManifest> = {
  format: SAFETY_FORMAT,
  noun: 'an Arbiter safety classifier',
  headNoun: 'an Arbiter multi-label head',
  versions: SAFETY_FORMAT_VERSIONS,
  kind: 'multilabel',
  manifest: SafetyManifestSchema,
  file: SafetyManifestFileSchema,
  columns: (m) => m.labels.length,
  columnNoun: 'labels',
};

const safety = artefactFunctions(FORMAT);

/** The artefact's ONNX bytes (deterministic); throws when the manifest is invalid or does not fit the head. */
export const encodeSafety = safety.encode;
/** Writes model.onnx, then manifest.json, each atomically; returns the manifest.json contents. */
export const saveSafetyDir = safety.saveDir;
/** Loads and checks a saved safety classifier directory and opens an ONNX scorer on it. */
export const loadSafetyDir = safety.loadDir;
/** Checks safety classifier bytes (e.g. from the database) and opens an ONNX scorer on them. */
export const loadSafetyBytes = safety.loadBytes;
/** The head and manifest from safety classifier bytes, checked, for in-process scoring. */
export const decodeSafety = safety.decode;
