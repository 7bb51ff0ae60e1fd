import { useState } from 'react';
import { App as AntApp, Button, Card, Empty, Space, Table, Tag, Typography } from 'antd';
import { CheckOutlined, ShareAltOutlined } from '@ant-design/icons';
import { api } from '../../shared/api.ts';
import { formatDateTime, formatTonnes } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import type { Notice } from '../indicators/indicator-types.ts';

interface NoticeLine {
  readonly enterprise_id: string;
  readonly name: string;
  readonly reo_kg: number;
}
interface NoticeBody {
  readonly year?: number;
  readonly category?: string;
  readonly batch?: string;
  readonly shares?: readonly NoticeLine[];
}

/** 下达通知: the notices addressed to my enterprise or department; read receipts and forwarding to counties. */
export function NoticesPage() {
  const t = useTranslate();
  const language = useLanguage();
  const { message } = AntApp.useApp();
  const { can } = useSession();
  const notices = useApi<Notice[]>('/notices');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (notice: Notice, action: 'read' | 'forward') => {
    setBusy(`${notice.id}:${action}`);
    setError(undefined);
    try {
      if (action === 'forward') {
        const sent = await api.post<Notice[]>(`/notices/${notice.id}/forward`);
        void message.success(t('notices.forwardedCount', { count: sent.length }));
      } else {
        await api.post<Notice>(`/notices/${notice.id}/read`);
      }
      notices.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  const list = notices.data ?? [];
  return (
    <>
      <PageHeader title={t('notices.title')} subtitle={t('notices.subtitle')} />
      <ProblemAlert error={notices.error ?? error} />
      {list.length === 0 && !notices.loading ? (
        <Card>
          <Empty description={t('notices.none')} />
        </Card>
      ) : null}
      {list.map((notice) => {
        const body = (notice.body ?? {}) as NoticeBody;
        return (
          <Card
            key={notice.id}
            data-testid="notice"
            style={{ marginBottom: 16 }}
            title={
              <Space wrap>
                <span>{notice.title}</span>
                {notice.read_at ? (
                  <Tag color="green">{t('notices.read')}</Tag>
                ) : (
                  <Tag color="orange">{t('receipts.unread')}</Tag>
                )}
                {notice.forwarded_from ? <Tag color="blue">{t('receipts.forwarded')}</Tag> : null}
              </Space>
            }
            extra={
              <Space>
                {notice.read_at ? null : (
                  <Button
                    icon={<CheckOutlined />}
                    loading={busy === `${notice.id}:read`}
                    onClick={() => void act(notice, 'read')}
                  >
                    {t('notices.markRead')}
                  </Button>
                )}
                {can('notice.forward') && notice.recipient_kind === 'authority' && !notice.forwarded_from ? (
                  <Button
                    type="primary"
                    icon={<ShareAltOutlined />}
                    loading={busy === `${notice.id}:forward`}
                    onClick={() => void act(notice, 'forward')}
                  >
                    {t('notices.forward')}
                  </Button>
                ) : null}
              </Space>
            }
          >
            <Typography.Paragraph type="secondary">
              {notice.recipient_name} · {t('receipts.sentAt')} {formatDateTime(notice.sent_at, language)}
              {notice.read_at ? ` · ${t('receipts.readAt')} ${formatDateTime(notice.read_at, language)}` : ''}
              {body.category ? ` · ${labelOf(t, 'category', body.category)}` : ''}
            </Typography.Paragraph>
            <Table<NoticeLine>
              rowKey="enterprise_id"
              size="small"
              pagination={false}
              dataSource={[...(body.shares ?? [])]}
              columns={[
                { title: t('notices.enterprise'), dataIndex: 'name' },
                {
                  title: t('notices.amount'),
                  dataIndex: 'reo_kg',
                  align: 'right',
                  render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
                },
              ]}
            />
          </Card>
        );
      })}
    </>
  );
}
