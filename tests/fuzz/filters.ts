/**
 * Every query-string parameter a page or the API reads (project pickers, page numbers, ids of the
 * selected unit, job or version, audit filters, export formats), plus unknown ones, with SQL and
 * LIKE metacharacters, repeated keys, malformed percent-encoding and very long values, as the role
 * that opens the page. Rules: never a 5xx; and the audit log's event filter, the one text filter,
 * shows only entries of the event it says it filters by (so "%" or "_" cannot widen it).
 */
import fc from 'fast-check';
import { hostileString } from './arbitraries';
import { encodePart } from './form-values';
import { rawRequest } from './http';
import { FuzzViolation, shown, type FamilySpec } from './runner';
import { makeWorld, type Actor, type FuzzTarget, type World } from './world';

interface Page {
  path: string;
  routeId: string | null;
  actor: Actor | 'token';
  params: Record<string, string[]>;
}

export interface FilterInput {
  page: number;
  query: [string, string][];
  /** a raw query string appended as it is (malformed percent-encoding and all) */
  raw: string;
  asData: boolean;
}

function pages(w: World): Page[] {
  const slugs = [w.preference.slug, w.sentiment.slug];
  const ids = w.known.ids;
  return [
    {
      path: '/adjudicate',
      routeId: 'routes/adjudicate',
      actor: 'lead',
      params: {
        project: slugs,
        unit: ids,
        page: ['1', '2', '0', '-1', '1e9', '1e20', '4e17'],
        decided: ['0', '1'],
        saved: ['1'],
      },
    },
    {
      path: '/admin/audit',
      routeId: 'routes/admin.audit',
      actor: 'admin',
      params: {
        before: ['1', '100', '0', '-5', '1e20', '9223372036854775808'],
        event: ['login.failed', 'project.created', 'token.used', '%', '_', 'login_failed'],
      },
    },
    { path: '/calibration', routeId: 'routes/calibration', actor: 'lead', params: { project: slugs } },
    {
      path: `/calibration/${w.users.annotator.id}`,
      routeId: 'routes/calibration_.$annotatorId',
      actor: 'lead',
      params: { project: slugs },
    },
    {
      path: '/calibration/export',
      routeId: null,
      actor: 'lead',
      params: { project: slugs, format: ['csv', 'json', 'xml'] },
    },
    { path: '/compare', routeId: 'routes/compare', actor: 'annotator', params: { project: slugs } },
    {
      path: '/compare/history',
      routeId: 'routes/compare_.history',
      actor: 'annotator',
      params: { edit: w.preference.judgmentIds },
    },
    {
      path: '/label',
      routeId: 'routes/label',
      actor: 'annotator',
      params: { project: slugs, saved: ['positive'] },
    },
    { path: '/label/history', routeId: 'routes/label_.history', actor: 'annotator', params: {} },
    { path: '/exports', routeId: 'routes/exports', actor: 'researcher', params: { project: slugs } },
    {
      path: '/models',
      routeId: 'routes/models',
      actor: 'lead',
      params: { project: slugs, job: ids, version: ['1', '2', 'latest'] },
    },
    {
      path: '/review',
      routeId: 'routes/review',
      actor: 'safety_reviewer',
      params: { project: slugs, response: ids, saved: ['1'], training: ['1'], labelError: ['x'] },
    },
    {
      path: `/projects/${w.preference.slug}`,
      routeId: 'routes/projects.$slug',
      actor: 'lead',
      params: { job: ids },
    },
    {
      path: `/projects/${w.sentiment.slug}`,
      routeId: 'routes/projects.$slug',
      actor: 'lead',
      params: { job: ids },
    },
    {
      path: `/projects/${w.preference.slug}/import`,
      routeId: 'routes/projects.$slug_.import',
      actor: 'lead',
      params: { job: ids },
    },
    { path: '/projects', routeId: 'routes/projects._index', actor: 'researcher', params: {} },
    { path: '/admin/users', routeId: 'routes/admin.users._index', actor: 'admin', params: {} },
    { path: `/pairs/${w.preference.pairIds[0]}`, routeId: 'routes/pairs.$pairId', actor: 'lead', params: {} },
    { path: `/items/${w.sentiment.itemIds[0]}`, routeId: 'routes/items.$itemId', actor: 'lead', params: {} },
    {
      path: '/login',
      routeId: 'routes/login',
      actor: 'anonymous',
      params: { redirectTo: ['/', '//evil.example', '/projects'] },
    },
    { path: '/', routeId: 'routes/_index', actor: 'researcher', params: {} },
    { path: '/api/v1/projects', routeId: null, actor: 'token', params: {} },
    {
      path: `/api/v1/projects/${w.preference.slug}/exports`,
      routeId: null,
      actor: 'token',
      params: { limit: ['10'] },
    },
    { path: '/api/v1/me', routeId: null, actor: 'token', params: {} },
  ];
}

