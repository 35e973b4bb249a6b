import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { BarChartCard } from '../components/charts';
import { Field, FormError } from '../components/form';
import { PageHeader } from '../components/layout';
import { ProjectProgress } from '../components/project-progress';
import { RouteErrorBoundary } from '../components/error-page';
import { requireRole } from '../utils/auth.server';
import { actorOf } from '../utils/accounts.server';
import { formString, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { formatDateTime } from '../utils/format';
import { forbidden } from '../utils/http.server';
import { membership, projectOverview, saveSettings } from '../utils/projects.server';
import { hasRole } from '../../tasks/roles';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.project.name ?? 'Project'} · Arbiter` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'lead', 'researcher', 'admin');
  const o = await projectOverview(params.slug ?? '');
  return json({
    canManage: hasRole(user, 'lead', 'admin'),
    project: {
      id: o.project.id,
      slug: o.project.slug,
      name: o.project.name,
      type: o.project.type,
      description: o.project.description,
      redundancy: o.project.redundancy,
      membersOnly: o.project.members_only,
      leaseMinutes: Math.round(o.project.lease_seconds / 60),
      guidelines: o.project.guidelines,
      rationaleRequired: o.project.settings.rationaleRequired === true,
      safetyOverrides: o.project.settings.safetyOverrides === true,
      safetyMargin: Number(o.project.settings.safetyMargin ?? 2),
    },
    summary: o.summary ?? null,
    buckets: o.buckets.map((b, i, all) => ({
      ...b,
      label: i === all.length - 1 ? `${b.judgments}+` : String(b.judgments),
    })),
    perDay: o.perDay.map((d) => ({ ...d, label: d.day.slice(5) })),
    activity: o.activity,
    levels: o.levels,
    judgedPairs: o.judgedPairs,
    members: o.members.map((m) => ({ ...m, added_at: m.added_at.toISOString() })),
  });
}

type Result = { ok: true; message: string } | ActionErrors;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead', 'researcher', 'admin');
  if (!hasRole(user, 'lead', 'admin'))
    throw forbidden(['lead', 'admin'], 'Only leads and admins manage project access.');
  const { project } = await projectOverview(params.slug ?? '');
  const form = await request.formData();
  const actor = actorOf(user, context);
  try {
    switch (formString(form, 'intent')) {
      case 'add-member': {
        const email = formString(form, 'email');
        const added = await membership.add(project.id, email, actor);
        return json<Result>({
          ok: true,
          message: added ? `Added ${email}.` : `${email} is already a member.`,
        });
      }
      case 'remove-member':
        await membership.remove(project.id, formString(form, 'email'), actor);
        return json<Result>({ ok: true, message: `Removed ${formString(form, 'email')}.` });
      case 'settings':
        await saveSettings(
          project.id,
          {
            name: formString(form, 'name'),
            description: formString(form, 'description'),
            guidelines: formString(form, 'guidelines'),
            redundancy: formString(form, 'redundancy'),
            leaseMinutes: formString(form, 'leaseMinutes'),
            rationaleRequired: form.get('rationaleRequired') === 'on',
            safetyOverrides: form.get('safetyOverrides') === 'on',
            safetyMargin: formString(form, 'safetyMargin'),
          },
          actor,
        );
        return json<Result>({ ok: true, message: 'Settings saved.' });
      case 'access': {
        const membersOnly = formString(form, 'membersOnly') === 'true';
        await membership.setMembersOnly(project.id, membersOnly, actor);
        return json<Result>({
          ok: true,
          message: membersOnly ? 'Now open to members only.' : 'Now open to every annotator.',
        });
      }
      default:
        return json<Result>({ ok: false, fieldErrors: {}, formError: 'Unknown action.' }, { status: 400 });
    }
  } catch (error) {
    return userErrorResponse(error);
  }
}

export default function ProjectPage() {
  const { project, summary, buckets, perDay, activity, levels, judgedPairs, members, canManage } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const noun = project.type === 'preference' ? 'pairs' : 'items';
  const fieldError = (name: string) => (result && !result.ok ? result.fieldErrors[name] : undefined);
  return (
    <div className="page stack">
      <p className="small">
        <Link to="/projects">← All projects</Link>
      </p>
      <PageHeader
        title={project.name}
        description={
          <>
            <span className="badge">{project.type}</span> {project.slug} · {project.redundancy} judgments per{' '}
            {noun.slice(0, -1)} · leases last {project.leaseMinutes} min ·{' '}
            {project.membersOnly ? 'members only' : 'open to every annotator'}
          </>
        }
      />
      {project.description ? <p>{project.description}</p> : null}
      {canManage && project.type === 'preference' ? (
        <p>
          <Link to={`/projects/${project.slug}/import`} className="button">
            Import prompts and responses
          </Link>
        </p>
      ) : null}
      <div className="grid">
        <div className="card">
          <h2>Progress</h2>
          {summary ? (
            <ProjectProgress completed={summary.completed} units={summary.units} noun={noun} />
          ) : null}
          <div className="stats" style={{ marginTop: '1rem' }}>
            <div>
              <div className="stat">{summary?.judgments ?? 0}</div>
              <div className="stat-label">judgments</div>
            </div>
            <div>
              <div className="stat">{activity.annotators}</div>
              <div className="stat-label">annotators</div>
            </div>
            <div>
              <div className="stat">{activity.lastWeek}</div>
              <div className="stat-label">in the last 7 days</div>
            </div>
          </div>
        </div>
        {project.type === 'preference' ? (
          <div className="card">
            <h2>Agreement on helpfulness</h2>
            <p className="small muted">
              Pairs with two or more judgments, by how many agree with the majority direction.
            </p>
            <div className="stats">
              {(['unanimous', 'strong', 'majority', 'split'] as const).map((level) => (
                <div key={level}>
                  <div className="stat">{levels[level]}</div>
                  <div className="stat-label">{level}</div>
                </div>
              ))}
            </div>
            <p className="small muted" style={{ marginBottom: 0 }}>
              {judgedPairs} pair(s) have at least one judgment.
            </p>
          </div>
        ) : null}
      </div>
      {project.type === 'preference' ? (
        <div className="grid">
          <BarChartCard
            title="Pairs by number of judgments"
            description={`How far each pair is toward the ${project.redundancy} judgments it needs.`}
            data={buckets}
            x="label"
            y="pairs"
            yLabel="Pairs"
          />
          <BarChartCard
            title="Judgments per day"
            description="The last 30 days (UTC)."
            data={perDay}
            x="label"
            y="judgments"
            yLabel="Judgments"
          />
        </div>
      ) : null}
      {canManage ? (
        <details
          className="card"
          open={!!(result && !result.ok && Object.keys(result.fieldErrors).some((k) => k !== 'email'))}
        >
          <summary>
            <strong>Settings</strong>{' '}
            <span className="small muted">name, guidelines, redundancy, leases, rules</span>
          </summary>
          <Form
            method="post"
            className="form"
            style={{ marginTop: '0.8rem', maxWidth: 720 }}
            aria-label="Project settings"
          >
            <input type="hidden" name="intent" value="settings" />
            <Field label="Name" name="name" defaultValue={project.name} required error={fieldError('name')} />
            <Field
              label="Description"
              name="description"
              defaultValue={project.description}
              error={fieldError('description')}
            />
            <div className="field">
              <label htmlFor="guidelines">Guidelines (markdown, shown to annotators with G)</label>
              <textarea id="guidelines" name="guidelines" rows={8} defaultValue={project.guidelines} />
              {fieldError('guidelines') ? <div className="error">{fieldError('guidelines')}</div> : null}
            </div>
            <div className="row">
              <Field
                label="Judgments per pair"
                name="redundancy"
                type="number"
                min={1}
                max={50}
                defaultValue={project.redundancy}
                error={fieldError('redundancy')}
              />
              <Field
                label="Lease (minutes)"
                name="leaseMinutes"
                type="number"
                min={1}
                max={1440}
                defaultValue={project.leaseMinutes}
                error={fieldError('leaseMinutes')}
              />
            </div>
            <label className="check-line">
              <input type="checkbox" name="rationaleRequired" defaultChecked={project.rationaleRequired} />{' '}
              Require a rationale with every judgment
            </label>
            <label className="check-line">
              <input type="checkbox" name="safetyOverrides" defaultChecked={project.safetyOverrides} /> The
              safer response wins when safety differs by
              <select
                name="safetyMargin"
                defaultValue={String(project.safetyMargin)}
                aria-label="Safety margin in points"
                style={{ width: 'auto' }}
              >
                {[1, 2, 3].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              or more points
            </label>
            <div>
              <button type="submit" className="button-primary">
                Save settings
              </button>
            </div>
          </Form>
        </details>
      ) : null}
      <section className="card" aria-labelledby="members-h">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 id="members-h">Members</h2>
          {canManage ? (
            <Form method="post">
              <input type="hidden" name="intent" value="access" />
              <input type="hidden" name="membersOnly" value={project.membersOnly ? 'false' : 'true'} />
              <button type="submit">
                {project.membersOnly ? 'Open to every annotator' : 'Restrict to members'}
              </button>
            </Form>
          ) : null}
        </div>
        <p className="small muted">
          {project.membersOnly
            ? 'Only the people listed here get pairs from this project.'
            : 'Every annotator gets pairs from this project; the list matters once you restrict it.'}
        </p>
        {result?.ok ? (
          <div className="alert alert-success" role="status">
            {result.message}
          </div>
        ) : null}
        <FormError
          message={
            result && !result.ok ? (result.formError ?? Object.values(result.fieldErrors)[0]) : undefined
          }
        />
        {members.length === 0 ? (
          <p className="empty">No members yet.</p>
        ) : (
          <table className="data" aria-label="Members">
            <thead>
              <tr>
                <th>Email</th>
                <th>Languages</th>
                <th>Domains</th>
                <th>Added</th>
                {canManage ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.email}>
                  <td>{m.email}</td>
                  <td>{m.languages.join(', ') || 'all'}</td>
                  <td>{m.domains.join(', ')}</td>
                  <td>{formatDateTime(m.added_at)}</td>
                  {canManage ? (
                    <td>
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove-member" />
                        <input type="hidden" name="email" value={m.email} />
                        <button type="submit" className="button-link" aria-label={`Remove ${m.email}`}>
                          Remove
                        </button>
                      </Form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canManage ? (
          // keyed by the member count, so the field empties after each successful add
          <Form
            method="post"
            className="row"
            style={{ marginTop: '0.8rem', alignItems: 'flex-end' }}
            key={members.length}
          >
            <input type="hidden" name="intent" value="add-member" />
            <div style={{ minWidth: 280 }}>
              <Field label="Add a member by email" name="email" type="email" required />
            </div>
            <button type="submit" className="button-primary">
              Add member
            </button>
          </Form>
        ) : null}
      </section>
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
