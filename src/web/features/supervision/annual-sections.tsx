import { Card, Col, Row, Statistic, Table, Typography } from 'antd';
import type { AnnualReportContent } from '../../../contracts/supervision-annual.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { formatKg, formatShare } from '../flows/flow-format.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { DecisionKindTag, OutcomeTag } from './supervision-labels.tsx';

type Content = AnnualReportContent;
type IndicatorLine = Content['indicators']['totals'][number];

const kg = (value: number) => <span className="numeric">{formatKg(value)}</span>;
const share = (ppm: number | null) => <span className="numeric">{ppm === null ? '—' : formatShare(ppm)}</span>;

/** 一、监督检查情况: the year's inspections in figures, and each of them. */
function InspectionsSection({ content }: { readonly content: Content }) {
  const t = useTranslate();
  const { inspections } = content;
  return (
    <Card title={t('annual.section.inspections')} style={{ marginBottom: 16 }} data-testid="annual-inspections">
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={4}>
          <Statistic title={t('annual.planned')} value={inspections.planned} />
        </Col>
        <Col xs={12} md={4}>
          <Statistic title={t('annual.visited')} value={inspections.visited} />
        </Col>
        <Col xs={12} md={4}>
          <Statistic title={t('annual.pending')} value={inspections.pending} />
        </Col>
        {(['no_violation', 'violation_found', 'obstructed'] as const).map((outcome) => (
          <Col xs={12} md={4} key={outcome}>
            <Statistic title={t(`inspectionOutcome.${outcome}`)} value={inspections.outcomes[outcome]} />
          </Col>
        ))}
      </Row>
      <Table
        rowKey="inspection_id"
        size="small"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        dataSource={inspections.items}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('supervision.enterprise'), dataIndex: 'enterprise_name' },
          {
            title: t('supervision.department'),
            key: 'department',
            render: (_v, item) => `${item.division_code} · ${t(`department.${item.department}`)}`,
          },
          { title: t('inspections.plannedOn'), dataIndex: 'planned_on' },
          { title: t('inspections.visitedOn'), dataIndex: 'visited_on', render: (date: string | null) => date ?? '—' },
          {
            title: t('inspections.outcome'),
            dataIndex: 'outcome',
            render: (_v, item) => <OutcomeTag outcome={item.outcome} />,
          },
        ]}
      />
    </Card>
  );
}

/** 二、违法违规行为（按类型）: every type of the legal-basis table, zeros included. */
function ViolationsSection({ content }: { readonly content: Content }) {
  const t = useTranslate();
  return (
    <Card
      title={t('annual.section.violations')}
      extra={<Typography.Text strong>{content.violations.total}</Typography.Text>}
      style={{ marginBottom: 16 }}
      data-testid="annual-violations"
    >
      <Table
        rowKey="type"
        size="small"
        pagination={false}
        dataSource={content.violations.by_type}
        columns={[
          { title: t('violations.type'), dataIndex: 'label' },
          {
            title: t('violations.legalBasis'),
            dataIndex: 'legal_basis',
            render: (basis: string, row) => `${basis}（${row.citation}）`,
          },
          {
            title: t('annual.count'),
            dataIndex: 'count',
            align: 'right',
            render: (count: number) => <strong className="numeric">{count}</strong>,
          },
        ]}
      />
    </Card>
  );
}