const SORT_AND_PAGE = ['page', 'limit', 'offset', 'sort', 'order', 'q', 'search', 'filter', 'per_page'];

function inputs(list: Page[]): fc.Arbitrary<FilterInput> {
  return fc.integer({ min: 0, max: list.length - 1 }).chain((page) => {
    const params = list[page]!.params;
    const names = [...Object.keys(params), ...SORT_AND_PAGE];
    const value = (name: string) =>
      fc.oneof(
        { weight: 3, arbitrary: params[name]?.length ? fc.constantFrom(...params[name]!) : hostileString() },
        { weight: 2, arbitrary: hostileString({ long: [3000] }) },
      );
    const pair = fc
      .constantFrom(...names)
      .chain((name) => value(name).map((v): [string, string] => [name, v]));
    return fc.record({
      page: fc.constant(page),
      // repeated keys happen naturally: the same name may be drawn twice
      query: fc.array(pair, { maxLength: 5 }),
      raw: fc.oneof(
        { weight: 5, arbitrary: fc.constant('') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '%',
            'project=%zz',
            'page=%E0%A4%A',
            'a=%C0%AF',
            '&&&=&',
            'project[]=x',
            '%00=1',
          ),
        },
      ),
      asData: fc.boolean(),
    });
  });
}

/** The filters family: hostile query strings on every page and API list that reads one. */
export async function filterFamily(target: FuzzTarget): Promise<FamilySpec<FilterInput>> {
  const world = await makeWorld(target, 'filters');
  const list = pages(world);
  return {
    family: 'filters: query strings on pages and API lists',
    arbitrary: inputs(list),
    examples: [
      // found by fuzzing: a unit that is not a UUID failed the page's query schema (a 500)
      { page: 0, query: [['unit', "' OR 1=1 --"]], raw: '', asData: false },
      { page: 0, query: [['page', '1e20']], raw: '', asData: false },
      { page: 1, query: [['before', '1e20']], raw: '', asData: true },
      // "%" and "_" as the audit log's event filter (LIKE wildcards, were it a pattern)
      { page: 1, query: [['event', '%']], raw: '', asData: true },
      { page: 1, query: [['event', 'login_failed']], raw: '', asData: true },
    ],
    async check(input) {
      const page = list[input.page]!;
      const search = [
        ...input.query.map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`),
        ...(input.raw ? [input.raw] : []),
        ...(input.asData && page.routeId ? [`_data=${encodeURIComponent(page.routeId)}`] : []),
      ].join('&');
      const url = `${page.path}${search ? `?${search}` : ''}`;
      const response =
        page.actor === 'token'
          ? await rawRequest(
              `${target.url}${url}`,
              'GET',
              { Authorization: `Bearer ${world.tokens.all}` },
              null,
            )
          : await (await world.client(page.actor)).get(url);
      const body = response.text;
      if (response.status >= 500)
        throw new FuzzViolation('server-error', `${response.status} from GET ${url}: ${body.slice(0, 400)}`);
      if (page.path === '/admin/audit' && input.asData && response.status === 200) {
        const data = JSON.parse(body) as { event: string; entries: { event: string }[] };
        const other = data.entries.find((e) => data.event && e.event !== data.event);
        if (other)
          throw new FuzzViolation(
            'unexpected',
            `the audit filter "${data.event}" (from ${shown(input.query)}) listed a "${other.event}" entry`,
          );
      }
      return {
        outcome: `${Math.floor(response.status / 100)}xx`,
        detail: `GET ${page.path.replace(/[0-9a-f-]{36}|p-[0-9a-f]{8}|fuzz-s-[\w-]+/g, ':id')} ${response.status}`,
      };
    },
  };
}
