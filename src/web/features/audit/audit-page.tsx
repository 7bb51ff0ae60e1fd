import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Flex, Table, Tag, Tooltip, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { api } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { roleLabel } from '../../shared/roles.ts';
import type { AuditEntry, AuditPage as AuditPageData, AuditVerification } from '../../shared/types.ts';

const PAGE_LIMIT = 50;

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <div style={{ flex: 1, minWidth: 280 }}>
      <Typography.Text strong>{label}</Typography.Text>
      <pre
        style={{ background: '#f8fafc', padding: 8, borderRadius: 4, maxHeight: 240, overflow: 'auto', fontSize: 12 }}
      >
        {JSON.stringify(value, null, 2)}
      </pre>
    </div>
  );
}

function VerificationResult({ result }: { result: AuditVerification }) {
  const t = useTranslate();
  const pending = result.pending;
  const pendingNote =
    pending.count > 0 && pending.oldest_at !== null
      ? t(pending.stale ? 'audit.pendingStale' : 'audit.pendingNote', { count: pending.count, at: pending.oldest_at })
      : null;
  if (result.ok) {
    return (
      <Alert
        type={pending.stale ? 'warning' : 'success'}
        showIcon
        data-testid="audit-verification"
        style={{ marginBottom: 16 }}
        title={t('audit.verifyOk', { entries: result.entries, seq: result.last_seq })}
        description={
          <>
            <code>{result.last_hash}</code>
            {pendingNote ? <div>{pendingNote}</div> : null}
          </>
        }
      />
    );
  }
  const broken = result.first_break;
  return (
    <Alert
      type="error"
      showIcon
      data-testid="audit-verification"
      style={{ marginBottom: 16 }}
      title={t('audit.verifyBroken', { seq: broken?.seq ?? '?' })}
      description={broken?.reason}
    />
  );
}

export function AuditPage() {
  const t = useTranslate();
  const language = useLanguage();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  // Keyset paging: the next page is "entries older than the last one shown".
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifying, setVerifying] = useState(false);

  const showPage = useCallback((page: AuditPageData, append: boolean) => {
    setEntries((shown) => (append ? [...shown, ...page.items] : page.items));
    setNextBefore(page.next_before_seq);
  }, []);

  useEffect(() => {
    let current = true;
    api
      .get<AuditPageData>('/audit', { limit: PAGE_LIMIT })
      .then(
        (page) => current && showPage(page, false),
        (failure: unknown) => current && setError(failure),
      )
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [showPage]);

  const loadOlder = async (beforeSeq: number) => {
    setLoading(true);
    setError(undefined);
    try {
      showPage(await api.get<AuditPageData>('/audit', { limit: PAGE_LIMIT, before_seq: beforeSeq }), true);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  const verify = async () => {
    setVerifying(true);
    setError(undefined);
    try {
      setVerification(await api.get<AuditVerification>('/audit/verify'));
    } catch (failure) {
      setError(failure);
    } finally {
      setVerifying(false);
    }
  };

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        subtitle={t('audit.subtitle')}
        extra={
          <Button type="primary" icon={<SafetyCertificateOutlined />} loading={verifying} onClick={() => void verify()}>
            {t('audit.verify')}
          </Button>
        }
      />
      {verification ? <VerificationResult result={verification} /> : null}
      <ProblemAlert error={error} />
      <Card>
        <Table<AuditEntry>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={entries}
          pagination={false}
          scroll={{ x: 1100 }}
          expandable={{
            rowExpandable: (entry) => entry.before !== null || entry.after !== null,
            expandedRowRender: (entry) => (
              <Flex gap="middle" wrap>
                <JsonBlock label={t('audit.before')} value={entry.before} />
                <JsonBlock label={t('audit.after')} value={entry.after} />
              </Flex>
            ),
          }}
          columns={[
            { title: t('audit.seq'), dataIndex: 'seq', width: 80 },
            { title: t('audit.at'), dataIndex: 'at', render: (at: string) => formatDateTime(at, language), width: 180 },
            { title: t('audit.actor'), dataIndex: 'actor_login' },
            {
              title: t('audit.role'),
              dataIndex: 'actor_role',
              render: (role: string) => <Tag>{roleLabel(t, role)}</Tag>,
            },
            { title: t('audit.action'), dataIndex: 'action', render: (action: string) => <code>{action}</code> },
            {
              title: t('audit.object'),
              key: 'object',
              render: (_value, entry) => (
                <span>
                  {entry.object_type}{' '}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {entry.object_id.slice(0, 18)}
                  </Typography.Text>
                </span>
              ),
            },
            {
              title: t('audit.hash'),
              dataIndex: 'hash',
              render: (hash: string | null) =>
                hash === null ? (
                  <Tag>{t('audit.pending')}</Tag>
                ) : (
                  <Tooltip title={hash}>
                    <code>{hash.slice(0, 12)}…</code>
                  </Tooltip>
                ),
            },
          ]}
        />
        <Flex justify="center" style={{ marginTop: 16 }}>
          {nextBefore !== null ? (
            <Button loading={loading} onClick={() => void loadOlder(nextBefore)}>
              {t('audit.loadMore')}
            </Button>
          ) : (
            <Typography.Text type="secondary">{entries.length > 0 ? t('audit.end') : ''}</Typography.Text>
          )}
        </Flex>
      </Card>
    </>
  );
}
