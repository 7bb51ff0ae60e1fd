import { useState } from 'react';
import { Button, Card, Flex, InputNumber, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, SlidersOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { RiskItem, RiskReason, RiskView } from '../../../contracts/supervision-risk.ts';
import { DivisionSelect } from '../../shared/division-select.tsx';
import { useLanguage, useTranslate, type Language, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing, formatShare, monthInChina } from '../flows/flow-format.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { RiskWeightsModal } from './risk-weights-modal.tsx';
import { InspectionStatusTag, useSupervisionWriter } from './supervision-labels.tsx';

/** The most anomalies a plan may rest on (the contract's limit). */
const MAX_PLAN_ANOMALIES = 50;

/** 计划检查 from a row: the enterprise, the anomalies its reasons count, and the other reasons in words. */
export function planLink(item: RiskItem, language: Language): string {
  const anomalyIds = [...new Set(item.reasons.flatMap((reason) => reason.anomaly_ids))].slice(0, MAX_PLAN_ANOMALIES);
  const reasons = item.reasons
    .filter((reason) => reason.anomaly_ids.length === 0)
    .map((reason) => (language === 'zh' ? reason.text.zh : reason.text.en));
  const params = new URLSearchParams({
    plan: '1',
    enterprise_id: item.enterprise_id,
    enterprise_name: item.enterprise_name,
  });
  for (const id of anomalyIds) params.append('anomaly_id', id);
  for (const reason of reasons) params.append('reason', reason);
  return `/supervision/inspections?${params.toString()}`;
}

function ReasonLine({ reason }: { readonly reason: RiskReason }) {
  const t = useTranslate();
  const language = useLanguage();
  return (
    <Flex gap={6} align="baseline">
      <Tag color={reason.points > 0 ? 'orange' : 'default'} style={{ marginInlineEnd: 0 }} className="numeric">
        {t('risk.points', { points: reason.points })}
      </Tag>
      <Typography.Text>
        <Typography.Text type="secondary">{labelOf(t, 'riskFactor', reason.factor)}：</Typography.Text>
        {language === 'zh' ? reason.text.zh : reason.text.en}
      </Typography.Text>
    </Flex>
  );
}

function columns(t: Translate, writer: boolean, plan: (item: RiskItem) => void): TableColumnsType<RiskItem> {
  const planColumn: TableColumnsType<RiskItem> = writer
    ? [
        {
          title: t('common.actions'),
          key: 'plan',
          width: 120,
          fixed: 'right' as const,
          render: (_value, item) =>
            item.inspection_open ? null : (
              <Button size="small" icon={<PlusOutlined />} data-testid="risk-plan" onClick={() => plan(item)}>
                {t('risk.plan')}
              </Button>
            ),
        },
      ]
    : [];
  return [
    {
      title: t('risk.rank'),
      dataIndex: 'rank',
      width: 70,
      render: (rank: number) => <strong className="numeric">{rank}</strong>,
    },
    {
      title: t('supervision.enterprise'),
      dataIndex: 'enterprise_name',
      width: 240,
      render: (name: string, item) => (
        <Flex vertical gap={2}>
          <Link to={`/enterprises/${item.enterprise_id}`}>{name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {item.domicile_code}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('risk.score'),
      dataIndex: 'score',
      width: 90,
      render: (score: number) => (
        <Typography.Text strong className="numeric" type={score > 0 ? 'danger' : 'secondary'} style={{ fontSize: 16 }}>
          {score}
        </Typography.Text>
      ),
    },
    {
      title: t('risk.reasons'),
      dataIndex: 'reasons',
      width: 440,
      render: (reasons: RiskReason[]) =>
        reasons.length === 0 ? (
          '—'
        ) : (
          <Flex vertical gap={4} data-testid="risk-reasons">
            {reasons.map((reason) => (
              <ReasonLine key={`${reason.factor}:${reason.detail ?? ''}`} reason={reason} />
            ))}
          </Flex>
        ),
    },
    {
      title: t('risk.inspection'),
      dataIndex: 'inspection',
      width: 150,
      render: (inspection: RiskItem['inspection']) =>
        inspection ? (
          <Link to={`/supervision/inspections/${inspection.id}`}>
            <Flex vertical gap={2} align="flex-start">
              <InspectionStatusTag status={inspection.status} />
              <span className="numeric">{inspection.visited_on ?? inspection.planned_on}</span>
            </Flex>
          </Link>
        ) : (
          <Typography.Text type="secondary">{t('risk.noInspection')}</Typography.Text>
        ),
    },
    ...planColumn,
  ];
}

/** 风险排序: the designated enterprises of a division ranked by inspection risk, each with its reasons. */
export function RiskPage() {
  const t = useTranslate();
  const language = useLanguage();
  const navigate = useNavigate();
  const writer = useSupervisionWriter();
  const [params, setParams] = useSearchParams();
  const year = Number(params.get('year') ?? monthInChina().slice(0, 4));
  const division = params.get('division') ?? undefined;
  const risk = useApi<RiskView>('/supervision/risk', { year, division });
  const [editing, setEditing] = useState(false);
  const data = risk.loading ? undefined : risk.data;
  const weights = risk.data?.weights;

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(name);
      else next.set(name, value);
    }
    setParams(next);
  };

  const source = weights
    ? weights.source === 'own'
      ? t('risk.weightsSource.own', { version: weights.source_version })
      : weights.source === 'inherited'
        ? t('risk.weightsSource.inherited', {
            code: weights.source_division_code ?? '',
            version: weights.source_version,
          })
        : t('risk.weightsSource.default')
    : '';

  return (
    <>
      <PageHeader
        title={t('risk.title')}
        subtitle={t('risk.subtitle')}
        extra={
          <>
            <InputNumber<number>
              aria-label={t('risk.year')}
              prefix={t('risk.year')}
              min={2000}
              max={2100}
              precision={0}
              value={year}
              onChange={(next) => next !== null && next >= 2000 && next <= 2100 && update({ year: String(next) })}
            />
            <div style={{ width: 240 }}>
              <DivisionSelect
                id="risk-division"
                value={division ?? null}
                placeholder={t('risk.divisionPlaceholder')}
                onChange={(code) => update({ division: code ?? undefined })}
              />
            </div>
            {writer && weights ? (
              <Button icon={<SlidersOutlined />} onClick={() => setEditing(true)} data-testid="edit-weights">
                {t('risk.editWeights')}
              </Button>
            ) : null}
          </>
        }
      />
      <ProblemAlert error={risk.error} />
      {data ? (
        <Flex gap="small" wrap style={{ marginBottom: 12 }}>
          <Typography.Text type="secondary">
            {t('risk.asOf', { time: formatBeijing(data.as_of), elapsed: formatShare(data.elapsed_ppm) })}
          </Typography.Text>
          <Tag data-testid="weights-source">
            {t('risk.weights')}：{source}
          </Tag>
        </Flex>
      ) : null}
      <Card>
        <Table<RiskItem>
          rowKey="enterprise_id"
          size="middle"
          data-testid="risk"
          loading={risk.loading}
          dataSource={data?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          columns={columns(t, writer, (item) => void navigate(planLink(item, language)))}
        />
      </Card>
      {editing && weights ? (
        <RiskWeightsModal
          view={weights}
          onClose={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            risk.reload();
          }}
        />
      ) : null}
    </>
  );
}
