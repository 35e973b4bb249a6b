/** What an import job is doing or did, as the import page shows it (preference and sentiment imports). */
import { JobProgressBar } from '../project-progress';
import { usePollWhile } from '../../utils/use-poll';

interface ImportResult {
  type?: 'preference' | 'sentiment';
  records?: number;
  format?: string;
  columns?: { text: string; label: string | null };
  items?: { created: number; existing: number };
  duplicates?: number;
  references?: number;
  holdout?: number;
  routing?: { human: number; auto: number; audit: number };
  prelabeledBy?: 'model' | 'pretrained' | 'lexicon' | 'nothing';
  prelabelModel?: string | null;
  prelabelNote?: string | null;
  prompts?: { created: number; existing: number };
  responses?: { created: number; existing: number };
  pairs?: { created: number; existing: number };
  skipped?: { line: number; message: string }[];
  errors?: { line: number; message: string }[];
  totalErrors?: number;
}

export interface ImportJobView {
  id: string;
  status: string;
  progress: unknown;
  result: unknown;
  error: string | null;
  fileName: string;
}

const PRELABELER = {
  model: 'the active model',
  pretrained: 'the cold-start model',
  lexicon: 'the VADER word list',
  nothing: 'nothing (no model yet, and the labels are not positive/negative/neutral)',
};

function Succeeded({ result }: { result: ImportResult }) {
  if (result.type === 'sentiment')
    return (
      <>
        {result.prelabelNote ? (
          <p className="alert alert-warning" role="alert">
            {result.prelabelNote}
          </p>
        ) : null}
        <div className="alert alert-success" role="status">
          Imported {result.records} record(s) ({result.format}, text column “{result.columns?.text}”
          {result.columns?.label ? `, label column “${result.columns.label}”` : ''}): {result.items?.created}{' '}
          new item(s)
          {result.items?.existing ? `, ${result.items.existing} already there` : ''}
          {result.duplicates ? `, ${result.duplicates} repeated line(s) skipped` : ''}. {result.holdout} held
          out for measuring. Pre-labeled by {PRELABELER[result.prelabeledBy ?? 'nothing']}
          {result.prelabelModel ? ` ${result.prelabelModel}` : ''}: {result.routing?.human} to people,{' '}
          {result.routing?.auto} accepted, {result.routing?.audit} to audit.
        </div>
      </>
    );
  return (
    <div className="alert alert-success" role="status">
      Imported {result.records} record(s) ({result.format}): {result.prompts?.created} new prompt(s),{' '}
      {result.responses?.created} new response(s), {result.pairs?.created} new pair(s)
      {result.prompts?.existing ? `; ${result.prompts.existing} prompt(s) were already there` : ''}.
    </div>
  );
}

/** An import job's live status: checking, writing, done, or failed with the lines to fix. */
export function ImportJobStatus({ job }: { job: ImportJobView }) {
  usePollWhile(job.status === 'queued' || job.status === 'running');
  const progress = (job.progress ?? {}) as {
    phase?: string;
    lines?: number;
    records?: number;
    total?: number;
  };
  const result = (job.result ?? {}) as ImportResult;
  return (
    <section className="card" aria-label="Import status" aria-live="polite">
      <h2>{job.fileName}</h2>
      {job.status === 'queued' ? <p>Waiting for a worker…</p> : null}
      {job.status === 'running' ? (
        progress.phase === 'write' && progress.total ? (
          <div>
            <p>
              Writing {progress.records} of {progress.total} records…
            </p>
            <JobProgressBar label="Import progress" value={progress.records ?? 0} max={progress.total} />
          </div>
        ) : (
          <p>Checking every line before writing anything: {progress.lines ?? 0} lines so far…</p>
        )
      ) : null}
      {job.status === 'succeeded' ? <Succeeded result={result} /> : null}
      {job.status === 'failed' ? (
        <div className="alert alert-error" role="alert">
          <p>{job.error}</p>
          {result.errors?.length ? (
            <ul>
              {result.errors.map((e) => (
                <li key={e.line}>
                  line {e.line}: {e.message}
                </li>
              ))}
            </ul>
          ) : null}
          {result.totalErrors && result.errors && result.totalErrors > result.errors.length ? (
            <p>… and {result.totalErrors - result.errors.length} more.</p>
          ) : null}
        </div>
      ) : null}
      {result.skipped?.length ? (
        <details>
          <summary>{result.skipped.length} line(s) skipped</summary>
          <ul className="small">
            {result.skipped.map((e) => (
              <li key={e.line}>
                line {e.line}: {e.message}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
