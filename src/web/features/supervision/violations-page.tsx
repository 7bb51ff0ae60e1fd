import { useState } from 'react';
import { Button, Card, Flex, Select, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useLanguage, useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import type { Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import {
  EnterpriseSelect,
  useSupervisionWriter,
  useViolationTypes,
  violationTypeName,
  ViolationTypeLabel,
} from './supervision-labels.tsx';
import type { ViolationView } from './supervision-types.ts';
import { ViolationModal } from './violation-modal.tsx';

const PAGE_SIZE = 20;

function columns(t: Translate): TableColumnsType<ViolationView> {
  return [
    {
      title: t('violations.type'),
      dataIndex: 'type',
      render: (_type: string, violation) => (
        <Link to={`/supervision/violations/${violation.id}`}>
          <ViolationTypeLabel violation={violation} />
        </Link>
      ),
    },
    { title: t('supervision.enterprise'), dataIndex: 'enterprise_name' },
    {
      title: t('violations.legalBasis'),
      dataIndex: 'legal_basis',
      render: (basis: ViolationView['legal_basis']) => (
        <Typography.Text type="secondary">{basis.citation}</Typography.Text>
      ),
    },
    { title: t('violations.description'), dataIndex: 'description', width: 320, ellipsis: { showTitle: true } },
    {
      title: t('violations.foundOn'),
      dataIndex: 'found_on',
      render: (date: string) => <span className="numeric">{date}</span>,
    },
    {
      title: t('violations.inspection'),
      dataIndex: 'inspection_id',
      render: (id: string | null) =>
        id ? <Link to={`/supervision/inspections/${id}`}>{t('supervision.open')}</Link> : '—',
    },
  ];
}

/** 违法违规行为: recorded violations with their legal basis; filter by type and enterprise. */
export function ViolationsPage() {
  const t = useTranslate();
  const language = useLanguage();
  const navigate = useNavigate();
  const writer = useSupervisionWriter();
  const [params, setParams] = useSearchParams();
  const type = params.get('type') ?? undefined;
  const enterpriseId = params.get('enterprise_id') ?? undefined;
  const page = Number(params.get('page') ?? '1') || 1;
  const types = useViolationTypes();
  const list = useApi<Page<ViolationView>>('/supervision/violations', {
    type,
    enterprise_id: enterpriseId,
    page,
    page_size: PAGE_SIZE,
  });
  const [recording, setRecording] = useState(false);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(name);
      else next.set(name, value);
    }
    setParams(next);
  };

  return (
    <>
      <PageHeader
        title={t('violations.title')}
        subtitle={t('violations.subtitle')}
        extra={
          writer ? (
            <Button icon={<PlusOutlined />} onClick={() => setRecording(true)} data-testid="new-violation">
              {t('violations.record')}
            </Button>
          ) : null
        }
      />
      <ProblemAlert error={list.error ?? types.error} />
      <Card>
        <Flex gap="small" wrap style={{ marginBottom: 16 }}>
          <Select<string>
            allowClear
            placeholder={t('violations.type')}
            aria-label={t('violations.type')}
            style={{ width: 320 }}
            value={type ?? null}
            onChange={(value) => update({ type: value ?? undefined, page: undefined })}
            options={(types.data ?? []).map((item) => ({
              value: item.type,
              label: violationTypeName(language, item.legal_basis, item.type),
            }))}
          />
          <EnterpriseSelect
            allowClear
            placeholder={t('inspections.filterEnterprise')}
            {...(enterpriseId ? { value: enterpriseId } : {})}
            onChange={(value) => update({ enterprise_id: value, page: undefined })}
          />
        </Flex>
        <Table<ViolationView>
          rowKey="id"
          size="middle"
          data-testid="violations"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          columns={columns(t)}
          scroll={{ x: 'max-content' }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: list.data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (next) => update({ page: String(next) }),
          }}
        />
      </Card>
      {recording ? (
        <ViolationModal
          source={{}}
          onClose={() => setRecording(false)}
          onRecorded={(violation) => void navigate(`/supervision/violations/${violation.id}`)}
        />
      ) : null}
    </>
  );
}
