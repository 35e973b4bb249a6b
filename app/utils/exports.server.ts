/** The exports screens' and API's door to tasks/export. */
import { Readable } from 'node:stream';
import * as snapshots from '../../tasks/export/snapshots';
import type { Actor } from '../../tasks/accounts';
import { getAppContext } from './context.server';

const db = () => getAppContext().db;

export const list = (options: { projectId?: string; limit?: number }) =>
  snapshots.listExportSnapshots(db(), options);
export const create = (projectId: string, input: unknown, actor: Actor & { tokenId?: string | null }) =>
  snapshots.createExportSnapshot(db(), { projectId, input, actor });

export async function find(exportId: string) {
  return db()
    .selectFrom('exports as e')
    .innerJoin('projects as p', 'p.id', 'e.project_id')
    .leftJoin('users as u', 'u.id', 'e.created_by')
    .select([
      'e.id',
      'e.project_id',
      'e.format',
      'e.encoding',
      'e.status',
      'e.row_count',
      'e.byte_size',
      'e.sha256',
      'e.filters',
      'e.options',
      'e.counts',
      'e.model_versions',
      'e.dataset_card',
      'e.error',
      'e.created_at',
      'e.finished_at',
      'p.slug',
      'p.name as project_name',
      'u.display_name',
    ])
    .where('e.id', '=', exportId)
    .executeTakeFirst();
}

/**
 * A ready snapshot as a download Response: the file streams from its chunks as it is read, so the
 * download starts at once and the server holds one chunk at a time. 404 Response when not ready.
 */
export async function downloadResponse(
  exportId: string,
  cacheControl = 'private, no-store',
): Promise<Response> {
  const row = await find(exportId);
  const file = row ? await snapshots.openSnapshot(db(), exportId) : undefined;
  if (!row || !file) return new Response('This export is not ready (or does not exist).', { status: 404 });
  const name = snapshots.snapshotFileName(row, row.slug);
  const body = Readable.toWeb(Readable.from(file.chunks)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'Content-Type':
        row.encoding === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}"`,
      'Content-Length': String(file.bytes),
      'X-Content-SHA256': row.sha256 ?? '',
      'Cache-Control': cacheControl,
    },
  });
}
