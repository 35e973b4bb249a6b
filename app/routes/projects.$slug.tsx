import { safetySettings } from '../../tasks/safety/settings';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { json, redirect } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { qualitySettings, type ConsensusSetting } from '../../tasks/quality/settings';
import { BarChartCard } from '../components/charts';
import { PageHeader } from '../components/layout';
import { ProjectProgress } from '../components/project-progress';
import { MembersCard } from '../components/projects/members-card';
import { SettingsForm } from '../components/projects/settings-form';
import { AuditCard } from '../components/sentiment/audit-card';
import { CyclesCard } from '../components/sentiment/cycles-card';
import { RoutingCard } from '../components/sentiment/routing-card';
import { RouteErrorBoundary } from '../components/error-page';
import { denyAccess, requireRole } from '../utils/auth.server';
import { actorOf } from '../utils/accounts.server';
import { formString, readForm, userErrorResponse, type ActionErrors } from '../utils/forms.server';
import { membership, projectOverview, saveSettings } from '../utils/projects.server';
import type { PolicyName } from '../../tasks/active-learning/policies';
import { sentimentOverview, startCycle } from '../utils/sentiment.server';
import { hasRole } from '../../tasks/roles';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.project.name ?? 'Project'} · Arbiter` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, 'lead', 'researcher', 'admin');
  const o = await projectOverview(params.slug ?? '');
  const jobId = z.uuid().safeParse(new URL(request.url).searchParams.get('job'));
  const sentiment =
    o.project.type === 'sentiment'
      ? await sentimentOverview(o.project, jobId.success ? jobId.data : null)
      : null;
  return json({
    canManage: hasRole(user, 'lead', 'admin'),
    canRunCycles: hasRole(user, 'lead', 'researcher', 'admin'),
    project: {
      id: o.project.id,
      slug: o.project.slug,
      name: o.project.name,
      type: o.project.type,
      description: o.project.description,
      labels: o.project.label_set,
      redundancy: o.project.redundancy,
      membersOnly: o.project.members_only,
      leaseMinutes: Math.round(o.project.lease_seconds / 60),
      guidelines: o.project.guidelines,
      license: typeof o.project.settings.license === 'string' ? o.project.settings.license : '',
      rationaleRequired: o.project.settings.rationaleRequired === true,
      safetyOverrides: o.project.settings.safetyOverrides === true,
      safetyMargin: Number(o.project.settings.safetyMargin ?? 2),
      sentiment: sentiment?.settings ?? null,
      activeLearning: o.activeLearning,
      safety: o.project.type === 'preference' ? safetySettings(o.project.settings) : null,
      quality: {
        ...qualitySettings(o.project.settings),
        goldRate: o.project.gold_rate,
        repeatRate: o.project.type === 'preference' ? o.project.repeat_rate : null,
      },
      labelsLocked: sentiment?.labelsLocked ?? true,
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
    sentiment,
  });
}

type Result = { ok: true; intent: string; message: string } | (ActionErrors & { intent?: string });

/** The settings the form sent: only fields present in it (checkboxes come with a hidden twin). */
function settingsFrom(form: FormData) {
  const text = (name: string) => (form.has(name) ? formString(form, name) : undefined);
  const check = (name: string) => (form.has(name) ? form.getAll(name).includes('on') : undefined);
  return {
    name: text('name'),
    description: text('description'),
    guidelines: text('guidelines'),
    license: text('license'),
    redundancy: text('redundancy'),
    leaseMinutes: text('leaseMinutes'),
    rationaleRequired: check('rationaleRequired'),
    safetyOverrides: check('safetyOverrides'),
    safetyMargin: text('safetyMargin'),
    autoAcceptThreshold: text('autoAcceptThreshold'),
    auditRate: text('auditRate'),
    auditTolerance: text('auditTolerance'),
    blindPrelabels: check('blindPrelabels'),
    holdoutRate: text('holdoutRate'),
    holdoutMax: text('holdoutMax'),
    coldStartModel: text('coldStartModel'),
    coldStartLabelMap: text('coldStartLabelMap'),
    // the schema checks both against their lists; the casts only satisfy its input type
    alPolicy: text('alPolicy') as PolicyName | undefined,
    alRetrainEvery: text('alRetrainEvery'),
    alAxis: text('alAxis') as 'helpfulness' | 'safety' | undefined,
    alCap: text('alCap'),
    alExploration: text('alExploration'),
    goldRate: text('goldRate'),
    repeatRate: text('repeatRate'),
    goldThreshold: text('goldThreshold'),
    adjudicateBelow: text('adjudicateBelow'),
    consensusMethod: text('consensusMethod') as ConsensusSetting | undefined,
    qualityRefreshEvery: text('qualityRefreshEvery'),
    reliabilityWeights: check('reliabilityWeights'),
    safetySuggestions: check('safetySuggestions'),
    safetySuggestThreshold: text('safetySuggestThreshold'),
    // empty: the active model's own threshold
    safetyRiskThreshold: form.has('safetyRiskThreshold')
      ? formString(form, 'safetyRiskThreshold').trim() || 'model'
      : undefined,
    safetyTargetRecall: text('safetyTargetRecall'),
    safetyCategoryMap: text('safetyCategoryMap'),
    labelSet: text('labels')
      ?.split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  };
}

function settingsMessage(outcome: Awaited<ReturnType<typeof saveSettings>>): string {
  if (outcome.queueRefreshJobId)
    return 'Settings saved; the waiting pairs are being re-ranked with the selection policy (see Models).';
  if (outcome.prelabelJobId)
    return 'Settings saved; the waiting items are being pre-labeled again with the new cold start (see Routing).';
  const r = outcome.rerouted;
  if (!r || r.reopened + r.accepted === 0) return 'Settings saved.';
  const parts = [];
  if (r.reopened) parts.push(`${r.reopened} accepted item(s) below the new threshold went back to people`);
  if (r.accepted)
    parts.push(
      `${r.accepted} waiting item(s) were accepted${r.audited ? ` (${r.audited} drawn for audit)` : ''}`,
    );
  return `Settings saved; ${parts.join(', and ')}.`;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(request, 'lead', 'researcher', 'admin');
  const { project } = await projectOverview(params.slug ?? '');
  const form = await readForm(request);
  const intent = formString(form, 'intent');
  const actor = actorOf(user, context);
  const ok = (message: string) => json<Result>({ ok: true, intent, message });
  try {
    if (intent === 'cycle') {
      // researchers may run cycles (as they may train reward models); managing the project is for leads
      const jobId = await startCycle(actor, project.slug, {
        activate: formString(form, 'activate') as never,
      });
      return redirect(`/projects/${project.slug}?job=${jobId}#cycles-h`);
    }
    if (!hasRole(user, 'lead', 'admin'))
      throw await denyAccess(
        request,
        user,
        ['lead', 'admin'],
        'Only leads and admins manage project settings and access.',
      );
    switch (intent) {
      case 'add-member': {
        const email = formString(form, 'email');
        const added = await membership.add(project.id, email, actor);
        return ok(added ? `Added ${email}.` : `${email} is already a member.`);
      }
      case 'remove-member':
        await membership.remove(project.id, formString(form, 'email'), actor);
        return ok(`Removed ${formString(form, 'email')}.`);
      case 'settings':
        return ok(settingsMessage(await saveSettings(project.id, settingsFrom(form), actor)));
      case 'access': {
        const membersOnly = formString(form, 'membersOnly') === 'true';
        await membership.setMembersOnly(project.id, membersOnly, actor);
        return ok(membersOnly ? 'Now open to members only.' : 'Now open to every annotator.');
      }
      default:
        return json<Result>({ ok: false, fieldErrors: {}, formError: 'Unknown action.' }, { status: 400 });
    }
  } catch (error) {
    return userErrorResponse(error, {}, { intent });
  }
}

