/**
 * Who may open each route, and who may post to it. The role-matrix test reads the routes from the
 * server build and fails for any route missing here (or whose `action` rule says "none" while the
 * route exports an action, or the other way round), so a new screen cannot ship without a decision
 * about who sees it and who may change things through it.
 */
import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema';
import { createProject } from '../../tasks/projects';
import { makePreferenceProject } from '../setup/factories';

export type Actor = 'anonymous' | Role;

export type AccessRule =
  /** anyone; `signedIn` is the status a signed-in user gets instead of 200 (e.g. login redirects home) */
  | { kind: 'public'; signedIn?: number }
  | { kind: 'signed-in' }
  /** `resource`: a download (no page), so a refusal is the status and a JSON reason, not the 403 page */
  | { kind: 'roles'; roles: Role[]; resource?: boolean }
  /** JSON API: bearer token only; browsers with cookies and anonymous callers get 401 */
  | { kind: 'token' }
  | { kind: 'not-found' }
  /** an action-only route: GET redirects home */
  | { kind: 'post-only' };

/**
 * Who may POST to a route. `status` is what a permitted caller gets for an empty form: the action
 * ran and refused the input (400/404) or redirected; never 500, and never the role's 403.
 */
export type ActionRule =
  /** the route exports no action: every POST answers 405, whoever sends it */
  | { kind: 'none' }
  /** `signedIn`: what a signed-in caller gets instead (the login page sends them home) */
  | { kind: 'public'; status: number; signedIn?: number }
  | { kind: 'signed-in'; status: number }
  /** `resource`: an action without a page, so a refusal is the status and a JSON reason */
  | { kind: 'roles'; roles: Role[]; status: number; resource?: boolean }
  /** JSON API: bearer token only; cookies and anonymous callers get 401 */
  | { kind: 'token' }
  | { kind: 'not-found' };

export interface RouteCase {
  rule: AccessRule;
  action: ActionRule;
  /** the URL to request; `:userId`, `:projectSlug`, `:pairId`, `:itemId` and `:exportId` are replaced with real ones */
  path: string;
}

