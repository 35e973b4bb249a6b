import type { Role } from '../../db/schema';

/** The main navigation; each item shows for the roles that can use its screen. */
export interface NavItem {
  to: string;
  label: string;
  roles: Role[] | 'all';
}

export const NAV_ITEMS: NavItem[] = [
  { to: '/', label: 'Home', roles: 'all' },
  { to: '/compare', label: 'Compare', roles: ['annotator'] },
  { to: '/label', label: 'Label', roles: ['annotator'] },
  { to: '/review', label: 'Review', roles: ['safety_reviewer'] },
  { to: '/adjudicate', label: 'Adjudicate', roles: ['lead', 'safety_reviewer'] },
  { to: '/calibration', label: 'Calibration', roles: ['lead'] },
  { to: '/projects', label: 'Projects', roles: ['lead', 'researcher', 'admin'] },
  { to: '/models', label: 'Models', roles: ['lead', 'researcher', 'admin'] },
  { to: '/exports', label: 'Exports', roles: ['lead', 'researcher', 'admin'] },
  { to: '/admin/users', label: 'Users', roles: ['admin'] },
  { to: '/admin/audit', label: 'Audit log', roles: ['admin'] },
  { to: '/account', label: 'Account', roles: 'all' },
];

export function navFor(roles: readonly string[]): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles === 'all' || item.roles.some((r) => roles.includes(r)));
}
