/**
 * Who may open each route. The role-matrix test reads the routes from the server build and fails
 * for any route missing here, so a new screen cannot ship without a decision about who sees it.
 */
import type { Role } from '../../db/schema';

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

export interface RouteCase {
  rule: AccessRule;
  /** the URL to request; `:userId`, `:projectSlug`, `:pairId`, `:itemId` and `:exportId` are replaced with real ones */
  path: string;
}

export const ROUTE_ACCESS: Record<string, RouteCase> = {
  'routes/_index': { rule: { kind: 'signed-in' }, path: '/' },
  'routes/login': { rule: { kind: 'public', signedIn: 302 }, path: '/login' },
  'routes/logout': { rule: { kind: 'post-only' }, path: '/logout' },
  'routes/invite.$token': { rule: { kind: 'public' }, path: '/invite/not-a-real-token' },
  'routes/healthz': { rule: { kind: 'public' }, path: '/healthz' },
  'routes/account': { rule: { kind: 'signed-in' }, path: '/account' },
  'routes/compare': { rule: { kind: 'roles', roles: ['annotator'] }, path: '/compare' },
  'routes/pairs.$pairId': {
    rule: { kind: 'roles', roles: ['lead', 'safety_reviewer', 'researcher', 'admin'] },
    path: '/pairs/:pairId',
  },
  'routes/items.$itemId': {
    rule: { kind: 'roles', roles: ['lead', 'safety_reviewer', 'researcher', 'admin'] },
    path: '/items/:itemId',
  },
  'routes/review': { rule: { kind: 'roles', roles: ['safety_reviewer'] }, path: '/review' },
  'routes/review_.labels': { rule: { kind: 'post-only' }, path: '/review/labels' },
  'routes/adjudicate': { rule: { kind: 'roles', roles: ['lead', 'safety_reviewer'] }, path: '/adjudicate' },
  'routes/calibration': { rule: { kind: 'roles', roles: ['lead'] }, path: '/calibration' },
  'routes/calibration_.$annotatorId': {
    rule: { kind: 'roles', roles: ['lead'] },
    path: '/calibration/:userId?project=:projectSlug',
  },
  'routes/calibration_.export': {
    rule: { kind: 'roles', roles: ['lead'], resource: true },
    path: '/calibration/export?project=:projectSlug&format=csv',
  },
  'routes/compare_.history': { rule: { kind: 'roles', roles: ['annotator'] }, path: '/compare/history' },
  'routes/label': { rule: { kind: 'roles', roles: ['annotator'] }, path: '/label' },
  'routes/label_.history': { rule: { kind: 'roles', roles: ['annotator'] }, path: '/label/history' },
  'routes/projects._index': {
    rule: { kind: 'roles', roles: ['lead', 'researcher', 'admin'] },
    path: '/projects',
  },
  'routes/projects.$slug': {
    rule: { kind: 'roles', roles: ['lead', 'researcher', 'admin'] },
    path: '/projects/:projectSlug',
  },
  'routes/projects.$slug_.import': {
    rule: { kind: 'roles', roles: ['lead', 'admin'] },
    path: '/projects/:projectSlug/import',
  },
  'routes/exports': { rule: { kind: 'roles', roles: ['researcher', 'lead', 'admin'] }, path: '/exports' },
  'routes/exports_.$exportId': {
    rule: { kind: 'roles', roles: ['researcher', 'lead', 'admin'] },
    path: '/exports/:exportId',
  },
  'routes/exports_.$exportId_.download': {
    rule: { kind: 'roles', roles: ['researcher', 'lead', 'admin'], resource: true },
    path: '/exports/:exportId/download',
  },
  'routes/models': { rule: { kind: 'roles', roles: ['lead', 'researcher', 'admin'] }, path: '/models' },
  'routes/admin.users._index': { rule: { kind: 'roles', roles: ['admin'] }, path: '/admin/users' },
  'routes/admin.users.$userId': { rule: { kind: 'roles', roles: ['admin'] }, path: '/admin/users/:userId' },
  'routes/admin.audit': { rule: { kind: 'roles', roles: ['admin'] }, path: '/admin/audit' },
  'routes/api.v1.me': { rule: { kind: 'token' }, path: '/api/v1/me' },
  'routes/api.v1.projects': { rule: { kind: 'token' }, path: '/api/v1/projects' },
  'routes/api.v1.$': { rule: { kind: 'not-found' }, path: '/api/v1/no-such-endpoint' },
  'routes/api.v1.projects_.$slug.exports': {
    rule: { kind: 'token' },
    path: '/api/v1/projects/:projectSlug/exports',
  },
  'routes/api.v1.projects_.$slug.score': {
    rule: { kind: 'token' },
    path: '/api/v1/projects/:projectSlug/score',
  },
  'routes/api.v1.exports.$exportId': { rule: { kind: 'token' }, path: '/api/v1/exports/:exportId' },
  'routes/api.v1.exports.$exportId_.download': {
    rule: { kind: 'token' },
    path: '/api/v1/exports/:exportId/download',
  },
  'routes/api.v1.pairs.$pairId.consensus': {
    rule: { kind: 'token' },
    path: '/api/v1/pairs/:pairId/consensus',
  },
  'routes/api.v1.openapi[.]json': { rule: { kind: 'public' }, path: '/api/v1/openapi.json' },
  'routes/$': { rule: { kind: 'not-found' }, path: '/no-such-page' },
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
