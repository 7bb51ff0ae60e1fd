import type { ReactNode } from 'react';
import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslate } from './i18n.ts';
import { useSession } from './session.tsx';

/** A page the user's permissions do not cover says so, instead of showing the server's 403 rows. */
export function RequirePermission({
  permission,
  children,
}: {
  readonly permission: string;
  readonly children: ReactNode;
}) {
  const { can } = useSession();
  const t = useTranslate();
  if (can(permission)) return children;
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
}

export function NotFoundPage() {
  const t = useTranslate();
  return (
    <Result
      status="404"
      title={t('guard.notFoundTitle')}
      subTitle={t('guard.notFoundText')}
      extra={
        <Link to="/">
          <Button type="primary">{t('nav.home')}</Button>
        </Link>
      }
    />
  );
}
