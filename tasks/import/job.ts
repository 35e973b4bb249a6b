/** The "import" job: imports an uploaded file into a project, reporting progress as it goes. */
import fs from 'node:fs';
import { z } from 'zod';
import { PermanentJobError, type JobHandler } from '../jobs';
import { createRng } from '../rng';
import { IMPORT_FORMATS } from './formats';
import { ImportError, importPreferences } from './preferences';
import { InputTooLargeError } from './jsonl';

export const ImportJobPayload = z.object({
  file: z.string(),
  fileName: z.string(),
  projectId: z.uuid(),
  format: z.enum(['auto', ...IMPORT_FORMATS]),
  skipInvalid: z.boolean(),
  actor: z.object({ userId: z.string().nullable(), email: z.string().nullable(), ip: z.string().nullable() }),
});

export const runImportJob: JobHandler = async (job, { db, progress }) => {
  const payload = ImportJobPayload.parse(job.payload);
  if (!fs.existsSync(payload.file)) {
    throw new PermanentJobError(
      'The uploaded file is gone (was the server moved to another machine?). Upload it again.',
    );
  }
  const last = job.attempts >= job.max_attempts;
  let finished = false;
  try {
    const report = await importPreferences(db, () => fs.createReadStream(payload.file), {
      projectId: payload.projectId,
      format: payload.format,
      skipInvalid: payload.skipInvalid,
      rng: createRng(1),
      actor: payload.actor,
      fileName: payload.fileName,
      onProgress: (p) => void progress({ ...p }).catch(() => undefined),
    });
    finished = true;
    return { ...report, skipped: report.skipped.slice(0, 50) };
  } catch (error) {
    if (error instanceof ImportError) {
      finished = true;
      throw new PermanentJobError(error.message, { errors: error.errors, totalErrors: error.totalErrors });
    }
    if (error instanceof InputTooLargeError) {
      finished = true;
      throw new PermanentJobError(error.message);
    }
    throw error;
  } finally {
    // the upload is kept only while a retry may still need it
    if (finished || last) fs.rmSync(payload.file, { force: true });
  }
};
