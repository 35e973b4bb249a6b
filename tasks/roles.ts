import { ROLES, type Role } from '../db/schema';

export { ROLES, type Role };

export const ROLE_LABELS: Record<Role, string> = {
  annotator: 'Annotator',
  safety_reviewer: 'Safety reviewer',
  researcher: 'Researcher',
  lead: 'Lead',
  admin: 'Admin',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  annotator: 'Compares responses and labels items in the projects open to them.',
  safety_reviewer: 'Reviews flagged responses and decides on safety flags.',
  researcher: 'Exports datasets, trains and evaluates models, uses the API.',
  lead: 'Sets up projects, imports data, watches quality and calibration.',
  admin: 'Manages users, roles and tokens; reads the audit log.',
};

export function hasRole(user: { roles: readonly string[] }, ...roles: Role[]): boolean {
  return roles.some((role) => user.roles.includes(role));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