export const ROUTE_ACCESS: Record<string, RouteCase> = {
  'routes/_index': { rule: { kind: 'signed-in' }, path: '/', action: { kind: 'none' } },
  'routes/login': {
    rule: { kind: 'public', signedIn: 302 },
    path: '/login',
    action: { kind: 'public', status: 400, signedIn: 302 },
  },
  'routes/logout': { rule: { kind: 'post-only' }, path: '/logout', action: { kind: 'public', status: 302 } },
  'routes/invite.$token': {
    rule: { kind: 'public' },
    path: '/invite/not-a-real-token',
    action: { kind: 'public', status: 400 },
  },
  'routes/healthz': { rule: { kind: 'public' }, path: '/healthz', action: { kind: 'none' } },
  'routes/account': {
    rule: { kind: 'signed-in' },
    path: '/account',
    action: { kind: 'signed-in', status: 400 },
  },
  'routes/compare': {
    rule: { kind: 'roles', roles: ['annotator'] },
    path: '/compare',
    action: { kind: 'roles', roles: ['annotator'], status: 400 },
  },
  'routes/pairs.$pairId': {
    rule: { kind: 'roles', roles: ['lead', 'safety_reviewer', 'researcher', 'admin'] },
    path: '/pairs/:pairId',
    action: { kind: 'roles', roles: ['lead'], status: 400 },
  },
  'routes/items.$itemId': {
    rule: { kind: 'roles', roles: ['lead', 'safety_reviewer', 'researcher', 'admin'] },
    path: '/items/:itemId',
    action: { kind: 'roles', roles: ['lead'], status: 400 },
  },
  'routes/review': {
    rule: { kind: 'roles', roles: ['safety_reviewer'] },
    path: '/review',
    action: { kind: 'roles', roles: ['safety_reviewer'], status: 400 },
  },
  'routes/review_.labels': {
    rule: { kind: 'post-only' },
    path: '/review/labels',
    action: { kind: 'roles', roles: ['safety_reviewer'], status: 302, resource: true },
  },
  'routes/adjudicate': {
    rule: { kind: 'roles', roles: ['lead', 'safety_reviewer'] },
    path: '/adjudicate',
    action: { kind: 'roles', roles: ['lead', 'safety_reviewer'], status: 404 },
  },
  'routes/calibration': {
    rule: { kind: 'roles', roles: ['lead'] },
    path: '/calibration',
    action: { kind: 'roles', roles: ['lead'], status: 404 },
  },
  'routes/calibration_.$annotatorId': {
    rule: { kind: 'roles', roles: ['lead'] },
    path: '/calibration/:userId?project=:projectSlug',
    action: { kind: 'none' },
  },
  'routes/calibration_.export': {
    rule: { kind: 'roles', roles: ['lead'], resource: true },
    path: '/calibration/export?project=:projectSlug&format=csv',
    action: { kind: 'none' },
  },
  'routes/compare_.history': {
    rule: { kind: 'roles', roles: ['annotator'] },
    path: '/compare/history',
    action: { kind: 'roles', roles: ['annotator'], status: 404 },
  },
  'routes/label': {
    rule: { kind: 'roles', roles: ['annotator'] },
    path: '/label',
    action: { kind: 'roles', roles: ['annotator'], status: 400 },
  },
  'routes/label_.history': {
    rule: { kind: 'roles', roles: ['annotator'] },
    path: '/label/history',
    action: { kind: 'roles', roles: ['annotator'], status: 404 },
  },
  'routes/projects._index': {
    rule: { kind: 'roles', roles: ['lead', 'researcher', 'admin'] },
    path: '/projects',
    action: { kind: 'roles', roles: ['lead', 'admin'], status: 400 },
  },
  'routes/projects.$slug': {
    rule: { kind: 'roles', roles: ['lead', 'researcher', 'admin'] },
    path: '/projects/:projectSlug',
    action: { kind: 'roles', roles: ['lead', 'admin'], status: 400 },
  },
  'routes/projects.$slug_.import': {
    rule: { kind: 'roles', roles: ['lead', 'admin'] },
    path: '/projects/:projectSlug/import',
    action: { kind: 'roles', roles: ['lead', 'admin'], status: 400 },
  },
  'routes/exports': {
    rule: { kind: 'roles', roles: ['researcher', 'lead', 'admin'] },
    path: '/exports',
    action: { kind: 'roles', roles: ['researcher', 'lead', 'admin'], status: 400 },
  },
  'routes/exports_.$exportId': {
    rule: { kind: 'roles', roles: ['researcher', 'lead', 'admin'] },
    path: '/exports/:exportId',
    action: { kind: 'none' },
  },
  'routes/exports_.$exportId_.download': {
    rule: { kind: 'roles', roles: ['researcher', 'lead', 'admin'], resource: true },
    path: '/exports/:exportId/download',
    action: { kind: 'none' },
  },
  'routes/models': {
    rule: { kind: 'roles', roles: ['lead', 'researcher', 'admin'] },
    path: '/models',
    action: { kind: 'roles', roles: ['lead', 'researcher', 'admin'], status: 400 },
  },
  'routes/admin.users._index': {
    rule: { kind: 'roles', roles: ['admin'] },
    path: '/admin/users',
    action: { kind: 'roles', roles: ['admin'], status: 400 },
  },
  'routes/admin.users.$userId': {
    rule: { kind: 'roles', roles: ['admin'] },
    path: '/admin/users/:userId',
    action: { kind: 'roles', roles: ['admin'], status: 400 },
  },
  'routes/admin.audit': {
    rule: { kind: 'roles', roles: ['admin'] },
    path: '/admin/audit',
    action: { kind: 'none' },
  },
  'routes/api.v1.me': { rule: { kind: 'token' }, path: '/api/v1/me', action: { kind: 'none' } },
  'routes/api.v1.projects': { rule: { kind: 'token' }, path: '/api/v1/projects', action: { kind: 'none' } },
  'routes/api.v1.$': {
    rule: { kind: 'not-found' },
    path: '/api/v1/no-such-endpoint',
    action: { kind: 'not-found' },
  },
  'routes/api.v1.projects_.$slug.exports': {
    rule: { kind: 'token' },
    path: '/api/v1/projects/:projectSlug/exports',
    action: { kind: 'token' },
  },
  'routes/api.v1.projects_.$slug.score': {
    rule: { kind: 'token' },
    path: '/api/v1/projects/:projectSlug/score',
    action: { kind: 'token' },
  },
  'routes/api.v1.exports.$exportId': {
    rule: { kind: 'token' },
    path: '/api/v1/exports/:exportId',
    action: { kind: 'none' },
  },
  'routes/api.v1.exports.$exportId_.download': {
    rule: { kind: 'token' },
    path: '/api/v1/exports/:exportId/download',
    action: { kind: 'none' },
  },
  'routes/api.v1.pairs.$pairId.consensus': {
    rule: { kind: 'token' },
    path: '/api/v1/pairs/:pairId/consensus',
    action: { kind: 'none' },
  },
  'routes/api.v1.openapi[.]json': {
    rule: { kind: 'public' },
    path: '/api/v1/openapi.json',
    action: { kind: 'none' },
  },
  'routes/$': { rule: { kind: 'not-found' }, path: '/no-such-page', action: { kind: 'none' } },
};

