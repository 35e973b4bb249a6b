/**
 * Self-describing model artefacts, for every kind of linear head Arbiter trains (reward ensembles
 * and text classifiers; artefact.ts and classifier/artefact.ts define the two formats). On disk an
 * artefact is a directory holding `model.onnx` (the head, with the manifest embedded as metadata)
 * and a human-readable `manifest.json` that also records the ONNX file's size and sha256. In the
 * database it is the ONNX bytes alone, which carry the same manifest plus a digest of the weights.
 * Every loader checks everything it can and throws ModelArtefactError with one sentence saying what
 * is wrong and what to do.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { LinearHead } from './head';
import {
  buildHeadModel,
  float32LeBytes,
  HeadModelError,
  readHeadModel,
  type HeadKind,
  type HeadModel,
} from './onnx/build-head';
import { OnnxHeadScorer, type OnnxHeadScorerOptions } from './onnx/session';

/** metadata_props key holding the manifest JSON inside model.onnx */
export const MANIFEST_KEY = 'arbiter.manifest';
/** metadata_props key holding the sha256 of the weights and bias (little-endian float32) */
export const WEIGHTS_DIGEST_KEY = 'arbiter.weights.sha256';
const MANIFEST_FILE = 'manifest.json';
const MODEL_FILE = 'model.onnx';

/** What manifest.json adds to the embedded manifest: where the ONNX file is and what it must hash to. */
export const OnnxFileSchema = z.object({
  // a bare file name: a manifest must not point outside its own directory
  file: z.string().regex(/^[\w.-]+\.onnx$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});
export type OnnxFile = z.infer<typeof OnnxFileSchema>;

export interface BaseManifest {
  format: string;
  formatVersion: number;
  dim: number;
}

/** One artefact format: its name, versions, head kind and manifest schemas. */
export interface ArtefactFormat<M extends BaseManifest> {
  format: string;
  /** "an Arbiter reward model", used in messages about files of the wrong format */
  noun: string;
  /** "an Arbiter reward head", used when the ONNX graph itself is not the expected one */
  headNoun: string;
  versions: readonly number[];
  kind: HeadKind;
  manifest: z.ZodType<M>;
  file: z.ZodType<M & { onnx: OnnxFile }>;
  /** the number of head columns (members or classes) the manifest describes */
  columns(manifest: M): number;
  /** "members", "classes": what the columns are called in messages */
  columnNoun: string;
}

export class ModelArtefactError extends Error {
  override readonly name = 'ModelArtefactError';
}

function fail(message: string): never {
  // messages often open with a label such as "the stored model"; they are sentences all the same
  throw new ModelArtefactError(message.charAt(0).toUpperCase() + message.slice(1));
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `field "${issue.path.join('.') || '(root)'}" (${issue.message})`;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function weightsDigest(head: LinearHead): string {
  return createHash('sha256')
    .update(float32LeBytes(head.weights))
    .update(float32LeBytes(head.bias))
    .digest('hex');
}

/** Format and version first, so a foreign or newer file gets that message rather than a field error. */
function parseManifest<S extends z.ZodType>(
  spec: ArtefactFormat<BaseManifest>,
  raw: unknown,
  schema: S,
  where: string,
): z.output<S> {
  const record =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  if (record.format !== spec.format)
    fail(
      `${where} is not ${spec.noun} (format ${JSON.stringify(record.format)}, expected "${spec.format}"); point to a model written by Arbiter.`,
    );
  if (!spec.versions.includes(record.formatVersion as number))
    fail(
      `${where} has formatVersion ${JSON.stringify(record.formatVersion)}, but this version of Arbiter reads formatVersion ${spec.versions.join(', ')} only; upgrade Arbiter or re-export the model.`,
    );
  const result = schema.safeParse(raw);
  if (!result.success)
    fail(
      `${where} is invalid at ${firstIssue(result.error)}; re-export the model rather than editing its manifest.`,
    );
  return result.data;
}

/** Checks the ONNX bytes on their own: the right kind of head, an embedded manifest that fits it, intact weights. */
function inspectBytes<M extends BaseManifest>(
  spec: ArtefactFormat<M>,
  bytes: Uint8Array,
  label: string,
): { head: LinearHead; manifest: M } {
  let model: HeadModel;
  try {
    model = readHeadModel(bytes);
  } catch (error) {
    if (!(error instanceof HeadModelError)) throw error;
    if (error.kind === 'unreadable')
      fail(
        `${label} is not a readable ONNX model (${error.message}); it is truncated or corrupted, so re-export the model.`,
      );
    fail(
      `${label} is not ${spec.headNoun} (${error.message}); re-export the model with this version of Arbiter.`,
    );
  }
  const { head, metadata } = model;
  const embedded = metadata[MANIFEST_KEY];
  if (embedded === undefined)
    fail(
      `${label} carries no embedded manifest (metadata "${MANIFEST_KEY}"), so it was not written by Arbiter; re-export the model.`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(embedded);
  } catch {
    fail(`the manifest embedded in ${label} is not JSON; the file is corrupted, so re-export the model.`);
  }
  const manifest = parseManifest(
    spec as ArtefactFormat<BaseManifest>,
    raw,
    spec.manifest,
    `the manifest embedded in ${label}`,
  );
  if (model.kind !== spec.kind)
    fail(
      `${label} is not ${spec.headNoun} (it holds a ${model.kind} head); re-export the model with this version of Arbiter.`,
    );
  const columns = spec.columns(manifest);
  if (head.dim !== manifest.dim || head.members !== columns)
    fail(
      `${label} has weights of shape [${head.dim}, ${head.members}], but its manifest says dim ${manifest.dim} and ${spec.columnNoun} ${columns}; re-export the model.`,
    );
  if (metadata[WEIGHTS_DIGEST_KEY] !== weightsDigest(head))
    fail(
      `the weights in ${label} do not match the digest recorded when it was written; the bytes are corrupted, so restore or re-export the model.`,
    );
  return { head, manifest };
}

async function openScorer(bytes: Uint8Array, label: string, options?: OnnxHeadScorerOptions) {
  try {
    return await OnnxHeadScorer.load(bytes, options);
  } catch (error) {
    fail(
      `${label} could not be loaded by onnxruntime (${(error as Error).message}); re-export the model with this version of Arbiter.`,
    );
  }
}

/** The path of the first field where `a` and `b` differ, or null when they are equal as JSON values. */
function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return Object.is(a, b) ? null : at || '(root)';
  if (Array.isArray(a) !== Array.isArray(b)) return at || '(root)';
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const diff = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      at ? `${at}.${key}` : key,
    );
    if (diff !== null) return diff;
  }
  return null;
}

