import { useState } from 'react';
import { Button, Card, Empty, Flex, Input, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser, useSession } from '../../shared/session.tsx';
import type { Enterprise } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { FlowEventDrawer } from './flow-event-form.tsx';
import { formatBeijing, formatKg, monthInChina, ppmToPercent } from './flow-format.ts';
import { FlowKindTag } from './flow-labels.tsx';
import { flowKindList, type FlowEventView, type FlowKind, type FlowPage } from './flow-types.ts';
import { useProducts } from './use-products.ts';

function documentsText(documents: FlowEventView['documents']): string {
  return [documents.invoice_no, documents.waybill_no, documents.customs_declaration_no].filter(Boolean).join(' / ');
}

function columns(t: Translate, nameOf: (code: string) => string): TableColumnsType<FlowEventView> {
  return [
    {
      title: t('flow.time'),
      dataIndex: 'event_time',
      width: 150,
      render: (iso: string) => <span className="numeric">{formatBeijing(iso)}</span>,
    },
    {
      title: t('flow.eventId'),
      dataIndex: 'event_id',
      render: (id: string, line) => (
        <Flex vertical>
          <code>{id}</code>
          {line.amends ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('flows.amendment')}: {line.amends.join(', ')}
            </Typography.Text>
          ) : null}
        </Flex>
      ),
    },
    {
      title: t('flow.kind'),
      dataIndex: 'kind',
      render: (kind: FlowKind, line) => (
        <Flex gap={4} wrap>
          <FlowKindTag kind={kind} />
          {kind === 'transform' ? <Tag>{t(`flowDirection.${line.direction}`)}</Tag> : null}
          {line.superseded ? <Tag color="default">{t('flows.superseded')}</Tag> : null}
        </Flex>
      ),
    },
    {
      title: t('flow.batch'),
      dataIndex: 'batch',
      render: (batch: string, line) => (
        <Link to={`/trace?code=${encodeURIComponent(batch)}&maker=${encodeURIComponent(line.batch_maker)}`}>
          {batch}
        </Link>
      ),
    },
    {
      title: t('flow.product'),
      dataIndex: 'product',
      render: (code: string) => <Tooltip title={code}>{nameOf(code)}</Tooltip>,
    },
    {
      title: t('flow.massShort'),
      dataIndex: 'mass_kg',
      align: 'right',
      render: (kg: number, line) => (
        <span className="numeric">
          {line.direction === 'out' ? '−' : ''}
          {formatKg(kg)}
        </span>
      ),
    },
    {
      title: t('flow.grade'),
      dataIndex: 'grade_ppm',
      align: 'right',
      render: (ppm: number | null) => <span className="numeric">{ppm === null ? '—' : ppmToPercent(ppm)}</span>,
    },
    {
      title: t('unit.kgReo'),
      dataIndex: 'reo_kg',
      align: 'right',
      render: (kg: number, line) => (
        <span className="numeric">
          {line.direction === 'out' ? '−' : ''}
          {formatKg(kg)}
        </span>
      ),
    },
    {
      title: t('flow.counterpartyShort'),
      key: 'counterparty',
      render: (_value, line) => line.counterparty_name ?? line.counterparty ?? '—',
    },
    {
      title: t('flow.documents'),
      dataIndex: 'documents',
      render: (documents: FlowEventView['documents']) => documentsText(documents) || '—',
    },
  ];
}

/**
 * 流向记录: an enterprise's flow lines of one month. Enterprise users see their own and record events;
 * officials reach an enterprise's records with ?enterprise_id= (from the board or an anomaly).
 */
