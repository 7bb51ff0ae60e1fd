import { useState } from 'react';
import { App as AntApp, Button, Card, Descriptions, Flex, Input, Modal, Select, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ThunderboltOutlined } from '@ant-design/icons';
import { api } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate, type Language, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import type { Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { monthInChina, previousMonth } from '../flows/flow-format.ts';
import { AnomalyStatusTag } from '../flows/flow-labels.tsx';
import {
  anomalyRuleList,
  anomalyStatusList,
  type AnomalyRule,
  type AnomalyStatus,
  type AnomalyView,
  type CheckRunResult,
} from '../flows/flow-types.ts';
import { AnomalyDrawer } from './anomaly-drawer.tsx';

function columns(t: Translate, language: Language, open: (id: string) => void): TableColumnsType<AnomalyView> {
  return [
    { title: t('anomalies.month'), dataIndex: 'period', width: 100 },
    {
      title: t('anomalies.rule'),
      dataIndex: 'rule',
      render: (rule: AnomalyRule) => labelOf(t, 'anomalyRule', rule),
    },
    {
      title: t('anomalies.enterprise'),
      dataIndex: 'enterprise_name',
      width: 240,
      render: (name: string, anomaly) => (
        <Flex vertical>
          <span>{name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {anomaly.domicile_code}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('anomalies.product'), dataIndex: 'product', render: (product: string | null) => product ?? '—' },
    { title: t('anomalies.summary'), dataIndex: 'summary', width: 380, ellipsis: { showTitle: true } },
    {
      title: t('anomalies.status'),
      dataIndex: 'status',
      render: (status: AnomalyStatus) => <AnomalyStatusTag status={status} />,
    },
    {
      title: t('anomalies.detectedAt'),
      dataIndex: 'detected_at',
      render: (iso: string) => formatDateTime(iso, language),
    },
    {
      title: t('common.actions'),
      key: 'open',
      render: (_value, anomaly) => (
        <Button size="small" onClick={() => open(anomaly.id)}>
          {t('anomalies.open')}
        </Button>
      ),
    },
  ];
}

/** 运行核查: MIIT runs a month's checks; the answer says how many anomalies each rule found. */
function RunChecksModal({ onClose, onDone }: { readonly onClose: () => void; readonly onDone: () => void }) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [period, setPeriod] = useState(() => previousMonth(monthInChina()));
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [result, setResult] = useState<CheckRunResult | null>(null);

  const run = async () => {
    setRunning(true);
    setError(undefined);
    try {
      const answer = await api.post<CheckRunResult>('/checks/runs', { period });
      setResult(answer);
      void message.success(
        t('anomalies.runDone', { period: answer.period, count: answer.anomalies_found, fresh: answer.anomalies_new }),
      );
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setRunning(false);
    }
  };

  return (
    <Modal
      open
      title={t('anomalies.runTitle')}
      okText={t('anomalies.run')}
      cancelText={t('common.cancel')}
      confirmLoading={running}
      onOk={() => void run()}
      onCancel={onClose}
    >
      <ProblemAlert error={error} />
      <Flex gap="small" align="center" style={{ marginBottom: 16 }}>
        <Typography.Text>{t('anomalies.month')}</Typography.Text>
        <Input
          id="checks-period"
          type="month"
          value={period}
          onChange={(event) => setPeriod(event.target.value)}
          style={{ width: 170 }}
        />
      </Flex>
      {result ? (
        <Descriptions
          size="small"
          bordered
          column={1}
          title={t('anomalies.runDone', {
            period: result.period,
            count: result.anomalies_found,
            fresh: result.anomalies_new,
          })}
          items={Object.entries(result.by_rule).map(([rule, count]) => ({
            key: rule,
            label: labelOf(t, 'anomalyRule', rule),
            children: count,
          }))}
        />
      ) : null}
    </Modal>
  );
}

/** 异常: the checks' findings in the official's jurisdiction, filtered by month, rule and status. */
export function AnomaliesPage() {
  const t = useTranslate();
  const language = useLanguage();
  const { can } = useSession();
  const [period, setPeriod] = useState('');
  const [rule, setRule] = useState<AnomalyRule | null>(null);
  const [status, setStatus] = useState<AnomalyStatus | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [openId, setOpenId] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const anomalies = useApi<Page<AnomalyView>>('/anomalies', { period, rule, status, page, page_size: pageSize });
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(1);
    };

  return (
    <>
      <PageHeader
        title={t('anomalies.title')}
        subtitle={t('anomalies.subtitle')}
        extra={
          can('checks.run') ? (
            <Button type="primary" icon={<ThunderboltOutlined />} onClick={() => setRunning(true)}>
              {t('anomalies.run')}
            </Button>
          ) : null
        }
      />
      <Card>
        <Flex gap="small" wrap align="center" style={{ marginBottom: 16 }}>
          <Typography.Text>{t('anomalies.month')}</Typography.Text>
          <Input
            id="anomalies-period"
            type="month"
            value={period}
            onChange={(event) => filter(setPeriod)(event.target.value)}
            style={{ width: 170 }}
          />
          <Select<AnomalyRule>
            id="anomalies-rule"
            allowClear
            placeholder={t('anomalies.rule')}
            value={rule}
            onChange={(value) => filter(setRule)(value ?? null)}
            options={anomalyRuleList.map((value) => ({ value, label: t(`anomalyRule.${value}`) }))}
            style={{ width: 200 }}
          />
          <Select<AnomalyStatus>
            id="anomalies-status"
            allowClear
            placeholder={t('anomalies.status')}
            value={status}
            onChange={(value) => filter(setStatus)(value ?? null)}
            options={anomalyStatusList.map((value) => ({ value, label: t(`anomalyStatus.${value}`) }))}
            style={{ width: 150 }}
          />
        </Flex>
        <ProblemAlert error={anomalies.error} />
        <Table<AnomalyView>
          rowKey="id"
          size="middle"
          loading={anomalies.loading}
          columns={columns(t, language, setOpenId)}
          dataSource={anomalies.data?.items ?? []}
          scroll={{ x: 1400 }}
          onRow={(anomaly) => ({ onDoubleClick: () => setOpenId(anomaly.id) })}
          pagination={{
            current: page,
            pageSize,
            total: anomalies.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100],
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (nextPage, nextSize) => {
              setPage(nextPage);
              setPageSize(nextSize);
            },
          }}
        />
      </Card>
      <AnomalyDrawer id={openId} onClose={() => setOpenId(null)} onChanged={anomalies.reload} />
      {running ? <RunChecksModal onClose={() => setRunning(false)} onDone={anomalies.reload} /> : null}
    </>
  );
}
