/**
 * The upload form of a sentiment project: the file, its format, and which columns hold the text
 * and the label, with a preview of the first rows read in the browser so the mapping can be seen
 * before anything is sent. Without JavaScript the columns are detected on the server.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState, type ChangeEvent } from 'react';
import { previewFile, type FilePreview } from '../../utils/file-preview';
import { LABEL_COLUMNS, recogniseColumn, TEXT_COLUMNS } from '../../../tasks/sentiment-columns.schema';

export function SentimentUpload({ labels, error }: { labels: string[]; error?: string }) {
  const navigation = useNavigation();
  const [preview, setPreview] = useState<FilePreview | null>(null);
  const [textColumn, setTextColumn] = useState('');
  const [labelColumn, setLabelColumn] = useState('');
  const [previewNote, setPreviewNote] = useState<string | null>(null);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setPreview(null);
    setPreviewNote(null);
    if (!file) return;
    const read = await previewFile(file).catch(() => null);
    if (!read || read.columns.length === 0) {
      setPreviewNote('No preview for this file; the server will check it line by line.');
      return;
    }
    setPreview(read);
    setTextColumn(recogniseColumn(read.columns, TEXT_COLUMNS) ?? '');
    setLabelColumn(recogniseColumn(read.columns, LABEL_COLUMNS) ?? '');
  }

  const columns = preview?.columns ?? [];
  return (
    <Form method="post" encType="multipart/form-data" className="card form" aria-label="Upload a file">
      {error ? (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="file">File</label>
        <input
          id="file"
          name="file"
          type="file"
          accept=".csv,.tsv,.jsonl,.gz,.txt,text/csv,text/tab-separated-values,application/gzip"
          required
          onChange={onFile}
        />
        <div className="hint small muted">
          CSV (with a header), TSV (GLUE’s layout works as it is) or JSON Lines; gzip-compressed or not.
        </div>
      </div>
      <div className="field">
        <label htmlFor="format">Format</label>
        <select id="format" name="format" defaultValue="auto">
          <option value="auto">
            Detect from the content{preview ? ` (looks like ${preview.format.toUpperCase()})` : ''}
          </option>
          <option value="csv">CSV</option>
          <option value="tsv">TSV</option>
          <option value="jsonl">JSON Lines</option>
        </select>
      </div>
      <div className="row">
        <div className="field" style={{ flex: 1, minWidth: 200 }}>
          <label htmlFor="textColumn">Text column</label>
          {columns.length ? (
            <select
              id="textColumn"
              name="textColumn"
              value={textColumn}
              onChange={(e) => setTextColumn(e.target.value)}
            >
              <option value="">Detect (text, sentence, content, …)</option>
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="textColumn"
              name="textColumn"
              type="text"
              placeholder="detect: text, sentence, content, …"
            />
          )}
        </div>
        <div className="field" style={{ flex: 1, minWidth: 200 }}>
          <label htmlFor="labelColumn">Label column</label>
          {columns.length ? (
            <select
              id="labelColumn"
              name="labelColumn"
              value={labelColumn}
              onChange={(e) => setLabelColumn(e.target.value)}
            >
              <option value="">Detect (label, sentiment, emotion, …) or none</option>
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="labelColumn"
              name="labelColumn"
              type="text"
              placeholder="detect: label, sentiment, …"
            />
          )}
        </div>
      </div>
      <div className="field">
        <label htmlFor="labelMap">Label map (optional)</label>
        <input id="labelMap" name="labelMap" type="text" placeholder="e.g. 0=negative,1=positive" />
        <div className="hint small muted">
          The project’s labels are {labels.join(', ')}. A file’s labels are kept as hidden references, never
          shown to annotators; 0 and 1 mean negative and positive unless you map them.
        </div>
      </div>
      {previewNote ? <p className="small muted">{previewNote}</p> : null}
      {preview ? (
        <div className="table-wrap">
          <table className="data" aria-label="Preview of the first rows">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th
                    key={c}
                    className={c === textColumn ? 'col-text' : c === labelColumn ? 'col-label' : undefined}
                  >
                    {c}
                    {c === textColumn ? ' (text)' : c === labelColumn ? ' (label)' : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((row, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c} dir="auto">
                      {(row[c] ?? '').slice(0, 160)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <label className="check-line">
        <input type="checkbox" name="skipInvalid" /> Import the valid lines and list the invalid ones
      </label>
      <div>
        <button type="submit" className="button-primary" disabled={navigation.state === 'submitting'}>
          {navigation.state === 'submitting' ? 'Uploading…' : 'Upload and import'}
        </button>
      </div>
    </Form>
  );
}