/** The status `actor` must get for a GET of a route with `rule`. */
export function expectedStatus(rule: AccessRule, actor: Actor): number {
  switch (rule.kind) {
    case 'public':
      return actor === 'anonymous' ? 200 : (rule.signedIn ?? 200);
    case 'signed-in':
      return actor === 'anonymous' ? 302 : 200;
    case 'roles':
      return actor === 'anonymous' ? 302 : rule.roles.includes(actor) ? 200 : 403;
    case 'token':
      return 401;
    case 'not-found':
      return 404;
    case 'post-only':
      return 302;
  }
}

/** The status `actor` must get for a POST of an empty (same-origin) form to a route with `rule`. */
export function expectedActionStatus(rule: ActionRule, actor: Actor): number {
  switch (rule.kind) {
    case 'none':
      return 405;
    case 'public':
      return actor === 'anonymous' ? rule.status : (rule.signedIn ?? rule.status);
    case 'signed-in':
      return actor === 'anonymous' ? 302 : rule.status;
    case 'roles':
      return actor === 'anonymous' ? 302 : rule.roles.includes(actor) ? rule.status : 403;
    case 'token':
      return 401;
    case 'not-found':
      return 404;
  }
}

/** The real ids a route table path names (`:projectSlug` and so on). */
export interface RouteIds {
  userId: string;
  projectSlug: string;
  projectId: string;
  pairId: string;
  itemId: string;
  exportId: string;
}

/**
 * A preference project with one pair and a ready (empty) export snapshot, and a sentiment item, so
 * that every path in ROUTE_ACCESS names something real. `userId` is left for the caller to set.
 */
export async function seedRouteIds(db: Kysely<Database>): Promise<RouteIds> {
  const project = await makePreferenceProject(db, { prompts: [{}] });
  const pair = await db
    .selectFrom('pairs')
    .select('id')
    .where('project_id', '=', project.id)
    .executeTakeFirstOrThrow();
  const sentiment = await createProject(
    db,
    { slug: `${project.slug}-items`, name: `${project.slug} items`, type: 'sentiment' },
    {},
  );
  const item = await db
    .insertInto('sentiment_items')
    .values({ project_id: sentiment.id, text: 'A fine day.', content_hash: `${project.slug}-item` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const snapshot = await db
    .insertInto('exports')
    .values({
      project_id: project.id,
      format: 'trl',
      status: 'ready',
      row_count: 0,
      byte_size: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    userId: '',
    projectSlug: project.slug,
    projectId: project.id,
    pairId: pair.id,
    itemId: item.id,
    exportId: snapshot.id,
  };
}

/** A route table path with its placeholders replaced by `ids`. */
export function fillPath(template: string, ids: RouteIds): string {
  return template
    .replace(':userId', ids.userId)
    .replace(':projectSlug', ids.projectSlug)
    .replace(':pairId', ids.pairId)
    .replace(':itemId', ids.itemId)
    .replace(':exportId', ids.exportId);
}
