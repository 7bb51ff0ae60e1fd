import { useState } from 'react';
import { Button, Card, Empty, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, ExperimentOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { formatDateTime, formatTonnes } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { labelOf, RunStatusTag } from '../indicators/indicator-labels.tsx';
import type { Run } from '../indicators/indicator-types.ts';
import {
  AllocationChoice,
  choiceComplete,
  choiceFromQuery,
  choiceQuery,
  useAllocatableBatches,
  type AllocationChoiceValue,
} from './allocation-choice.tsx';

/** 指标分配: pick an approved batch and category, propose a run, and follow the runs of the batch. */
export function AllocationPage() {
  const t = useTranslate();
  const language = useLanguage();
  const navigate = useNavigate();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const { batches, error: batchesError } = useAllocatableBatches();
  const fromQuery = choiceFromQuery(params);
  const choice: AllocationChoiceValue = { ...fromQuery, batchId: fromQuery.batchId ?? batches[0]?.id ?? null };
  const runs = useApi<Run[]>(choice.batchId ? '/allocation-runs' : null, { batch_id: choice.batchId });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const ready = choiceComplete(choice);

  const proposeEngineRun = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const run = await api.post<Run>('/allocation-runs', {
        mode: 'engine',
        batch_id: choice.batchId,
        category: choice.category,
        level: choice.level,
        ...(choice.level === 'group' ? { group_id: choice.groupId } : {}),
      });
      void navigate(`/allocation/runs/${run.id}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<Run> = [
    {
      title: t('allocation.category'),
      dataIndex: 'category',
      render: (category: string, run) => (
        <Link to={`/allocation/runs/${run.id}`}>{labelOf(t, 'category', category)}</Link>
      ),
    },
    {
      title: t('allocation.level'),
      key: 'level',
      render: (_value, run) => `${t(`level.${run.level}`)}${run.group_id ? ` · ${run.group_id}` : ''}`,
    },
    { title: t('allocation.mode'), dataIndex: 'mode', render: (mode: Run['mode']) => t(`runMode.${mode}`) },
    {
      title: t('allocation.total'),
      dataIndex: 'total_reo_kg',
      align: 'right',
      render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
    },
    {
      title: t('allocation.status'),
      dataIndex: 'status',
      render: (status: Run['status']) => <RunStatusTag status={status} />,
    },
    {
      title: t('allocation.createdAt'),
      dataIndex: 'created_at',
      render: (iso: string) => formatDateTime(iso, language),
    },
  ];

  return (
    <>
      <PageHeader title={t('allocation.title')} subtitle={t('allocation.subtitle')} />
      <ProblemAlert error={batchesError ?? error} />
      {batches.length === 0 ? (
        <Card>
          <Empty description={t('allocation.noBatch')} />
        </Card>
      ) : (
        <>
          <Card style={{ marginBottom: 16 }}>
            <AllocationChoice
              batches={batches}
              value={choice}
              onChange={(next) => setParams(choiceQuery(next), { replace: true })}
            />
            {can('allocation.write') ? (
              <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
                <Button
                  type="primary"
                  icon={<ThunderboltOutlined />}
                  disabled={!ready}
                  loading={busy}
                  onClick={() => void proposeEngineRun()}
                >
                  {t('allocation.propose')}
                </Button>
                <Button
                  icon={<EditOutlined />}
                  disabled={!ready}
                  onClick={() => void navigate(`/allocation/manual?${choiceQuery(choice)}`)}
                >
                  {t('allocation.manual')}
                </Button>
                <Button
                  icon={<ExperimentOutlined />}
                  disabled={!ready}
                  onClick={() => void navigate(`/allocation/what-if?${choiceQuery(choice)}`)}
                >
                  {t('nav.whatIf')}
                </Button>
              </div>
            ) : null}
          </Card>
          <Card title={t('allocation.runs')}>
            <ProblemAlert error={runs.error} />
            <Table<Run>
              rowKey="id"
              size="small"
              columns={columns}
              dataSource={runs.data ?? []}
              loading={runs.loading}
              pagination={false}
            />
          </Card>
        </>
      )}
    </>
  );
}