function PreferenceFigures({ data }: { data: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const { project, buckets, perDay, levels, judgedPairs } = data;
  return (
    <>
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
        y="answers"
        yLabel="Judgments"
      />
    </>
  );
}

export default function ProjectPage() {
  const data = useLoaderData<typeof loader>();
  const { project, summary, activity, members, canManage, canRunCycles, sentiment } = data;
  const result = useActionData<typeof action>() as Result | undefined;
  const preference = project.type === 'preference';
  const noun = preference ? 'pairs' : 'items';
  const failed = result && !result.ok ? result : undefined;
  const fieldError = (name: string) => failed?.fieldErrors[name];
  const settingsFailed = !!failed && failed.intent === 'settings';
  const membersIntents = ['add-member', 'remove-member', 'access'];
  return (
    <div className="page stack">
      <p className="small">
        <Link to="/projects">← All projects</Link>
      </p>
      <PageHeader
        title={project.name}
        description={
          <>
            <span className="badge">{project.type}</span> {project.slug} · {project.redundancy}{' '}
            {preference ? 'judgments per pair' : `label${project.redundancy === 1 ? '' : 's'} per item`} ·
            leases last {project.leaseMinutes} min ·{' '}
            {project.membersOnly ? 'members only' : 'open to every annotator'}
            {preference ? null : <> · labels: {project.labels.join(', ')}</>}
          </>
        }
      />
      {project.description ? <p>{project.description}</p> : null}
      {result?.ok && !membersIntents.includes(result.intent) ? (
        <div className="alert alert-success" role="status">
          {result.message}
        </div>
      ) : null}
      {canManage ? (
        <p>
          <Link to={`/projects/${project.slug}/import`} className="button">
            {preference ? 'Import prompts and responses' : 'Import texts to label'}
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
              <div className="stat-label">{preference ? 'judgments' : 'labels from people'}</div>
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
        {preference ? <PreferenceFigures data={data} /> : null}
        {sentiment ? (
          <>
            <RoutingCard
              routing={sentiment.routing}
              threshold={sentiment.settings.autoAcceptThreshold}
              activeModel={sentiment.activeModel}
              coldStart={sentiment.coldStart}
              prelabelJob={sentiment.prelabelJob}
            />
            <BarChartCard
              title="Labels per day"
              description="Labels and audits by people, the last 30 days (UTC)."
              data={data.perDay}
              x="label"
              y="answers"
              yLabel="Labels"
            />
          </>
        ) : null}
      </div>
      {sentiment ? (
        <>
          <AuditCard audits={sentiment.audits} canManage={canManage} />
          <CyclesCard
            cycles={sentiment.cycles}
            job={sentiment.job}
            canRun={canRunCycles}
            error={
              failed?.intent === 'cycle'
                ? (failed.formError ?? Object.values(failed.fieldErrors)[0])
                : undefined
            }
          />
        </>
      ) : null}
      {canManage ? <SettingsForm open={settingsFailed} fieldError={fieldError} project={project} /> : null}
      {settingsFailed ? (
        <div className="alert alert-error" role="alert">
          {failed.formError ?? Object.values(failed.fieldErrors)[0]}
        </div>
      ) : null}
      <MembersCard
        members={members}
        membersOnly={project.membersOnly}
        canManage={canManage}
        unit={noun}
        message={result?.ok && membersIntents.includes(result.intent) ? result.message : undefined}
        error={
          failed && (!failed.intent || membersIntents.includes(failed.intent))
            ? (failed.formError ?? Object.values(failed.fieldErrors)[0])
            : undefined
        }
      />
    </div>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
