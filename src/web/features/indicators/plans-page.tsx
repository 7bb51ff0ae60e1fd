import { useState } from 'react';
import { Button, Card, Space, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router-dom';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { BatchStatusTag } from './indicator-labels.tsx';
import type { Plan } from './indicator-types.ts';
import { PlanCreateModal } from './plan-create-modal.tsx';

/** 总量控制指标: the years with their batches and where each batch stands. */
export function PlansPage() {
  const t = useTranslate();
  const language = useLanguage();
  const navigate = useNavigate();
  const { can } = useSession();
  const plans = useApi<Plan[]>('/indicator-plans');
  const [creating, setCreating] = useState(false);

  const columns: TableColumnsType<Plan> = [
    {
      title: t('plans.year'),
      dataIndex: 'year',
      width: 120,
      render: (year: number) => <Link to={`/indicators/${year}`}>{t('plans.yearValue', { year })}</Link>,
    },
    {
      title: t('plans.batches'),
      key: 'batches',
      render: (_value, plan) =>
        plan.batches.length === 0 ? (
          t('plans.noBatches')
        ) : (
          <Space wrap>
            {plan.batches.map((batch) => (
              <span key={batch.id}>
                {batch.name} <BatchStatusTag status={batch.status} />
              </span>
            ))}
          </Space>
        ),
    },
    {
      title: t('plan.weights'),
      key: 'weights',
      width: 260,
      render: (_value, plan) =>
        `${t('factor.capacity')} ${plan.weights.capacity} · ${t('factor.technical')} ${plan.weights.technical} · ` +
        `${t('factor.environment')} ${plan.weights.environment} · ${t('factor.safety')} ${plan.weights.safety}`,
    },
    {
      title: t('users.createdAt'),
      dataIndex: 'created_at',
      width: 190,
      render: (iso: string) => formatDateTime(iso, language),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('plans.title')}
        subtitle={t('plans.subtitle')}
        extra={
          can('indicator.draft') ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('plans.new')}
            </Button>
          ) : null
        }
      />
      <ProblemAlert error={plans.error} />
      <Card>
        <Table<Plan>
          rowKey="id"
          columns={columns}
          dataSource={plans.data ?? []}
          loading={plans.loading}
          pagination={false}
          locale={{ emptyText: t('common.noData') }}
        />
      </Card>
      <PlanCreateModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(plan) => void navigate(`/indicators/${plan.year}`)}
      />
    </>
  );
}
