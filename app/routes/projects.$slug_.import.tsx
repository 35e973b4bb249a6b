import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ImportJobStatus } from '../components/import/job-status';
import { SentimentUpload } from '../components/import/sentiment-upload';
import { z } from 'zod';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { actorOf } from '../utils/accounts.server';
import { formatDateTime } from '../utils/format';
import { userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { importJob, queueUploadedImport, recentImports } from '../utils/imports.server';
import { projectOverview } from '../utils/projects.server';

export const meta: MetaFunction = () => [{ title: 'Import · Arbiter' }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, 'lead', 'admin');
  const { project } = await projectOverview(params.slug ?? '');
  const jobId = z.uuid().safeParse(new URL(request.url).searchParams.get('job'));
  const job = jobId.success ? await importJob(jobId.data, project.id) : null;
  const history = await recentImports(project.id);
  return json({
    project: { slug: project.slug, name: project.name, type: project.type, labels: project.label_set },
    job: job
      ? {
          id: job.id,
          status: job.status,
          progress: job.progress,
          result: job.result,
          error: job.error,
          fileName: String(job.payload.fileName ?? ''),
        }
      : null,
    history: history.map((h) => ({
      id: h.id,
      status: h.status,
      fileName: String((h.payload as { fileName?: string }).fileName ?? ''),
      records: (h.result as { records?: number } | null)?.records ?? null,
      created_at: h.created_at.toISOString(),
    })),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead', 'admin');
  const { project } = await projectOverview(params.slug ?? '');
  try {
    const jobId = await queueUploadedImport(request, project, actorOf(user, context));
    return redirect(`/projects/${project.slug}/import?job=${jobId}`);
  } catch (error) {
    return userErrorResponse(error);
  }
}

export default function ImportPage() {
  const { project, job, history } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionErrors | undefined;
  const navigation = useNavigation();
  return (
    <div className="page stack">
      <p className="small">
        <Link to={`/projects/${project.slug}`}>← {project.name}</Link>
      </p>
      <PageHeader
        title={project.type === 'sentiment' ? 'Import texts to label' : 'Import prompts and responses'}
        description={
          project.type === 'sentiment'
            ? 'Every line is checked first; nothing is written unless the whole file is valid (or you choose to skip invalid lines). New items are pre-labeled and routed as they arrive.'
            : 'JSONL or gzip-compressed JSONL in Arbiter, HH-RLHF or TRL format. Every line is checked first; nothing is written unless the whole file is valid (or you choose to skip invalid lines).'
        }
      />
      {job ? <ImportJobStatus job={job} /> : null}
      {project.type === 'sentiment' ? (
        <SentimentUpload
          labels={project.labels}
          error={result?.formError ?? (result ? Object.values(result.fieldErrors)[0] : undefined)}
        />
      ) : (
        <Form method="post" encType="multipart/form-data" className="card form" aria-label="Upload a file">
          {result?.formError || result?.fieldErrors.file || result?.fieldErrors.format ? (
            <div className="alert alert-error" role="alert">
              {result.formError ?? result.fieldErrors.file ?? result.fieldErrors.format}
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="file">File</label>
            <input
              id="file"
              name="file"
              type="file"
              accept=".jsonl,.gz,.json,application/gzip,application/jsonl"
              required
            />
          </div>
          <div className="field">
            <label htmlFor="format">Format</label>
            <select id="format" name="format" defaultValue="auto">
              <option value="auto">Detect from the first record</option>
              <option value="arbiter">Arbiter (prompt or messages + responses)</option>
              <option value="hh-rlhf">Anthropic HH-RLHF (chosen / rejected transcripts)</option>
              <option value="trl">TRL preference (prompt / chosen / rejected)</option>
              <option value="openai">OpenAI preference fine-tuning (input / preferred_output)</option>
            </select>
          </div>
          <label className="check-line">
            <input type="checkbox" name="skipInvalid" /> Import the valid lines and list the invalid ones
          </label>
          <div>
            <button type="submit" className="button-primary" disabled={navigation.state === 'submitting'}>
              {navigation.state === 'submitting' ? 'Uploading…' : 'Upload and import'}
            </button>
          </div>
        </Form>
      )}
      <section className="card" aria-labelledby="history-h">
        <h2 id="history-h">Recent imports</h2>
        {history.length === 0 ? (
          <p className="empty">No imports yet.</p>
        ) : (
          <table className="data" aria-label="Recent imports">
            <thead>
              <tr>
                <th>When</th>
                <th>File</th>
                <th>Status</th>
                <th className="num">Records</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td>{formatDateTime(h.created_at)}</td>
                  <td>
                    <Link to={`?job=${h.id}`}>{h.fileName}</Link>
                  </td>
                  <td>{h.status}</td>
                  <td className="num">{h.records ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
