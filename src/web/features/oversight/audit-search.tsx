import { useState } from 'react';
import { Button, Card, Flex, Form, Input, Select, Table, Tag, Typography } from 'antd';
import type { z } from 'zod';
import type { auditPage } from '../../../contracts/audit.ts';
import type { securityEventPage } from '../../../contracts/oversight.ts';
import type { QueryValue } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { roleLabel } from '../../shared/roles.ts';
import { useApi } from '../../shared/use-api.ts';
import { useOversightText } from './oversight-text.ts';

type AuditPage = z.infer<typeof auditPage>;
type AuditEntry = AuditPage['items'][number];
type EventPage = z.infer<typeof securityEventPage>;
type SecurityEvent = EventPage['items'][number];

const PAGE_LIMIT = 50;

interface Filters {
  actor_login?: string;
  action_prefix?: string;
  object_type?: string;
  object_id?: string;
  ip?: string;
  from?: string;
  to?: string;
}

/** `2026-11-29T10:00` from an <input type="datetime-local"> → an ISO time with the browser's offset. */
function isoOf(local: string | undefined): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function queryOf(filters: Filters): Record<string, QueryValue> {
  return { ...filters, from: isoOf(filters.from), to: isoOf(filters.to) };
}

/** Who did what, to what, when and from where: the audit log with every filter the server offers. */
export function AuditSearch() {
  const text = useOversightText();
  const t = useTranslate();
  const language = useLanguage();
  const [form] = Form.useForm<Filters>();
  const [filters, setFilters] = useState<Filters>({});
  // Keyset paging: `cursor` shows entries older than it; `newer` keeps the cursors to go back to.
  const [cursor, setCursor] = useState<number | null>(null);
  const [newer, setNewer] = useState<(number | null)[]>([]);
  const { data, error, loading } = useApi<AuditPage>('/audit', {
    ...queryOf(filters),
    limit: PAGE_LIMIT,
    before_seq: cursor,
  });
  const entries = data?.items ?? [];
  const nextBefore = data?.next_before_seq ?? null;

  const search = (values: Filters) => {
    setFilters(Object.fromEntries(Object.entries(values).filter(([, value]) => value)));
    setCursor(null);
    setNewer([]);
  };

  return (
    <Card>
      <Form form={form} layout="inline" onFinish={search} style={{ rowGap: 8, marginBottom: 16 }}>
        <Form.Item name="actor_login" label={text('oversight.filter.actor')}>
          <Input allowClear style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="action_prefix" label={text('oversight.filter.action')}>
          <Input allowClear placeholder={text('oversight.filter.actionPrefix')} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="object_type" label={text('oversight.filter.objectType')}>
          <Input allowClear style={{ width: 150 }} />
        </Form.Item>
        <Form.Item name="object_id" label={text('oversight.filter.objectId')}>
          <Input allowClear style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="ip" label={text('oversight.filter.ip')}>
          <Input allowClear style={{ width: 150 }} />
        </Form.Item>
        <Form.Item name="from" label={text('oversight.filter.from')}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="to" label={text('oversight.filter.to')}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item>
          <Flex gap="small">
            <Button type="primary" htmlType="submit" loading={loading}>
              {text('oversight.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                search({});
              }}
            >
              {text('oversight.reset')}
            </Button>
          </Flex>
        </Form.Item>
      </Form>
      <ProblemAlert error={error} />
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={entries}
        pagination={false}
        scroll={{ x: 1200 }}
        expandable={{
          rowExpandable: (entry) => entry.before !== null || entry.after !== null,
          expandedRowRender: (entry) => (
            <pre style={{ fontSize: 12, margin: 0, whiteSpace: 'pre-wrap' }}>
              {JSON.stringify({ before: entry.before, after: entry.after }, null, 2)}
            </pre>
          ),
        }}
        columns={[
          {
            title: t('audit.seq'),
            dataIndex: 'seq',
            width: 80,
            render: (seq: number | null) => seq ?? <Tag>{t('audit.pending')}</Tag>,
          },
          { title: t('audit.at'), dataIndex: 'at', width: 180, render: (at: string) => formatDateTime(at, language) },
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
                <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: entry.object_id }}>
                  {entry.object_id.slice(0, 18)}
                </Typography.Text>
              </span>
            ),
          },
          {
            title: text('oversight.origin'),
            key: 'origin',
            render: (_value, entry) =>
              entry.ip ? (
                <Typography.Text title={entry.user_agent ?? ''}>
                  {entry.ip}
                  <ViaProxy ip={entry.ip} socketIp={entry.socket_ip} />
                </Typography.Text>
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              ),
          },
        ]}
      />
      <Flex justify="center" gap="small" style={{ marginTop: 16 }}>
        {newer.length > 0 ? (
          <Button
            onClick={() => {
              setCursor(newer.at(-1) ?? null);
              setNewer(newer.slice(0, -1));
            }}
          >
            {text('oversight.newer')}
          </Button>
        ) : null}
        {nextBefore !== null ? (
          <Button
            loading={loading}
            onClick={() => {
              setNewer([...newer, cursor]);
              setCursor(nextBefore);
            }}
          >
            {text('oversight.loadMore')}
          </Button>
        ) : null}
      </Flex>
    </Card>
  );
}

