import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { createColumnHelper } from '@tanstack/react-table';
import { z } from 'zod';
import { DataTable } from '../components/data-table';
import { PageHeader } from '../components/layout';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { getDb } from '../utils/context.server';
import { formatDateTime } from '../utils/format';
import { listAuditEvents } from '../../db/queries/audit-log';

export const meta: MetaFunction = () => [{ title: 'Audit log · Arbiter' }];

const PAGE = 200;
const QuerySchema = z.object({
  before: z.coerce.number().int().positive().optional().catch(undefined),
  event: z
    .string()
    .trim()
    .max(64)
    .regex(/^[a-z_.]*$/)
    .optional()
    .catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, 'admin');
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = await listAuditEvents(getDb(), {
    limit: PAGE + 1,
    before: query.before,
    event: query.event || undefined,
  });
  const page = rows.slice(0, PAGE);
  return json({
    event: query.event ?? '',
    older: rows.length > PAGE ? page[page.length - 1]!.id : null,
    entries: page.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      event: e.event,
      actor: e.actor_email ?? (e.actor_token_id ? 'API token' : ''),
      ip: e.ip ?? '',
      target: e.target_type ? `${e.target_type} ${e.target_id ?? ''}` : '',
      details: JSON.stringify(e.details),
    })),
  });
}

type Row = ReturnType<typeof useLoaderData<typeof loader>>['entries'][number];
const col = createColumnHelper<Row>();
const columns = [
  col.accessor('at', { header: 'When', cell: (c) => formatDateTime(c.getValue()) }),
  col.accessor('event', { header: 'Event', cell: (c) => <code>{c.getValue()}</code> }),
  col.accessor('actor', { header: 'Who' }),
  col.accessor('ip', { header: 'Address' }),
  col.accessor('target', { header: 'Target' }),
  col.accessor('details', {
    header: 'Details',
    cell: (c) => <code className="small">{c.getValue() === '{}' ? '' : c.getValue()}</code>,
  }),
];

export default function AuditLog() {
  const { entries, older, event } = useLoaderData<typeof loader>();
  return (
    <div className="page">
      <PageHeader
        title="Audit log"
        description="Sign-ins, failed sign-ins, role changes, token use, exports: newest first, 200 per page."
        actions={
          <Form method="get" className="row">
            <label className="small" htmlFor="event-filter">
              Event
            </label>
            <input
              id="event-filter"
              type="search"
              name="event"
              defaultValue={event}
              placeholder="e.g. login.failed"
            />
            <button type="submit">Filter</button>
          </Form>
        }
      />
      <DataTable data={entries} columns={columns} label="Audit log" pageSize={50} empty="No entries." />
      <div className="row" style={{ marginTop: '0.8rem' }}>
        {older ? (
          <Link
            className="button"
            to={`?${new URLSearchParams({ ...(event ? { event } : {}), before: String(older) })}`}
          >
            Older entries
          </Link>
        ) : (
          <span className="muted small">This is the oldest page.</span>
        )}
        <Link className="button" to={event ? `?event=${encodeURIComponent(event)}` : '?'}>
          Newest
        </Link>
      </div>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
