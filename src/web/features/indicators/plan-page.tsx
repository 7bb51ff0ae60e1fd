import { useState } from 'react';
import { App as AntApp, Button, Card, Descriptions, Skeleton } from 'antd';
import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { BatchCard } from './batch-card.tsx';
import { ApproveBatchModal, BatchTotalsModal } from './batch-modals.tsx';
import { factors, ppmToPercent, type Batch, type Plan } from './indicator-types.ts';
import { memoFields } from './plan-create-modal.tsx';

/** One year's plan: the Art. 5 basis, the engine's parameters, and its batches. */
export function PlanPage() {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const { year = '' } = useParams();
  const { can } = useSession();
  const plan = useApi<Plan>(`/indicator-plans/${encodeURIComponent(year)}`);
  const [editing, setEditing] = useState<{ batch: Batch | null } | null>(null);
  const [approving, setApproving] = useState<Batch | null>(null);

  if (plan.error) return <ProblemAlert error={plan.error} />;
  if (!plan.data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const data = plan.data;

  return (
    <>
      <PageHeader
        title={t('plan.title', { year: data.year })}
        extra={
          <>
            <Link to="/indicators">
              <Button icon={<ArrowLeftOutlined />}>{t('plans.title')}</Button>
            </Link>
            {can('indicator.draft') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ batch: null })}>
                {t('batch.add')}
              </Button>
            ) : null}
          </>
        }
      />
      <Card title={t('plan.memoTitle')} style={{ marginBottom: 16 }} size="small">
        <Descriptions
          size="small"
          bordered
          column={1}
          items={[
            ...memoFields.map((field) => ({
              key: field,
              label: t(`plan.memo.${field}`),
              children: data.memo[field],
            })),
            {
              key: 'weights',
              label: t('plan.weights'),
              children: factors.map((factor) => `${t(`factor.${factor}`)} ${data.weights[factor]}`).join(' · '),
            },
            {
              key: 'penalty',
              label: t('plan.penaltyPercent'),
              children: `${ppmToPercent(data.penalty_reduction_ppm)}%`,
            },
            { key: 'days', label: t('plan.workingDays'), children: data.sub_allocation_working_days },
          ]}
        />
      </Card>
      {data.batches.map((batch) => (
        <BatchCard
          key={batch.id}
          batch={batch}
          onChanged={() => {
            void message.success(t('batch.done'));
            plan.reload();
          }}
          onEditTotals={(item) => setEditing({ batch: item })}
          onApprove={setApproving}
        />
      ))}
      <BatchTotalsModal
        year={data.year}
        batch={editing?.batch ?? null}
        open={editing !== null}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          plan.reload();
        }}
      />
      <ApproveBatchModal
        batch={approving}
        onClose={() => setApproving(null)}
        onSaved={() => {
          setApproving(null);
          void message.success(t('batch.done'));
          plan.reload();
        }}
      />
    </>
  );
}