export function FlowsPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const enterpriseId = params.get('enterprise_id') ?? user.enterprise_id ?? null;
  const period = params.get('period') ?? monthInChina();
  const [kind, setKind] = useState<FlowKind | null>(null);
  const [batch, setBatch] = useState('');
  const [page, setPageState] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  // The `next` cursor of each page seen (page n + 1 → cursor): moving on reads by keyset; a jump falls back to `page`.
  const [cursors, setCursors] = useState<ReadonlyMap<number, string>>(new Map());
  const setPage = (target: number) => {
    if (target === 1) setCursors(new Map());
    setPageState(target);
  };
  const [recording, setRecording] = useState(false);
  const own = enterpriseId !== null && enterpriseId === user.enterprise_id;
  const mayWrite = own && can('flow.write');
  const { nameOf } = useProducts();
  const flows = useApi<FlowPage>(enterpriseId ? '/flows' : null, {
    enterprise_id: enterpriseId,
    period,
    kind,
    batch,
    page,
    page_size: pageSize,
    after: cursors.get(page),
  });
  const enterprise = useApi<Enterprise>(
    enterpriseId && !own ? `/enterprises/${encodeURIComponent(enterpriseId)}` : null,
  );

  const setPeriod = (next: string) => {
    const copy = new URLSearchParams(params);
    copy.set('period', next);
    setParams(copy, { replace: true });
    setPage(1);
  };

  const title = enterprise.data ? t('flows.of', { name: enterprise.data.name }) : t('flows.title');
  return (
    <>
      <PageHeader
        title={title}
        subtitle={t('flows.subtitle')}
        extra={
          mayWrite ? (
            <>
              <Link to="/flows/upload">
                <Button icon={<UploadOutlined />}>{t('flows.upload')}</Button>
              </Link>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setRecording(true)}>
                {t('flows.record')}
              </Button>
            </>
          ) : null
        }
      />
      {enterpriseId === null ? (
        <Card>
          <Empty description={t('flows.noEnterprise')} />
        </Card>
      ) : (
        <Card>
          <Flex gap="small" wrap align="center" style={{ marginBottom: 16 }}>
            <Typography.Text>{t('flows.month')}</Typography.Text>
            <Input
              id="flows-period"
              type="month"
              value={period}
              onChange={(event) => event.target.value && setPeriod(event.target.value)}
              style={{ width: 170 }}
            />
            <Select<FlowKind>
              id="flows-kind"
              allowClear
              placeholder={t('flows.kind')}
              value={kind}
              onChange={(value) => {
                setKind(value ?? null);
                setPage(1);
              }}
              options={flowKindList.map((value) => ({ value, label: t(`flowKind.${value}`) }))}
              style={{ width: 150 }}
            />
            <Input.Search
              id="flows-batch"
              allowClear
              enterButton={t('common.search')}
              placeholder={t('flows.batchFilter')}
              onSearch={(value) => {
                setBatch(value.trim());
                setPage(1);
              }}
              style={{ maxWidth: 320 }}
            />
          </Flex>
          <ProblemAlert error={flows.error ?? enterprise.error} />
          <Table<FlowEventView>
            rowKey={(line) => `${line.event_id}:${line.line_no}:${line.submission_id}`}
            size="middle"
            loading={flows.loading}
            columns={columns(t, nameOf)}
            dataSource={flows.data?.items ?? []}
            scroll={{ x: 1200 }}
            rowClassName={(line) => (line.superseded ? 'flow-superseded' : '')}
            pagination={{
              current: page,
              pageSize,
              total: flows.data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [20, 50, 100, 200],
              showTotal: (total) => t('common.total', { count: total }),
              onChange: (nextPage, nextSize) => {
                if (nextSize !== pageSize) {
                  setCursors(new Map());
                  setPageState(1);
                } else {
                  const next = flows.data?.next;
                  if (nextPage === page + 1 && next) setCursors(new Map(cursors).set(nextPage, next));
                  setPage(nextPage);
                }
                setPageSize(nextSize);
              },
            }}
          />
        </Card>
      )}
      {mayWrite ? (
        <FlowEventDrawer
          open={recording}
          onClose={() => setRecording(false)}
          onRecorded={(_result, eventPeriod) => {
            setRecording(false);
            if (eventPeriod !== period) setPeriod(eventPeriod);
            else flows.reload();
          }}
        />
      ) : null}
    </>
  );
}
