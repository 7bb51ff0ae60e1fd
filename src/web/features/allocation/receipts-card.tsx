import { useState } from 'react';
import { Card, Flex, InputNumber, Table, Tag, Typography } from 'antd';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import type { Notice } from '../indicators/indicator-types.ts';

/** Who has read an issued run's notices; with N days, only those still unread after N days. */
export function ReceiptsCard({ runId }: { readonly runId: string }) {
  const t = useTranslate();
  const language = useLanguage();
  const [days, setDays] = useState(0);
  const receipts = useApi<Notice[]>(`/allocation-runs/${runId}/receipts`, { unread_after_days: days });
  return (
    <Card
      title={t('receipts.title')}
      data-testid="receipts"
      extra={
        <Flex align="center" gap={8}>
          <Typography.Text>{t('receipts.unreadAfter')}</Typography.Text>
          <InputNumber
            id="unread-after-days"
            min={0}
            max={365}
            precision={0}
            value={days}
            onChange={(value) => setDays(value ?? 0)}
          />
        </Flex>
      }
    >
      <ProblemAlert error={receipts.error} />
      <Table<Notice>
        rowKey="id"
        size="small"
        loading={receipts.loading}
        dataSource={receipts.data ?? []}
        pagination={false}
        columns={[
          { title: t('receipts.recipient'), dataIndex: 'recipient_name' },
          { title: t('nav.notices'), dataIndex: 'title' },
          {
            title: t('receipts.sentAt'),
            dataIndex: 'sent_at',
            render: (iso: string) => formatDateTime(iso, language),
          },
          {
            title: t('receipts.readAt'),
            dataIndex: 'read_at',
            render: (iso: string | null) =>
              iso ? formatDateTime(iso, language) : <Tag color="orange">{t('receipts.unread')}</Tag>,
          },
          {
            title: t('receipts.forwarded'),
            dataIndex: 'forwarded_from',
            render: (from: string | null) => (from ? <Tag color="blue">{t('receipts.forwarded')}</Tag> : null),
          },
        ]}
      />
    </Card>
  );
}
