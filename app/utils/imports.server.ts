/** Uploading a file for import and following its job, for the project import page. */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  MaxPartSizeExceededError,
  unstable_composeUploadHandlers,
  unstable_createFileUploadHandler,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type NodeOnDiskFile,
} from '@remix-run/node';
import { findJob } from '../../db/queries/jobs';
import { enqueueJob } from '../../tasks/jobs';
import type { Actor } from '../../tasks/accounts';
import { UserInputError } from '../../tasks/errors';
import { IMPORT_FORMATS } from '../../tasks/import/formats';
import type { ImportJobPayload } from '../../tasks/import/job';
import { parseLabelMap } from '../../tasks/import/sentiment-records';
import { TABULAR_FORMATS } from '../../tasks/import/tabular';
import { getAppContext } from './context.server';

/**
 * Saves the upload to the upload directory and queues its import (preference or sentiment, as the
 * project is); returns the job id.
 */
export async function queueUploadedImport(
  request: Request,
  project: { id: string; type: 'preference' | 'sentiment' },
  actor: Actor,
): Promise<string> {
  const projectId = project.id;
  const { db, config } = getAppContext();
  fs.mkdirSync(config.uploadDir, { recursive: true });
  let form: FormData;
  let originalName = '';
  // anything but a multipart upload would make the parser throw a TypeError (a 500)
  if (!(request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data'))
    throw new UserInputError('Send the file from the upload form on this page.', 'file');
  try {
    form = await unstable_parseMultipartFormData(
      request,
      unstable_composeUploadHandlers(
        unstable_createFileUploadHandler({
          directory: config.uploadDir,
          maxPartSize: config.maxUploadBytes,
          file: ({ filename }) => {
            originalName = filename ?? '';
            return `${randomUUID()}.upload`;
          },
          filter: ({ name }) => name === 'file',
        }),
        unstable_createMemoryUploadHandler({ maxPartSize: 10_000 }),
      ),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) {
      throw new UserInputError(
        `The file is larger than ${Math.round(config.maxUploadBytes / 1024 / 1024)} MiB (ARBITER_MAX_UPLOAD_BYTES).`,
        'file',
      );
    }
    // the multipart parser's own complaints (no boundary, a part without a field name, a boundary
    // that never closes) are about the request, not the server (found by fuzzing)
    if (
      error instanceof Error &&
      /^malformed multipart|^malformed content-disposition|^Could not parse content as FormData/.test(
        error.message,
      )
    )
      throw new UserInputError(
        'The upload could not be read; send the file from the form on this page.',
        'file',
      );
    throw error;
  }
  const file = form.get('file') as NodeOnDiskFile | string | null;
  if (!file || typeof file === 'string' || file.size === 0) {
    if (file && typeof file !== 'string') fs.rmSync(file.getFilePath(), { force: true });
    throw new UserInputError(
      project.type === 'sentiment'
        ? 'Choose a CSV, TSV or JSONL file (plain or .gz) to import.'
        : 'Choose a JSONL or JSONL.gz file to import.',
      'file',
    );
  }
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' && value.trim() ? value.trim() : null;
  };
  const format = text('format') ?? 'auto';
  const formats: readonly string[] = project.type === 'sentiment' ? TABULAR_FORMATS : IMPORT_FORMATS;
  let labelMap: Record<string, string> = {};
  try {
    if (format !== 'auto' && !formats.includes(format))
      throw new UserInputError(`Unknown format "${format}".`, 'format');
    if (project.type === 'sentiment') labelMap = parseLabelMap(text('labelMap'));
  } catch (error) {
    fs.rmSync(file.getFilePath(), { force: true });
    throw error;
  }
  return enqueueJob(db, {
    kind: 'import',
    projectId,
    createdBy: actor.userId ?? null,
    payload: {
      file: file.getFilePath(),
      fileName: (originalName || 'upload').slice(0, 200),
      projectId,
      type: project.type,
      format: format as ImportJobPayload['format'],
      skipInvalid: form.get('skipInvalid') === 'on',
      textColumn: project.type === 'sentiment' ? text('textColumn') : null,
      labelColumn: project.type === 'sentiment' ? text('labelColumn') : null,
      labelMap,
      actor: { userId: actor.userId ?? null, email: actor.email ?? null, ip: actor.ip ?? null },
    } satisfies ImportJobPayload,
  });
}

export async function importJob(jobId: string, projectId: string) {
  const job = await findJob(getAppContext().db, jobId);
  if (!job || job.kind !== 'import' || job.project_id !== projectId) return null;
  return job;
}

export async function recentImports(projectId: string) {
  return getAppContext()
    .db.selectFrom('jobs')
    .select(['id', 'status', 'payload', 'result', 'error', 'created_at', 'finished_at'])
    .where('kind', '=', 'import')
    .where('project_id', '=', projectId)
    .orderBy('created_at', 'desc')
    .limit(10)
    .execute();
}
