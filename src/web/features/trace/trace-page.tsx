import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Flex, Form, Input, Table, Tabs } from 'antd';
import { FileProtectOutlined, SearchOutlined } from '@ant-design/icons';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing, formatKg } from '../flows/flow-format.ts';
import type { BatchNode, Certificate, TraceBack, TraceForward } from '../flows/flow-types.ts';
import { useProducts } from '../flows/use-products.ts';
import { LineageGraph } from './lineage-graph.tsx';
import { MovementsTable, OriginKindTag, OriginsTable } from './trace-tables.tsx';

type Direction = 'back' | 'forward';

function BatchFacts({
  batch,
  productName,
}: {
  readonly batch: BatchNode;
  readonly productName: (code: string) => string;
}) {
  const t = useTranslate();
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 3 }}
      data-testid="batch-facts"
      items={[
        { key: 'code', label: t('trace.batch'), children: <code>{batch.code}</code> },
        { key: 'product', label: t('flow.product'), children: `${productName(batch.product)}（${batch.product}）` },
        { key: 'kind', label: t('trace.originKind'), children: <OriginKindTag kind={batch.origin_kind} /> },
        { key: 'maker', label: t('trace.maker.name'), children: batch.maker.name },
        { key: 'credit', label: t('trace.creditCode'), children: <code>{batch.maker.credit_code}</code> },
        { key: 'made', label: t('trace.madeAt'), children: formatBeijing(batch.made_at) },
        {
          key: 'mass',
          label: t('flow.massShort'),
          children: <span className="numeric">{formatKg(batch.mass_kg)}</span>,
        },
        {
          key: 'reo',
          label: t('trace.reo'),
          children: <strong className="numeric">{formatKg(batch.reo_kg)} kg REO</strong>,
        },
        { key: 'event', label: t('trace.madeBy'), children: <code>{batch.made_by_event}</code> },
      ]}
    />
  );
}

function BackView({
  batchId,
  productName,
}: {
  readonly batchId: number;
  readonly productName: (code: string) => string;
}) {
  const t = useTranslate();
  const trace = useApi<TraceBack>(`/batches/${batchId}/trace/back`);
  if (trace.error) return <ProblemAlert error={trace.error} />;
  if (!trace.data) return <Card loading />;
  return (
    <>
      <Card title={t('trace.graph')} size="small" style={{ marginBottom: 16 }}>
        <LineageGraph
          focus={trace.data.batch}
          nodes={trace.data.nodes}
          edges={trace.data.edges}
          direction="back"
          productName={productName}
        />
      </Card>
      <Card title={t('trace.origins')} size="small">
        <OriginsTable trace={trace.data} productName={productName} />
      </Card>
    </>
  );
}

function ForwardView({
  batchId,
  productName,
}: {
  readonly batchId: number;
  readonly productName: (code: string) => string;
}) {
  const t = useTranslate();
  const trace = useApi<TraceForward>(`/batches/${batchId}/trace/forward`);
  if (trace.error) return <ProblemAlert error={trace.error} />;
  if (!trace.data) return <Card loading />;
  return (
    <>
      <Card title={t('trace.graph')} size="small" style={{ marginBottom: 16 }}>
        <LineageGraph
          focus={trace.data.batch}
          nodes={trace.data.nodes}
          edges={trace.data.edges}
          direction="forward"
          productName={productName}
        />
      </Card>
      <Card title={t('trace.movements')} size="small">
        <MovementsTable movements={trace.data.movements} nodes={[trace.data.batch, ...trace.data.nodes]} />
      </Card>
    </>
  );
}

