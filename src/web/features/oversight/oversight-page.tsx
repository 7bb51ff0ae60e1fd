import { useEffect, useState } from 'react';
import { Alert, Button, Card, Flex, Form, Input, InputNumber, Modal, Select, Table, Tabs, Tag, Typography } from 'antd';
import { AlertOutlined } from '@ant-design/icons';
import type { z } from 'zod';
import {
  oversightRules,
  type OversightAlert,
  type OversightRuleName,
  type RuleRun,
  type thresholdList,
} from '../../../contracts/oversight.ts';
import type { Page } from '../../../contracts/common.ts';
import { api } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { AuditSearch, SecurityEvents } from './audit-search.tsx';
import { useOversightText } from './oversight-text.ts';

type Thresholds = z.infer<typeof thresholdList>['items'];

/** Art. 15: the oversight role's screen — alerts to work, the audit search, the security event log, thresholds. */
export function OversightPage() {
  const text = useOversightText();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [lastRun, setLastRun] = useState<RuleRun | null>(null);
  const [refresh, setRefresh] = useState(0);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setLastRun(await api.post<RuleRun>('/oversight/runs'));
      setRefresh((value) => value + 1);
    } catch (failure) {
      setError(failure);
    } finally {
      setRunning(false);
    }
  };

  return (
    <>
      <PageHeader
        title={text('oversight.title')}
        subtitle={text('oversight.subtitle')}
        extra={
          <Button type="primary" icon={<AlertOutlined />} loading={running} onClick={() => void run()}>
            {text('oversight.run')}
          </Button>
        }
      />
      <ProblemAlert error={error} />
      {lastRun ? (
        <Alert
          type={lastRun.total_new > 0 ? 'warning' : 'success'}
          showIcon
          style={{ marginBottom: 16 }}
          title={text('oversight.runDone', { count: lastRun.total_new })}
          data-testid="oversight-run"
        />
      ) : null}
      <Tabs
        items={[
          { key: 'alerts', label: text('oversight.tab.alerts'), children: <AlertList key={refresh} /> },
          { key: 'audit', label: text('oversight.tab.audit'), children: <AuditSearch /> },
          { key: 'events', label: text('oversight.tab.events'), children: <SecurityEvents /> },
          { key: 'thresholds', label: text('oversight.tab.thresholds'), children: <ThresholdTable /> },
        ]}
      />
    </>
  );
}

function AlertList() {
  const text = useOversightText();
  const language = useLanguage();
  const [rule, setRule] = useState<OversightRuleName | undefined>(undefined);
  const [status, setStatus] = useState<'open' | 'acknowledged' | undefined>('open');
  const [page, setPage] = useState(1);
  const [acknowledging, setAcknowledging] = useState<OversightAlert | null>(null);
  const { data, error, loading, reload } = useApi<Page<OversightAlert>>('/oversight/alerts', {
    rule,
    status,
    page,
    page_size: 20,
  });

  return (
    <Card>
      <Flex gap="small" wrap style={{ marginBottom: 16 }}>
        <Select
          allowClear
          style={{ width: 300 }}
          placeholder={text('oversight.rule')}
          value={rule}
          onChange={(value: OversightRuleName | undefined) => {
            setRule(value);
            setPage(1);
          }}
          options={oversightRules.map((name) => ({ value: name, label: text(`oversight.rule.${name}`) }))}
        />
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={text('oversight.all')}
          value={status}
          onChange={(value: 'open' | 'acknowledged' | undefined) => {
            setStatus(value);
            setPage(1);
          }}
          options={[
            { value: 'open', label: text('oversight.status.open') },
            { value: 'acknowledged', label: text('oversight.status.acknowledged') },
          ]}
        />
      </Flex>
      <ProblemAlert error={error} />
      <Table<OversightAlert>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 1100 }}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage }}
        expandable={{
          expandedRowRender: (alert) => (
            <Flex vertical gap="small">
              {alert.status === 'acknowledged' ? (
                <Typography.Text>
                  {text('oversight.acknowledgedBy', {
                    who: alert.acknowledged_by ?? '',
                    at: alert.acknowledged_at ? formatDateTime(alert.acknowledged_at, language) : '',
                    note: alert.note ?? '',
                  })}
                </Typography.Text>
              ) : null}
              <Typography.Text strong>{text('oversight.evidence')}</Typography.Text>
              <pre style={{ fontSize: 12, margin: 0, whiteSpace: 'pre-wrap' }}>
                {JSON.stringify(alert.evidence, null, 2)}
              </pre>
            </Flex>
          ),
        }}
        columns={[
          {
            title: text('oversight.detectedAt'),
            dataIndex: 'detected_at',
            width: 170,
            render: (at: string) => formatDateTime(at, language),
          },
          {
            title: text('oversight.rule'),
            dataIndex: 'rule',
            render: (name: OversightRuleName) => <Tag color="volcano">{text(`oversight.rule.${name}`)}</Tag>,
          },
          { title: text('oversight.summary'), dataIndex: 'summary' },
          {
            title: text('oversight.subject'),
            key: 'subject',
            render: (_value, alert) => (
              <span>
                {alert.subject_type}{' '}
                <Typography.Text type="secondary" style={{ fontSize: 12 }} copyable={{ text: alert.subject_id }}>
                  {alert.subject_id.slice(0, 18)}
                </Typography.Text>
              </span>
            ),
          },
          {
            title: text('oversight.status'),
            dataIndex: 'status',
            render: (value: 'open' | 'acknowledged', alert) =>
              value === 'open' ? (
                <Button size="small" onClick={() => setAcknowledging(alert)}>
                  {text('oversight.acknowledge')}
                </Button>
              ) : (
                <Tag color="green">{text('oversight.status.acknowledged')}</Tag>
              ),
          },
        ]}
      />
      {acknowledging ? (
        <AcknowledgeModal
          alert={acknowledging}
          onClose={(changed) => {
            setAcknowledging(null);
            if (changed) reload();
          }}
        />
      ) : null}
    </Card>
  );
}

