import { useState } from 'react';
import { Button, Card, Flex, Segmented, Select, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import type { Designation, DesignationStatus, Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { CreateDesignationModal, RevokeDesignationModal } from './designation-modals.tsx';
import { DesignationStatusTag } from './registry-tags.tsx';

type StatusFilter = DesignationStatus | 'all';
type Scope = Designation['scope'];
const statuses: readonly DesignationStatus[] = ['active', 'pending', 'revoked'];
const scopes: readonly Scope[] = ['mining', 'separation'];

function columns(t: Translate, onRevoke: ((designation: Designation) => void) | null): TableColumnsType<Designation> {
  // Document numbers and dates read badly when wrapped; the table scrolls sideways instead.
  const noWrap = (text: string) => <span style={{ whiteSpace: 'nowrap' }}>{text}</span>;
  const base: TableColumnsType<Designation> = [
    {
      title: t('enterprise.name'),
      dataIndex: 'enterprise_name',
      width: 260,
      render: (name: string, designation) => <Link to={`/enterprises/${designation.enterprise_id}`}>{name}</Link>,
    },
    {
      title: t('enterprise.creditCode'),
      dataIndex: 'credit_code',
      width: 190,
      render: (code: string) => <code>{code}</code>,
    },
    {
      title: t('designation.scope'),
      dataIndex: 'scope',
      width: 130,
      render: (scope: Scope) => noWrap(t(`scope.${scope}`)),
    },
    { title: t('designation.documentNo'), dataIndex: 'document_no', width: 220, render: noWrap },
    { title: t('designation.effectiveOn'), dataIndex: 'effective_on', width: 120, render: noWrap },
    {
      title: t('designation.status'),
      dataIndex: 'status',
      width: 100,
      render: (status: DesignationStatus) => <DesignationStatusTag status={status} />,
    },
    {
      title: t('designation.revocation'),
      key: 'revocation',
      render: (_value, designation) =>
        designation.revoked_on ? (
          <>
            {noWrap(designation.revoked_on)} {noWrap(designation.revocation_document_no ?? '')}
          </>
        ) : (
          '—'
        ),
    },
  ];
  if (!onRevoke) return base;
  return [
    ...base,
    {
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      fixed: 'right',
      render: (_value, designation) =>
        designation.status === 'revoked' ? null : (
          <Button size="small" type="link" danger icon={<StopOutlined />} onClick={() => onRevoke(designation)}>
            {t('designation.revoke')}
          </Button>
        ),
    },
  ];
}

export function DesignationsPage() {
  const t = useTranslate();
  const { can } = useSession();
  const [status, setStatus] = useState<StatusFilter>('all');
  const [scope, setScope] = useState<Scope | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Designation | null>(null);
  const designations = useApi<Page<Designation>>('/designations', {
    status: status === 'all' ? null : status,
    scope,
    page,
    page_size: pageSize,
  });
  const mayWrite = can('designation.write');

  const afterSave = () => {
    setCreating(false);
    setRevoking(null);
    designations.reload();
  };

  return (
    <>
      <PageHeader
        title={t('designations.title')}
        subtitle={t('designations.subtitle')}
        extra={
          mayWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('designations.create')}
            </Button>
          ) : null
        }
      />
      <Card>
        <Flex gap="middle" wrap style={{ marginBottom: 16 }}>
          <Segmented<StatusFilter>
            value={status}
            onChange={(value) => {
              setStatus(value);
              setPage(1);
            }}
            options={[
              { value: 'all', label: t('common.all') },
              ...statuses.map((value) => ({ value, label: t(`designationStatus.${value}`) })),
            ]}
            data-testid="designation-status-filter"
          />
          <Select<Scope>
            allowClear
            placeholder={t('designation.scope')}
            value={scope}
            onChange={(value) => {
              setScope(value ?? null);
              setPage(1);
            }}
            options={scopes.map((value) => ({ value, label: t(`scope.${value}`) }))}
            style={{ width: 180 }}
          />
        </Flex>
        <ProblemAlert error={designations.error} />
        <Table<Designation>
          rowKey="id"
          size="middle"
          loading={designations.loading}
          columns={columns(t, mayWrite ? setRevoking : null)}
          dataSource={designations.data?.items ?? []}
          scroll={{ x: 1400 }}
          pagination={{
            current: page,
            pageSize,
            total: designations.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (nextPage, nextSize) => {
              setPage(nextPage);
              setPageSize(nextSize);
            },
          }}
        />
      </Card>
      {creating ? <CreateDesignationModal onClose={() => setCreating(false)} onSaved={afterSave} /> : null}
      {revoking ? (
        <RevokeDesignationModal designation={revoking} onClose={() => setRevoking(null)} onSaved={afterSave} />
      ) : null}
    </>
  );
}
