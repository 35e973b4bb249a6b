/** How the API writes an export snapshot (the list and the single snapshot use the same shape). */
export function exportJson(row: {
  id: string;
  format: string;
  encoding: string;
  status: string;
  row_count: number | null;
  byte_size: number | string | null;
  sha256: string | null;
  filters: unknown;
  created_at: Date;
  finished_at: Date | null;
  error: string | null;
}) {
  return {
    id: row.id,
    format: row.format,
    encoding: row.encoding,
    status: row.status,
    rows: row.row_count,
    bytes: row.byte_size === null ? null : Number(row.byte_size),
    sha256: row.sha256,
    filters: row.filters,
    created_at: row.created_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
    error: row.error,
    download: row.status === 'ready' ? `/api/v1/exports/${row.id}/download` : null,
  };
}
