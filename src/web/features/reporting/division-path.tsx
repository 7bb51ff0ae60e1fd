import { Breadcrumb } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { useCurrentUser } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { NATION, type DivisionDetail } from './reporting-types.ts';

export interface PathItem {
  readonly code: string;
  readonly name: string;
}

/**
 * The divisions from the reader's own (the nation for the ministries and oversight) down to `code`, and the
 * division above `code` (whose officials compile it, and may return its compilation).
 */
export function useDivisionPath(code: string): { path: PathItem[]; parent: string | null } {
  const t = useTranslate();
  const user = useCurrentUser();
  const detail = useApi<DivisionDetail>(code === NATION ? null : `/divisions/${code}`);
  const nation = { code: NATION, name: t('reportLevel.nation') };
  if (code === NATION) return { path: [nation], parent: null };
  const known = detail.data?.code === code ? detail.data : undefined;
  const full = [nation, ...(known?.path ?? [{ code, name: code }])];
  const from = user.division_code ? full.findIndex((item) => item.code === user.division_code) : 0;
  return {
    path: full.slice(Math.max(0, from)).map(({ code: itemCode, name }) => ({ code: itemCode, name })),
    parent: known ? (known.parent_code ?? NATION) : null,
  };
}

/** 全国 / 江西省 / 赣州市 / 龙南市, each a link to the same view one level up. */
export function DivisionBreadcrumb({
  path,
  linkTo,
}: {
  readonly path: readonly PathItem[];
  readonly linkTo: (code: string) => string;
}) {
  return (
    <Breadcrumb
      data-testid="division-path"
      style={{ marginBottom: 12 }}
      items={path.map((item, index) => ({
        key: item.code,
        title: index === path.length - 1 ? item.name : <Link to={linkTo(item.code)}>{item.name}</Link>,
      }))}
    />
  );
}
