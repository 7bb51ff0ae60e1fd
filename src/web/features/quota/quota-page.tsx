import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Empty,
  Flex,
  InputNumber,
  Progress,
  Row,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router-dom';
import { formatDateTime, formatTonnes } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import type { Enterprise } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import type { LedgerEntry, Quota, QuotaLine } from '../indicators/indicator-types.ts';
import { QuotaChart } from './quota-chart.tsx';

const percent = (ppm: number | null) => (ppm === null ? 0 : Number((ppm / 10_000).toFixed(1)));

function QuotaLineCard({ line, elapsedPpm }: { readonly line: QuotaLine; readonly elapsedPpm: number }) {
  const t = useTranslate();
  const tonnes = (kg: number) => `${formatTonnes(kg)}`;
  return (
    <Card title={labelOf(t, 'category', line.category)} data-testid={`quota-${line.category}`} size="small">
      {line.over_balance ? (
        <Alert type="error" showIcon title={t('quota.overBalance')} style={{ marginBottom: 12 }} />
      ) : null}
      <Row gutter={16}>
        <Col span={8}>
          <Statistic title={t('quota.allocated')} value={tonnes(line.allocated_reo_kg)} suffix={t('unit.tonnes')} />
        </Col>
        <Col span={8}>
          <Statistic title={t('quota.consumed')} value={tonnes(line.consumed_reo_kg)} suffix={t('unit.tonnes')} />
        </Col>
        <Col span={8}>
          <Statistic
            title={t('quota.remaining')}
            value={`${line.remaining_reo_kg < 0 ? '−' : ''}${tonnes(Math.abs(line.remaining_reo_kg))}`}
            suffix={t('unit.tonnes')}
            styles={{ content: { color: line.remaining_reo_kg < 0 ? '#cf1322' : undefined } }}
          />
        </Col>
      </Row>
      {line.reduced_reo_kg > 0 ? (
        <Typography.Text type="danger">{`${t('quota.reduced')} ${tonnes(line.reduced_reo_kg)} ${t('unit.tonnes')}`}</Typography.Text>
      ) : null}
      <div style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">{t('quota.utilisation')}</Typography.Text>
        <Progress
          percent={percent(line.utilisation_ppm)}
          success={{ percent: 0 }}
          status={line.over_balance ? 'exception' : 'normal'}
        />
        <Typography.Text type="secondary">{t('quota.elapsed')}</Typography.Text>
        <Progress percent={percent(elapsedPpm)} strokeColor="#bfbfbf" />
      </div>
    </Card>
  );
}

function QuotaView({ enterpriseId }: { readonly enterpriseId: string }) {
  const t = useTranslate();
  const language = useLanguage();
  const [year, setYear] = useState(new Date().getFullYear());
  const quota = useApi<Quota>(`/quota/enterprises/${enterpriseId}`, { year });
  const entries = useApi<LedgerEntry[]>(`/quota/enterprises/${enterpriseId}/entries`, { year });
  const lines = quota.data?.lines ?? [];

  return (
    <>
      <Flex align="center" gap={8} style={{ marginBottom: 16 }}>
        <Typography.Text>{t('plans.year')}</Typography.Text>
        <InputNumber
          id="quota-year"
          min={2000}
          max={2100}
          precision={0}
          value={year}
          onChange={(value) => {
            // Only whole years: typing 2024 passes through 2, 20 and 202 on the way.
            if (value !== null && value >= 2000) setYear(value);
          }}
        />
      </Flex>
      <ProblemAlert error={quota.error ?? entries.error} />
      {quota.data && lines.length === 0 ? (
        <Card style={{ marginBottom: 16 }}>
          <Empty description={t('quota.none')} />
        </Card>
      ) : null}
      {quota.data && lines.length > 0 ? (
        <>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            {lines.map((line) => (
              <Col key={line.category} xs={24} lg={12}>
                <QuotaLineCard line={line} elapsedPpm={quota.data?.elapsed_ppm ?? 0} />
              </Col>
            ))}
          </Row>
          <Card title={t('quota.chart')} style={{ marginBottom: 16 }}>
            <QuotaChart quota={quota.data} />
          </Card>
        </>
      ) : null}
      <Card title={t('quota.entries')}>
        <Table<LedgerEntry>
          rowKey="id"
          size="small"
          loading={entries.loading}
          dataSource={entries.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          columns={[
            {
              title: t('entry.createdAt'),
              dataIndex: 'created_at',
              render: (iso: string) => formatDateTime(iso, language),
            },
            {
              title: t('allocation.category'),
              dataIndex: 'category',
              render: (value: string) => labelOf(t, 'category', value),
            },
            { title: t('entry.kind'), dataIndex: 'kind', render: (kind: string) => labelOf(t, 'entryKind', kind) },
            {
              title: t('entry.direction'),
              dataIndex: 'direction',
              render: (direction: LedgerEntry['direction']) => (
                <Tag color={direction === 'in' ? 'green' : 'volcano'}>{t(`entry.${direction}`)}</Tag>
              ),
            },
            {
              title: t('unit.tonnesReo'),
              dataIndex: 'reo_kg',
              align: 'right',
              render: (kg: number, entry) => (
                <span className="numeric">
                  {entry.direction === 'out' ? '−' : '+'}
                  {formatTonnes(kg)}
                  {entry.over_balance ? (
                    <Tag color="red" style={{ marginLeft: 8 }}>
                      {t('quota.overBalance')}
                    </Tag>
                  ) : null}
                </span>
              ),
            },
            { title: t('entry.reference'), dataIndex: 'reference', render: (text: string) => <code>{text}</code> },
            { title: t('entry.memo'), dataIndex: 'memo' },
          ]}
        />
      </Card>
    </>
  );
}

/** An enterprise user's own quota. */
export function OwnQuotaPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  return (
    <>
      <PageHeader title={t('quota.title')} subtitle={t('quota.subtitle')} />
      {user.enterprise_id ? (
        <QuotaView enterpriseId={user.enterprise_id} />
      ) : (
        <Empty description={t('quota.noEnterprise')} />
      )}
    </>
  );
}

/** An official's view of one enterprise's quota, reached from the enterprise page. */
export function EnterpriseQuotaPage() {
  const t = useTranslate();
  const { id = '' } = useParams();
  const enterprise = useApi<Enterprise>(`/enterprises/${encodeURIComponent(id)}`);
  return (
    <>
      <PageHeader
        title={`${t('quota.title')} · ${enterprise.data?.name ?? ''}`}
        subtitle={t('quota.subtitle')}
        extra={
          <Link to={`/enterprises/${id}`}>
            <Button icon={<ArrowLeftOutlined />}>{enterprise.data?.name ?? t('nav.enterprises')}</Button>
          </Link>
        }
      />
      <ProblemAlert error={enterprise.error} />
      <QuotaView enterpriseId={id} />
    </>
  );
}
