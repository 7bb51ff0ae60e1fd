import type { ReactNode } from 'react';
import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';
import { RequirePermission } from '../../shared/guards.tsx';
import { useTranslate } from '../../shared/i18n.ts';
import { useCurrentUser } from '../../shared/session.tsx';

/**
 * Jurisdiction-wide views (the status board, compilations, reconciliation, the dashboard): a permission, and
 * a user who does not belong to an enterprise — the server answers an enterprise's user with 403 there.
 */
export function RequireOfficial({
  permission,
  children,
}: {
  readonly permission: string;
  readonly children: ReactNode;
}) {
  const user = useCurrentUser();
  const t = useTranslate();
  if (user.enterprise_id)
    return (
      <Result
        status="403"
        title={t('guard.forbiddenTitle')}
        subTitle={t('guard.forbiddenText')}
        extra={
          <Link to="/">
            <Button type="primary">{t('nav.home')}</Button>
          </Link>
        }
      />
    );
  return <RequirePermission permission={permission}>{children}</RequirePermission>;
}