/** Validates what a writer was handed; these are bugs in the caller, so the advice is for a developer. */
function validForWriting<M extends BaseManifest>(spec: ArtefactFormat<M>, head: LinearHead, manifest: M): M {
  const result = spec.manifest.safeParse(manifest);
  if (!result.success)
    fail(
      `Cannot write a model whose manifest is invalid at ${firstIssue(result.error)}; fix the code that builds the manifest.`,
    );
  const valid = result.data;
  const columns = spec.columns(valid);
  if (head.dim !== valid.dim || head.members !== columns)
    fail(
      `Cannot write a head of shape [${head.dim}, ${head.members}] under a manifest that says dim ${valid.dim} and ${spec.columnNoun} ${columns}; build the manifest from the trained head.`,
    );
  return valid;
}

function encodeValid<M extends BaseManifest>(
  spec: ArtefactFormat<M>,
  head: LinearHead,
  valid: M,
): Uint8Array {
  return buildHeadModel(
    head,
    { [MANIFEST_KEY]: JSON.stringify(valid), [WEIGHTS_DIGEST_KEY]: weightsDigest(head) },
    spec.kind,
  );
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  // a reader never sees a half-written file, only the old one or the new one
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, data);
  await fs.rename(temp, file);
}

async function readOrFail(file: string, missing: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') fail(missing);
    fail(`Cannot read ${file} (${(error as Error).message}); check its permissions.`);
  }
}