/** Refused requests and file exports: the security event log the denial and export rules read. */
export function SecurityEvents() {
  const text = useOversightText();
  const language = useLanguage();
  const [kind, setKind] = useState<'denied' | 'export' | 'auth' | undefined>(undefined);
  const { data, error, loading } = useApi<EventPage>('/oversight/security-events', { kind, limit: 200 });
  const items = data?.items ?? [];

  return (
    <Card>
      <Flex gap="small" align="center" style={{ marginBottom: 16 }}>
        <Typography.Text>{text('oversight.filter.kind')}</Typography.Text>
        <Select
          allowClear
          style={{ width: 160 }}
          value={kind}
          placeholder={text('oversight.all')}
          onChange={(value: 'denied' | 'export' | 'auth' | undefined) => setKind(value)}
          options={[
            { value: 'denied', label: text('oversight.kind.denied') },
            { value: 'export', label: text('oversight.kind.export') },
            { value: 'auth', label: text('oversight.kind.auth') },
          ]}
        />
      </Flex>
      <ProblemAlert error={error} />
      <Table<SecurityEvent>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={{ pageSize: 50 }}
        scroll={{ x: 1100 }}
        columns={[
          {
            title: text('oversight.occurredAt'),
            dataIndex: 'at',
            render: (at: string) => formatDateTime(at, language),
          },
          {
            title: text('oversight.filter.kind'),
            dataIndex: 'kind',
            render: (value: 'denied' | 'export' | 'auth') => (
              <Tag color={value === 'denied' ? 'red' : value === 'auth' ? 'green' : 'blue'}>
                {text(`oversight.kind.${value}`)}
              </Tag>
            ),
          },
          {
            title: text('oversight.filter.actor'),
            dataIndex: 'actor_login',
            render: (login: string | null) => login ?? '—',
          },
          {
            title: text('oversight.origin'),
            key: 'origin',
            render: (_value, event) => (
              <>
                {event.ip}
                <ViaProxy ip={event.ip} socketIp={event.socket_ip} />
              </>
            ),
          },
          {
            title: text('oversight.route'),
            key: 'route',
            render: (_value, event) => <code>{`${event.method} ${event.route}`}</code>,
          },
          {
            title: text('oversight.httpStatus'),
            key: 'status',
            render: (_value, event) => `${event.status}${event.code ? ` ${event.code}` : ''}`,
          },
          { title: text('oversight.bytes'), dataIndex: 'bytes', render: (bytes: number | null) => bytes ?? '' },
        ]}
      />
    </Card>
  );
}

/** The socket's address beside the client's, when they differ: the request came through a trusted proxy. */
function ViaProxy({ ip, socketIp }: { ip: string; socketIp: string | null }) {
  const text = useOversightText();
  if (!socketIp || socketIp === ip) return null;
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {' '}
      {text('oversight.viaProxy', { address: socketIp })}
    </Typography.Text>
  );
}