function AcknowledgeModal({ alert, onClose }: { alert: OversightAlert; onClose: (changed: boolean) => void }) {
  const text = useOversightText();
  const [form] = Form.useForm<{ note: string }>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const submit = async ({ note }: { note: string }) => {
    setSaving(true);
    setError(undefined);
    try {
      await api.post(`/oversight/alerts/${alert.id}/acknowledge`, { expected_version: alert.version, note });
      onClose(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={text('oversight.acknowledgeTitle')}
      okText={text('oversight.acknowledge')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
    >
      <Typography.Paragraph>{alert.summary}</Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item
          name="note"
          label={text('oversight.note')}
          rules={[{ required: true, min: 2, whitespace: true, message: text('oversight.noteRequired') }]}
        >
          <Input.TextArea rows={4} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ThresholdTable() {
  const text = useOversightText();
  const language = useLanguage();
  const [items, setItems] = useState<Thresholds>([]);
  const [edits, setEdits] = useState<Record<string, number>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState<string | null>(null);

  useEffect(() => {
    api.get<{ items: Thresholds }>('/oversight/thresholds').then(
      (list) => setItems(list.items),
      (failure: unknown) => setError(failure),
    );
  }, []);

  const save = async (item: Thresholds[number]) => {
    const value = edits[item.name];
    if (value === undefined) return;
    setSaving(item.name);
    setError(undefined);
    try {
      const list = await api.put<{ items: Thresholds }>(`/oversight/thresholds/${item.name}`, {
        expected_version: item.version,
        value,
      });
      setItems(list.items);
      setEdits(({ [item.name]: _saved, ...rest }) => rest);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(null);
    }
  };

  return (
    <Card>
      <ProblemAlert error={error} />
      <Table<Thresholds[number]>
        rowKey="name"
        size="small"
        pagination={false}
        dataSource={items}
        columns={[
          {
            title: text('oversight.threshold'),
            dataIndex: 'name',
            render: (name: Thresholds[number]['name']) => text(`oversight.threshold.${name}`),
          },
          {
            title: text('oversight.value'),
            key: 'value',
            render: (_value, item) => (
              <Flex gap="small">
                <InputNumber
                  min={1}
                  precision={0}
                  value={edits[item.name] ?? item.value}
                  onChange={(value) => value !== null && setEdits((current) => ({ ...current, [item.name]: value }))}
                />
                <Button
                  disabled={edits[item.name] === undefined}
                  loading={saving === item.name}
                  onClick={() => void save(item)}
                >
                  {text('oversight.save')}
                </Button>
              </Flex>
            ),
          },
          { title: text('oversight.updatedBy'), dataIndex: 'updated_by' },
          {
            title: text('oversight.updatedAt'),
            dataIndex: 'updated_at',
            render: (at: string) => formatDateTime(at, language),
          },
        ]}
      />
    </Card>
  );
}
