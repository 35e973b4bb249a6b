/** The "import" job: imports an uploaded file into a project, reporting progress as it goes. */
import fs from 'node:fs';
import { z } from 'zod';
import { enqueueJob, PermanentJobError, type JobHandler } from '../jobs';
import { activeSafetyModel, SAFETY_SCORE_JOB } from '../safety/active';
import { createRng } from '../rng';
import { UserInputError } from '../errors';
import { IMPORT_FORMATS, type ImportFormat } from './formats';
import { ImportError, importPreferences } from './preferences';
import { InputTooLargeError } from './jsonl';
import { importSentiment } from './sentiment';
import { HeaderError, MalformedInputError, TABULAR_FORMATS, type TabularFormat } from './tabular';

export const ImportJobPayload = z.object({
  file: z.string(),
  fileName: z.string(),
  projectId: z.uuid(),
  /** jobs queued before sentiment imports existed carry no type: they are preference imports */
  type: z.enum(['preference', 'sentiment']).default('preference'),
  format: z.enum(['auto', ...IMPORT_FORMATS, ...TABULAR_FORMATS]),
  skipInvalid: z.boolean(),
  textColumn: z.string().nullable().default(null),
  labelColumn: z.string().nullable().default(null),
  labelMap: z.record(z.string(), z.string()).default({}),
  actor: z.object({ userId: z.string().nullable(), email: z.string().nullable(), ip: z.string().nullable() }),
});
export type ImportJobPayload = z.input<typeof ImportJobPayload>;

/**
 * Whether `error` says what is wrong with the file or the import's options: the job reports it to
 * the user as it is and does not retry, since the same file would fail the same way again.
 */
export function isImportInputError(error: unknown): error is Error {
  return (
    error instanceof ImportError ||
    error instanceof InputTooLargeError ||
    error instanceof HeaderError ||
    error instanceof MalformedInputError ||
    error instanceof UserInputError
  );
}

export const runImportJob: JobHandler = async (job, { db, progress, modelsDir }) => {
  const payload = ImportJobPayload.parse(job.payload);
  if (!fs.existsSync(payload.file)) {
    throw new PermanentJobError(
      'The uploaded file is gone (was the server moved to another machine?). Upload it again.',
    );
  }
  const last = job.attempts >= job.max_attempts;
  let finished = false;
  const open = () => fs.createReadStream(payload.file);
  const onProgress = (p: object) => void progress({ ...p }).catch(() => undefined);
  try {
    const report =
      payload.type === 'sentiment'
        ? await importSentiment(db, open, {
            projectId: payload.projectId,
            format: payload.format as TabularFormat | 'auto',
            textColumn: payload.textColumn,
            labelColumn: payload.labelColumn,
            labelMap: payload.labelMap,
            skipInvalid: payload.skipInvalid,
            actor: payload.actor,
            fileName: payload.fileName,
            modelsDir,
            onProgress,
          })
        : await importPreferences(db, open, {
            projectId: payload.projectId,
            format: payload.format as ImportFormat | 'auto',
            skipInvalid: payload.skipInvalid,
            rng: createRng(1),
            actor: payload.actor,
            fileName: payload.fileName,
            onProgress,
          });
    finished = true;
    // new responses get their pre-flags from the project's safety model, in a job of their own so a
    // scoring failure can never undo an import
    let safetyScoreJobId: string | null = null;
    if (payload.type === 'preference' && (await activeSafetyModel(db, payload.projectId)))
      safetyScoreJobId = await enqueueJob(db, {
        kind: SAFETY_SCORE_JOB,
        payload: { projectId: payload.projectId },
        projectId: payload.projectId,
        createdBy: payload.actor.userId,
      });
    return { type: payload.type, ...report, skipped: report.skipped.slice(0, 50), safetyScoreJobId };
  } catch (error) {
    if (error instanceof ImportError) {
      finished = true;
      throw new PermanentJobError(error.message, { errors: error.errors, totalErrors: error.totalErrors });
    }
    if (isImportInputError(error)) {
      finished = true;
      throw new PermanentJobError(error.message);
    }
    throw error;
  } finally {
    // the upload is kept only while a retry may still need it
    if (finished || last) fs.rmSync(payload.file, { force: true });
  }
};
