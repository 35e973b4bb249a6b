/**
 * A first look at a file the browser is about to upload: its format (as the server will detect
 * it: `{` opens JSONL, a tab makes TSV, else CSV), its columns and a few rows, read from the first
 * 64 KiB (gzip is unpacked with the browser's DecompressionStream). Runs in the browser only; the
 * server checks everything again, so a preview that cannot be made is no error.
 */
import { parse } from 'csv-parse/browser/esm/sync';

export interface FilePreview {
  format: 'csv' | 'tsv' | 'jsonl';
  columns: string[];
  rows: Record<string, string>[];
}

const HEAD_BYTES = 65_536;

async function headText(file: File): Promise<string> {
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  if (head[0] === 0x1f && head[1] === 0x8b && typeof DecompressionStream !== 'undefined') {
    // the head of a gzip stream decompresses fine up to where it was cut
    const reader = new Blob([head]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      while (text.length < HEAD_BYTES) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // a truncated gzip stream ends in an error; what was read before it is what we want
    }
    return text;
  }
  return new TextDecoder().decode(head);
}

/** The preview of `file`, or null when its head cannot be read as any of the formats. */
export async function previewFile(file: File, maxRows = 5): Promise<FilePreview | null> {
  const text = (await headText(file)).replace(/^\uFEFF/, '');
  // only whole lines: the last one may have been cut off
  const lines = text.split(/\r?\n/);
  if (text.length >= HEAD_BYTES - 1) lines.pop();
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (nonEmpty.length === 0) return null;
  if (nonEmpty[0]!.trimStart().startsWith('{')) {
    const rows: Record<string, string>[] = [];
    const columns = new Set<string>();
    for (const line of nonEmpty.slice(0, maxRows)) {
      try {
        const value = JSON.parse(line) as Record<string, unknown>;
        for (const key of Object.keys(value)) columns.add(key);
        rows.push(
          Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
          ),
        );
      } catch {
        break;
      }
    }
    return { format: 'jsonl', columns: [...columns], rows };
  }
  const format = nonEmpty[0]!.includes('\t') ? 'tsv' : 'csv';
  try {
    const records = parse(nonEmpty.slice(0, maxRows + 1).join('\n'), {
      delimiter: format === 'tsv' ? '\t' : ',',
      quote: format === 'tsv' ? null : '"',
      relax_column_count: true,
      relax_quotes: true,
    }) as string[][];
    const [header = [], ...body] = records;
    const columns = header.map((c) => c.trim());
    return {
      format,
      columns,
      rows: body.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? '']))),
    };
  } catch {
    return { format, columns: [], rows: [] };
  }
}
