import { useState } from 'react';
import { App as AntApp, Button, Card, Descriptions, Skeleton, Table, Tag } from 'antd';
import { ArrowLeftOutlined, CheckOutlined, SendOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { formatDateTime, formatTonnes } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { labelOf, RunStatusTag } from '../indicators/indicator-labels.tsx';
import type { Explanation, Run, Share } from '../indicators/indicator-types.ts';
import { ReceiptsCard } from './receipts-card.tsx';
import { ShareExplanation } from './share-explanation.tsx';

/** One allocation run: its explained shares, the second official's approval, and issuance. */
export function RunPage() {
  const t = useTranslate();
  const language = useLanguage();
  const { message } = AntApp.useApp();
  const { id = '' } = useParams();
  const { can } = useSession();
  const run = useApi<Run>(`/allocation-runs/${encodeURIComponent(id)}`);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (run.error) return <ProblemAlert error={run.error} />;
  if (!run.data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const data = run.data;

  const act = async (action: 'approve' | 'issue') => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/allocation-runs/${data.id}/${action}`);
      void message.success(t('batch.done'));
      run.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const mayWrite = can('allocation.write');
  return (
    <>
      <PageHeader
        title={t('allocation.runTitle', { category: labelOf(t, 'category', data.category) })}
        subtitle={<RunStatusTag status={data.status} />}
        extra={
          <>
            <Link to={`/allocation?batch_id=${data.batch_id}`}>
              <Button icon={<ArrowLeftOutlined />}>{t('allocation.title')}</Button>
            </Link>
            {mayWrite && data.status === 'proposed' ? (
              <Button type="primary" icon={<CheckOutlined />} loading={busy} onClick={() => void act('approve')}>
                {t('allocation.approve')}
              </Button>
            ) : null}
            {mayWrite && data.status === 'approved' ? (
              <Button type="primary" icon={<SendOutlined />} loading={busy} onClick={() => void act('issue')}>
                {t('allocation.issue')}
              </Button>
            ) : null}
          </>
        }
      />
      <ProblemAlert error={error} />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          items={[
            { key: 'category', label: t('allocation.category'), children: labelOf(t, 'category', data.category) },
            {
              key: 'level',
              label: t('allocation.level'),
              children: `${t(`level.${data.level}`)}${data.group_id ? ` · ${data.group_id}` : ''}`,
            },
            { key: 'mode', label: t('allocation.mode'), children: t(`runMode.${data.mode}`) },
            {
              key: 'total',
              label: t('allocation.total'),
              children: (
                <strong className="numeric">{`${formatTonnes(data.total_reo_kg)} ${t('unit.tonnesReo')}`}</strong>
              ),
            },
            { key: 'created', label: t('allocation.createdAt'), children: formatDateTime(data.created_at, language) },
            {
              key: 'issued',
              label: t('runStatus.issued'),
              children: data.issued_at ? formatDateTime(data.issued_at, language) : '—',
            },
            ...(data.due_on ? [{ key: 'due', label: t('allocation.dueOn'), children: data.due_on }] : []),
            ...(data.reason
              ? [
                  {
                    key: 'reason',
                    label: t('allocation.reason'),
                    span: 'filled' as const,
                    children: <span data-testid="run-reason">{data.reason}</span>,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Card title={t('allocation.runs')} style={{ marginBottom: 16 }}>
        <Table<Share>
          rowKey="holder_id"
          size="small"
          pagination={false}
          dataSource={data.shares}
          expandable={{
            expandedRowRender: (share) => <ShareExplanation explanation={share.explanation as Explanation} />,
          }}
          columns={[
            { title: t('allocation.holder'), dataIndex: 'name' },
            {
              title: t('allocation.holderKind'),
              dataIndex: 'holder_kind',
              render: (kind: Share['holder_kind']) => <Tag>{t(`holderKind.${kind}`)}</Tag>,
            },
            {
              title: t('allocation.share'),
              dataIndex: 'reo_kg',
              align: 'right',
              render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
            },
            {
              title: t('allocation.status'),
              key: 'eligible',
              render: (_value, share) => {
                const explanation = share.explanation as Explanation;
                if (explanation.eligible === false) return <Tag color="red">{t('allocation.ineligible')}</Tag>;
                return explanation.capped ? <Tag color="orange">{t('allocation.capped')}</Tag> : null;
              },
            },
          ]}
        />
      </Card>
      {data.status === 'issued' ? <ReceiptsCard runId={data.id} /> : null}
    </>
  );
}