/** 三、处理处罚决定: per kind with follow-up and overdue, the fines, the final penalties. */
function DecisionsSection({ content }: { readonly content: Content }) {
  const t = useTranslate();
  const { decisions } = content;
  const number = (value: number) => <span className="numeric">{value}</span>;
  return (
    <Card
      title={t('annual.section.decisions')}
      extra={
        <Typography.Text>
          {t('annual.fines', { count: decisions.fines.count, total: formatKg(decisions.fines.total_yuan) })}
        </Typography.Text>
      }
      style={{ marginBottom: 16 }}
      data-testid="annual-decisions"
    >
      <Table
        rowKey="kind"
        size="small"
        pagination={false}
        dataSource={decisions.by_kind}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('decisions.kind'), dataIndex: 'kind', render: (_v, row) => <DecisionKindTag kind={row.kind} /> },
          { title: t('annual.count'), dataIndex: 'count', align: 'right', render: number },
          { title: t('decisionStatus.open'), dataIndex: 'open', align: 'right', render: number },
          { title: t('decisionStatus.complied'), dataIndex: 'complied', align: 'right', render: number },
          { title: t('decisionStatus.closed'), dataIndex: 'closed', align: 'right', render: number },
          {
            title: t('supervision.overdue'),
            dataIndex: 'overdue',
            align: 'right',
            render: (value: number) =>
              value > 0 ? (
                <Typography.Text type="danger" strong className="numeric">
                  {value}
                </Typography.Text>
              ) : (
                number(value)
              ),
          },
          {
            title: t('decisions.fineYuan'),
            dataIndex: 'fine_yuan',
            align: 'right',
            render: (value: number) => kg(value),
          },
          { title: t('supervision.final'), dataIndex: 'final', align: 'right', render: number },
        ]}
      />
      {decisions.final_penalties.length > 0 ? (
        <Table
          style={{ marginTop: 16 }}
          rowKey="decision_id"
          size="small"
          pagination={false}
          dataSource={decisions.final_penalties}
          columns={[
            { title: t('supervision.final'), dataIndex: 'document_no' },
            { title: t('supervision.enterprise'), dataIndex: 'enterprise_name' },
            { title: t('decisions.kind'), dataIndex: 'kind', render: (_v, row) => <DecisionKindTag kind={row.kind} /> },
            { title: t('decisions.decidedOn'), dataIndex: 'decided_on' },
            {
              title: t('decisions.fineYuan'),
              dataIndex: 'fine_yuan',
              align: 'right',
              render: (value: number | null) => (value === null ? '—' : kg(value)),
            },
          ]}
        />
      ) : null}
    </Card>
  );
}

/** 四、总量控制指标执行情况（分企业）: one row per enterprise and category, then the totals. */
function IndicatorsSection({ content }: { readonly content: Content }) {
  const t = useTranslate();
  const rows = content.indicators.enterprises.flatMap((enterprise) =>
    enterprise.lines.map((line, index) => ({
      key: `${enterprise.enterprise_id}:${line.category}`,
      name: enterprise.enterprise_name,
      span: index === 0 ? enterprise.lines.length : 0,
      ...line,
    })),
  );
  const figures = [
    { title: t('annual.allocated'), dataIndex: 'allocated_reo_kg', align: 'right' as const, render: kg },
    { title: t('annual.produced'), dataIndex: 'produced_reo_kg', align: 'right' as const, render: kg },
    { title: t('annual.consumed'), dataIndex: 'consumed_reo_kg', align: 'right' as const, render: kg },
    { title: t('annual.remaining'), dataIndex: 'remaining_reo_kg', align: 'right' as const, render: kg },
    { title: t('annual.utilisation'), dataIndex: 'utilisation_ppm', align: 'right' as const, render: share },
  ];
  return (
    <Card title={t('annual.section.indicators')} style={{ marginBottom: 16 }} data-testid="annual-indicators">
      <Table
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('supervision.enterprise'), dataIndex: 'name', onCell: (row) => ({ rowSpan: row.span }) },
          {
            title: t('annual.category'),
            dataIndex: 'category',
            render: (category: string) => labelOf(t, 'category', category),
          },
          ...figures,
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('annual.totals')}
      </Typography.Title>
      <Table<IndicatorLine>
        rowKey="category"
        size="small"
        pagination={false}
        dataSource={content.indicators.totals}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            title: t('annual.category'),
            dataIndex: 'category',
            render: (category: string) => labelOf(t, 'category', category),
          },
          ...figures,
        ]}
      />
    </Card>
  );
}

/** The four sections of the provincial annual supervision report, as generated (or as frozen on submission). */
export function AnnualSections({ content }: { readonly content: Content }) {
  return (
    <>
      <InspectionsSection content={content} />
      <ViolationsSection content={content} />
      <DecisionsSection content={content} />
      <IndicatorsSection content={content} />
    </>
  );
}