/** The reading and writing functions of one artefact format. */
export function artefactFunctions<M extends BaseManifest>(spec: ArtefactFormat<M>) {
  return {
    /**
     * The artefact's ONNX bytes: the head with the validated manifest and a weights digest embedded
     * as metadata. Deterministic (equal inputs give identical bytes). Throws ModelArtefactError when
     * the manifest is invalid or its shape disagrees with the head, so a bad artefact is never written.
     */
    encode(head: LinearHead, manifest: M): Uint8Array {
      return encodeValid(spec, head, validForWriting(spec, head, manifest));
    },

    /**
     * Writes `model.onnx` and then `manifest.json` into `dir` (created if needed), each atomically,
     * and returns the manifest.json contents. Because the manifest is written last, an interrupted
     * save leaves a directory that loadDir rejects instead of a model that silently mismatches.
     */
    async saveDir(dir: string, head: LinearHead, manifest: M): Promise<M & { onnx: OnnxFile }> {
      const valid = validForWriting(spec, head, manifest);
      const bytes = encodeValid(spec, head, valid);
      const file = { ...valid, onnx: { file: MODEL_FILE, sha256: sha256(bytes), bytes: bytes.length } };
      await fs.mkdir(dir, { recursive: true });
      await writeAtomically(path.join(dir, MODEL_FILE), bytes);
      await writeAtomically(path.join(dir, MANIFEST_FILE), `${JSON.stringify(file, null, 2)}\n`);
      return file;
    },

    /**
     * Loads a model directory written by saveDir and opens an ONNX scorer on it. Succeeds only if
     * manifest.json is valid, model.onnx has the recorded size and sha256, the manifest embedded in
     * model.onnx equals manifest.json, and the weights match the manifest's shape.
     */
    async loadDir(
      dir: string,
      options?: OnnxHeadScorerOptions,
    ): Promise<{ manifest: M & { onnx: OnnxFile }; scorer: OnnxHeadScorer; bytes: Uint8Array }> {
      const stat = await fs.stat(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        fail(`Cannot read ${dir} (${error.message}); check its permissions.`);
      });
      if (!stat)
        fail(`Model directory ${dir} does not exist; check the path or train and save a model there first.`);
      if (!stat.isDirectory())
        fail(`${dir} is a file, not a model directory; pass the directory that holds ${MANIFEST_FILE}.`);

      const manifestPath = path.join(dir, MANIFEST_FILE);
      const text = await readOrFail(
        manifestPath,
        `${dir} has no ${MANIFEST_FILE}, so it is not a saved model (or saving was interrupted); save or copy the model again.`,
      );
      let raw: unknown;
      try {
        raw = JSON.parse(text.toString('utf8'));
      } catch (error) {
        fail(
          `${manifestPath} is not valid JSON (${(error as Error).message}); restore it from the original export.`,
        );
      }
      const manifest = parseManifest(spec as ArtefactFormat<BaseManifest>, raw, spec.file, manifestPath);

      const modelPath = path.join(dir, manifest.onnx.file);
      const bytes = await readOrFail(
        modelPath,
        `${dir} has ${MANIFEST_FILE} but no ${manifest.onnx.file}; copy the whole model directory again or re-export the model.`,
      );
      const digest = sha256(bytes);
      if (bytes.length !== manifest.onnx.bytes || digest !== manifest.onnx.sha256)
        fail(
          `${modelPath} was changed or corrupted after it was written (${bytes.length} bytes with sha256 ${digest.slice(0, 12)}…, manifest expects ${manifest.onnx.bytes} bytes with sha256 ${manifest.onnx.sha256.slice(0, 12)}…); restore it or re-export the model.`,
        );

      const { manifest: embedded } = inspectBytes(spec, bytes, modelPath);
      const { onnx: _onnx, ...described } = manifest;
      const differs = firstDifference(described, embedded);
      if (differs !== null)
        fail(
          `${manifestPath} disagrees with the manifest embedded in ${manifest.onnx.file} at field "${differs}"; one of them was edited, so restore both from the original export or re-export the model.`,
        );
      const scorer = await openScorer(bytes, modelPath, options);
      return { manifest, scorer, bytes };
    },

    /**
     * Opens an artefact held as bytes (e.g. in the database). Succeeds only if the bytes are a head
     * of this format whose embedded manifest is valid and fits its weights, and whose weights match
     * the digest written with them.
     */
    async loadBytes(
      bytes: Uint8Array,
      options?: OnnxHeadScorerOptions,
    ): Promise<{ manifest: M; scorer: OnnxHeadScorer }> {
      const { manifest } = inspectBytes(spec, bytes, 'the stored model');
      return { manifest, scorer: await openScorer(bytes, 'the stored model', options) };
    },

    /**
     * The head and manifest from artefact bytes, with the same checks as loadBytes, for scoring
     * in-process (head.ts) without onnxruntime. The weights are bit-identical to the ones encoded.
     */
    decode(bytes: Uint8Array): { head: LinearHead; manifest: M } {
      return inspectBytes(spec, bytes, 'the stored model');
    },
  };
}
