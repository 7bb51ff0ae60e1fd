import type { Translate } from './i18n.ts';
import type { RoleName } from './types.ts';

/** The roles the server knows (src/contracts/auth.ts), repeated here so no zod code enters the bundle. */
export const roleNames: readonly RoleName[] = [
  'ministry_official',
  'department_official',
  'enterprise_user',
  'oversight',
  'operator',
];

function isRoleName(value: string): value is RoleName {
  return (roleNames as readonly string[]).includes(value);
}

/** A role in the reader's language; anything else (e.g. the system's own actor) as it is. */
export function roleLabel(t: Translate, role: string): string {
  return isRoleName(role) ? t(`role.${role}`) : role;
}
