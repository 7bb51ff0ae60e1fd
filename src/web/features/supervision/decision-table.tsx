import { Flex, Table, Typography } from 'antd';
import type { TableColumnsType, TablePaginationConfig } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import { DecisionKindTag, DecisionStatusTag, DecisionTerms } from './supervision-labels.tsx';
import type { DecisionView } from './supervision-types.ts';

/** Which optional columns a table of decisions shows. */
interface DecisionTableProps {
  readonly decisions: readonly DecisionView[];
  readonly loading?: boolean;
  readonly testId: string;
  /** The enterprise column (left out on a violation's own page). */
  readonly showEnterprise?: boolean;
  /** Who reported it, from where and when (the level above's view). */
  readonly showReported?: boolean;
  readonly pagination?: TablePaginationConfig | false;
}

/** Decisions in a table: document number (to the decision), kind, terms, state with 逾期 and 终局, upward report. */
export function DecisionTable({
  decisions,
  loading = false,
  testId,
  showEnterprise = true,
  showReported = false,
  pagination = false,
}: DecisionTableProps) {
  const t = useTranslate();
  const columns: TableColumnsType<DecisionView> = [
    {
      title: t('decisions.documentNo'),
      dataIndex: 'document_no',
      render: (no: string, decision) => <Link to={`/supervision/decisions/${decision.id}`}>{no}</Link>,
    },
    ...(showEnterprise
      ? [
          {
            title: t('supervision.enterprise'),
            dataIndex: 'enterprise_name',
            render: (name: string, decision: DecisionView) => (
              <Flex vertical gap={2}>
                <span>{name}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {decision.division_code} · {t(`department.${decision.department}`)}
                </Typography.Text>
              </Flex>
            ),
          },
        ]
      : []),
    {
      title: t('decisions.kind'),
      dataIndex: 'kind',
      render: (_kind: string, decision) => <DecisionKindTag kind={decision.kind} />,
    },
    { title: t('decisions.detail'), key: 'terms', render: (_value, decision) => <DecisionTerms decision={decision} /> },
    {
      title: t('decisions.decidedOn'),
      dataIndex: 'decided_on',
      render: (date: string) => <span className="numeric">{date}</span>,
    },
    {
      title: t('supervision.status'),
      dataIndex: 'status',
      render: (_status: string, decision) => <DecisionStatusTag decision={decision} />,
    },
    ...(showReported
      ? [
          {
            title: t('reported.from'),
            dataIndex: 'division_code',
            render: (code: string) => <span className="numeric">{code}</span>,
          },
          { title: t('reported.by'), dataIndex: 'reported_upward_by', render: (by: string | null) => by ?? '—' },
          {
            title: t('reported.at'),
            dataIndex: 'reported_upward_at',
            render: (iso: string | null) => (iso ? <span className="numeric">{formatBeijing(iso)}</span> : '—'),
          },
        ]
      : [
          {
            title: t('decisions.reportedUpward'),
            dataIndex: 'reported_upward_at',
            render: (iso: string | null) =>
              iso ? (
                <span className="numeric">{formatBeijing(iso)}</span>
              ) : (
                <Typography.Text type="secondary">{t('decisions.notReported')}</Typography.Text>
              ),
          },
        ]),
  ];
  return (
    <Table<DecisionView>
      rowKey="id"
      size="middle"
      data-testid={testId}
      loading={loading}
      dataSource={[...decisions]}
      columns={columns}
      pagination={pagination}
      scroll={{ x: 'max-content' }}
      // Overdue orders stand out in red, whatever table they are in.
      onRow={(decision) => (decision.overdue ? { style: { background: '#fff1f0' } } : {})}
    />
  );
}
