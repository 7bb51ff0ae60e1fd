import type { Translate } from '../../shared/i18n.ts';
import type { User } from '../../shared/types.ts';

/** Who decides a grant, as the operator tells the person waiting: the authority, or oversight. */
export function approverName(t: Translate, grant: NonNullable<User['grant']>): string {
  return grant.approver_authority_name ?? grant.approver_authority_id ?? t('users.approverOversight');
}
