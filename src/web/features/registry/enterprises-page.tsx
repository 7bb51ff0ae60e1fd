import { Button, Card, Flex, Input, Select, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { API_BASE, queryString } from '../../shared/api.ts';
import { formatTonnes } from '../../shared/format.ts';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import type { Enterprise, EnterpriseKind, Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { KindTag, ScopeTags } from './registry-tags.tsx';

const kinds: readonly EnterpriseKind[] = ['mining', 'separation', 'both'];
const DEFAULT_PAGE_SIZE = 20;

function columns(t: Translate): TableColumnsType<Enterprise> {
  return [
    {
      title: t('enterprise.name'),
      dataIndex: 'name',
      width: 220,
      fixed: 'left',
      render: (name: string, enterprise) => <Link to={`/enterprises/${enterprise.id}`}>{name}</Link>,
    },
    {
      title: t('enterprise.creditCode'),
      dataIndex: 'credit_code',
      render: (code: string) => <code>{code}</code>,
      width: 180,
    },
    {
      title: t('enterprise.kind'),
      dataIndex: 'kind',
      render: (kind: EnterpriseKind) => <KindTag kind={kind} />,
      width: 140,
    },
    {
      title: t('enterprise.domicile'),
      dataIndex: 'domicile_name',
      width: 110,
      render: (name: string, enterprise) => (
        <Flex vertical>
          <span>{name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {enterprise.domicile_code}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('enterprise.group'),
      dataIndex: 'group_name',
      width: 120,
      render: (name: string | null) => name ?? '—',
      ellipsis: { showTitle: true },
    },
    {
      title: t('enterprise.miningCapacityShort'),
      dataIndex: 'mining_capacity_reo_kg_per_year',
      align: 'right',
      width: 110,
      render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
    },
    {
      title: t('enterprise.separationCapacityShort'),
      dataIndex: 'separation_capacity_reo_kg_per_year',
      align: 'right',
      width: 120,
      render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
    },
    {
      title: t('enterprise.designatedScopes'),
      dataIndex: 'designated_scopes',
      render: (scopes: Enterprise['designated_scopes']) => <ScopeTags scopes={scopes} />,
    },
  ];
}

/** The list's filters live in the address, so a filtered list can be bookmarked, shared and gone back to. */
function useFilters() {
  const [params, setParams] = useSearchParams();
  const kindParam = params.get('kind');
  const filters = {
    q: params.get('q') ?? '',
    kind: kinds.find((kind) => kind === kindParam) ?? null,
    page: Math.max(1, Number(params.get('page')) || 1),
    pageSize: Math.min(200, Math.max(1, Number(params.get('page_size')) || DEFAULT_PAGE_SIZE)),
  };
  const update = (change: Partial<typeof filters>) => {
    const next = { ...filters, ...change };
    const text = queryString({
      q: next.q,
      kind: next.kind,
      page: next.page > 1 ? next.page : null,
      page_size: next.pageSize !== DEFAULT_PAGE_SIZE ? next.pageSize : null,
    });
    setParams(new URLSearchParams(text.slice(1)), { replace: true });
  };
  return { filters, update };
}

export function EnterprisesPage() {
  const t = useTranslate();
  const { can } = useSession();
  const { filters, update } = useFilters();
  const listQuery = { q: filters.q, kind: filters.kind };
  const enterprises = useApi<Page<Enterprise>>('/enterprises', {
    ...listQuery,
    page: filters.page,
    page_size: filters.pageSize,
  });
  const exportHref = `${API_BASE}/enterprises/export.csv${queryString(listQuery)}`;

  return (
    <>
      <PageHeader
        title={t('enterprises.title')}
        subtitle={t('enterprises.subtitle')}
        extra={
          <>
            <Button icon={<DownloadOutlined />} href={exportHref} download="enterprises.csv">
              {t('common.exportCsv')}
            </Button>
            {can('enterprise.write') ? (
              <Link to="/enterprises/new">
                <Button type="primary" icon={<PlusOutlined />}>
                  {t('enterprises.create')}
                </Button>
              </Link>
            ) : null}
          </>
        }
      />
      <Card>
        <Flex gap="small" wrap style={{ marginBottom: 16 }}>
          <Input.Search
            key={filters.q}
            defaultValue={filters.q}
            allowClear
            enterButton={t('common.search')}
            placeholder={t('enterprises.searchPlaceholder')}
            onSearch={(value) => update({ q: value.trim(), page: 1 })}
            style={{ maxWidth: 420 }}
            data-testid="enterprise-search"
          />
          <Select<EnterpriseKind>
            allowClear
            placeholder={t('enterprise.kind')}
            value={filters.kind}
            onChange={(kind) => update({ kind: kind ?? null, page: 1 })}
            options={kinds.map((kind) => ({ value: kind, label: t(`enterpriseKind.${kind}`) }))}
            style={{ width: 200 }}
            data-testid="enterprise-kind-filter"
          />
        </Flex>
        <ProblemAlert error={enterprises.error} />
        <Table<Enterprise>
          rowKey="id"
          size="middle"
          loading={enterprises.loading}
          columns={columns(t)}
          dataSource={enterprises.data?.items ?? []}
          scroll={{ x: 1110 }}
          pagination={{
            current: filters.page,
            pageSize: filters.pageSize,
            total: enterprises.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (page, pageSize) => update({ page, pageSize }),
          }}
        />
      </Card>
    </>
  );
}