/** 溯源: find a batch by code (and maker), then follow it back to its origins or forward to its destinations. */
export function TracePage() {
  const t = useTranslate();
  const navigate = useNavigate();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const { nameOf } = useProducts();
  const code = params.get('code') ?? '';
  const maker = params.get('maker') ?? '';
  const direction: Direction = params.get('tab') === 'forward' ? 'forward' : 'back';
  const found = useApi<BatchNode[]>(code ? '/batches' : null, { code, maker });
  const candidates = code ? (found.data ?? []) : [];
  const chosenId = Number(params.get('batch')) || (candidates.length === 1 ? (candidates[0]?.id ?? null) : null);
  const chosen = candidates.find((batch) => batch.id === chosenId) ?? null;
  const [issuing, setIssuing] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next, { replace: true });
  };

  const issue = async (batch: BatchNode) => {
    setIssuing(true);
    setError(undefined);
    try {
      const certificate = await api.post<Certificate>(`/batches/${batch.id}/certificates`);
      void navigate(`/certificates/${certificate.code}?batch=${batch.id}`, { state: { certificate } });
    } catch (failure) {
      setError(failure);
    } finally {
      setIssuing(false);
    }
  };

  return (
    <>
      <PageHeader title={t('trace.title')} subtitle={t('trace.subtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Form
          layout="inline"
          key={`${code}|${maker}`}
          initialValues={{ code, maker }}
          onFinish={(values: { code?: string; maker?: string }) =>
            update({ code: values.code?.trim() ?? '', maker: values.maker?.trim().toUpperCase() ?? '', batch: null })
          }
        >
          <Form.Item name="code" label={t('trace.code')} rules={[{ required: true, message: t('common.required') }]}>
            <Input id="trace-code" autoComplete="off" style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="maker" label={t('trace.maker')}>
            <Input id="trace-maker" autoComplete="off" maxLength={18} style={{ width: 220 }} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
              {t('trace.search')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      <ProblemAlert error={found.error ?? error} />
      {code && found.data && candidates.length === 0 ? (
        <Alert type="info" showIcon title={t('trace.none')} style={{ marginBottom: 16 }} />
      ) : null}
      {candidates.length > 1 && !chosen ? (
        <Card title={t('trace.found', { count: candidates.length })} style={{ marginBottom: 16 }}>
          <Table<BatchNode>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={candidates}
            columns={[
              { title: t('trace.batch'), dataIndex: 'code', render: (value: string) => <code>{value}</code> },
              { title: t('flow.product'), dataIndex: 'product', render: (value: string) => nameOf(value) },
              { title: t('trace.maker.name'), key: 'maker', render: (_value, batch) => batch.maker.name },
              { title: t('trace.madeAt'), dataIndex: 'made_at', render: (iso: string) => formatBeijing(iso) },
              {
                title: t('unit.kgReo'),
                dataIndex: 'reo_kg',
                align: 'right',
                render: (kg: number) => <span className="numeric">{formatKg(kg)}</span>,
              },
              {
                title: t('common.actions'),
                key: 'choose',
                render: (_value, batch) => (
                  <Button size="small" onClick={() => update({ batch: String(batch.id) })}>
                    {t('trace.choose')}
                  </Button>
                ),
              },
            ]}
          />
        </Card>
      ) : null}
      {chosen ? (
        <>
          <Card
            style={{ marginBottom: 16 }}
            title={
              <Flex gap={8} align="center">
                <code>{chosen.code}</code>
                <span>{nameOf(chosen.product)}</span>
              </Flex>
            }
            extra={
              can('certificate.issue') ? (
                <Button
                  type="primary"
                  icon={<FileProtectOutlined />}
                  loading={issuing}
                  onClick={() => void issue(chosen)}
                >
                  {t('trace.certificate')}
                </Button>
              ) : null
            }
          >
            <BatchFacts batch={chosen} productName={nameOf} />
          </Card>
          <Tabs
            activeKey={direction}
            onChange={(key) => update({ tab: key === 'forward' ? 'forward' : null })}
            items={[
              { key: 'back', label: t('trace.back'), children: <BackView batchId={chosen.id} productName={nameOf} /> },
              {
                key: 'forward',
                label: t('trace.forward'),
                children: <ForwardView batchId={chosen.id} productName={nameOf} />,
              },
            ]}
            destroyOnHidden
          />
        </>
      ) : null}
    </>
  );
}
