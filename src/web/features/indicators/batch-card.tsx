import { useState } from 'react';
import { Button, Card, Descriptions, Empty, Flex, Space, Steps, Table, Tag, Typography } from 'antd';
import { CheckOutlined, EditOutlined, SendOutlined, ApartmentOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { formatDateTime, formatTonnes } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { BatchStatusTag, labelOf } from './indicator-labels.tsx';
import { allocatableStatuses, batchSteps, type Batch, type CategoryTotal } from './indicator-types.ts';

interface BatchCardProps {
  readonly batch: Batch;
  readonly onChanged: () => void;
  readonly onEditTotals: (batch: Batch) => void;
  readonly onApprove: (batch: Batch) => void;
}

/** One batch: its place in the Art. 5 lifecycle, totals, co-signatures and the next step for this user. */
export function BatchCard({ batch, onChanged, onEditTotals, onApprove }: BatchCardProps) {
  const t = useTranslate();
  const language = useLanguage();
  const { can } = useSession();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const act = async (action: 'cosign' | 'submit') => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post(`/indicator-batches/${batch.id}/${action}`);
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const total = batch.totals.reduce((sum, item) => sum + item.total_reo_kg, 0);
  const actions = (
    <Space wrap>
      {batch.status === 'draft' && can('indicator.draft') ? (
        <Button icon={<EditOutlined />} onClick={() => onEditTotals(batch)}>
          {t('batch.editTotals')}
        </Button>
      ) : null}
      {batch.status === 'draft' && can('indicator.cosign') ? (
        <Button type="primary" icon={<CheckOutlined />} loading={busy} onClick={() => void act('cosign')}>
          {t('batch.cosign')}
        </Button>
      ) : null}
      {batch.status === 'cosigned' && can('indicator.draft') ? (
        <Button type="primary" icon={<SendOutlined />} loading={busy} onClick={() => void act('submit')}>
          {t('batch.submit')}
        </Button>
      ) : null}
      {batch.status === 'submitted' && can('indicator.approve') ? (
        <Button type="primary" icon={<CheckOutlined />} onClick={() => onApprove(batch)}>
          {t('batch.approve')}
        </Button>
      ) : null}
      {allocatableStatuses.includes(batch.status) && can('allocation.read') ? (
        <Link to={`/allocation?batch_id=${batch.id}`}>
          <Button icon={<ApartmentOutlined />}>{t('batch.allocate')}</Button>
        </Link>
      ) : null}
    </Space>
  );

  return (
    <Card
      data-testid={`batch-${batch.seq}`}
      style={{ marginBottom: 16 }}
      title={
        <Space>
          <span>{batch.name}</span>
          <Tag>{t(`batchKind.${batch.kind}`)}</Tag>
          <BatchStatusTag status={batch.status} />
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
            {t('batch.version', { version: batch.version })}
          </Typography.Text>
        </Space>
      }
      extra={actions}
    >
      <ProblemAlert error={error} />
      <Steps
        size="small"
        current={batchSteps.indexOf(batch.status)}
        items={batchSteps.map((step) => ({ title: t(`batchStatus.${step}`) }))}
        style={{ marginBottom: 20 }}
      />
      <Flex gap={24} wrap>
        <Table<CategoryTotal>
          style={{ flex: '1 1 380px' }}
          size="small"
          rowKey="category"
          pagination={false}
          dataSource={batch.totals}
          columns={[
            {
              title: t('allocation.category'),
              dataIndex: 'category',
              render: (category: string) => labelOf(t, 'category', category),
            },
            {
              title: t('unit.tonnesReo'),
              dataIndex: 'total_reo_kg',
              align: 'right',
              render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
            },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>{t('batch.total')}</Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                <strong className="numeric">{formatTonnes(total)}</strong>
              </Table.Summary.Cell>
            </Table.Summary.Row>
          )}
        />
        <div style={{ flex: '1 1 300px' }}>
          <Typography.Title level={5}>{t('batch.cosigns')}</Typography.Title>
          {batch.cosigns.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('batch.noCosigns')} />
          ) : (
            <Flex vertical gap={8} data-testid="cosigns">
              {batch.cosigns.map((item) => (
                <Flex key={item.authority_id} justify="space-between" gap={8}>
                  <Space>
                    <CheckOutlined style={{ color: '#52c41a' }} />
                    <span>{labelOf(t, 'authority', item.authority_id)}</span>
                  </Space>
                  <Typography.Text type="secondary">{formatDateTime(item.signed_at, language)}</Typography.Text>
                </Flex>
              ))}
            </Flex>
          )}
          {batch.approval_document_no ? (
            <Descriptions
              size="small"
              column={1}
              style={{ marginTop: 12 }}
              title={t('batch.approval')}
              items={[
                { key: 'no', label: t('batch.documentNo'), children: batch.approval_document_no },
                { key: 'date', label: t('batch.approvalDate'), children: batch.approval_date ?? '—' },
              ]}
            />
          ) : null}
        </div>
      </Flex>
    </Card>
  );
}
