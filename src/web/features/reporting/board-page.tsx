import { useState } from 'react';
import { App as AntApp, Button, Card, Col, Descriptions, Flex, Popconfirm, Row, Statistic, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { api, queryString } from '../../shared/api.ts';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import { DivisionBreadcrumb } from './division-path.tsx';
import { RemindersBanner } from './reminders-banner.tsx';
import { isPeriod } from './report-rules.ts';
import { ExportMenu, LateTag, lastMonth, LevelTag, PeriodPicker, ReportStatusTag } from './reporting-labels.tsx';
import { reportStatusList, type BoardNode, type BoardView, type ReminderResult } from './reporting-types.ts';

const countColours: Record<(typeof reportStatusList)[number], string> = {
  not_due: '#8c8c8c',
  due: '#1677ff',
  late: '#cf1322',
  submitted: '#08979c',
  returned: '#d48806',
  compiled: '#1d39c4',
  forwarded: '#389e0d',
};

const boardLink = (period: string, code: string) => `/reporting/board${queryString({ period, division_code: code })}`;

/** Where a node's document is read: an enterprise's report, or a division's compilation. */
export function nodeDocumentLink(node: BoardNode, period: string): string {
  if (node.kind === 'division') return `/compilations/${node.code}/${period}`;
  if (node.document_id) return `/reports/${node.document_id}`;
  return `/reports${queryString({ enterprise_id: node.id, period })}`;
}

/** Enterprises under a node by status, as small coloured counts (only the statuses that occur). */
function EnterpriseCounts({ counts }: { readonly counts: Record<string, number> }) {
  const t = useTranslate();
  const present = reportStatusList.filter((status) => (counts[status] ?? 0) > 0);
  if (present.length === 0) return <>—</>;
  return (
    <Flex gap={4} wrap>
      {present.map((status) => (
        <Tag key={status} color={countColours[status]} style={{ marginInlineEnd: 0 }}>
          {t(`reportStatus.${status}`)} {counts[status]}
        </Tag>
      ))}
    </Flex>
  );
}

function columns(t: Translate, period: string): TableColumnsType<BoardNode> {
  return [
    {
      title: t('statusBoard.node'),
      dataIndex: 'name',
      render: (name: string, node) =>
        node.kind === 'division' && node.has_children ? (
          <Link to={boardLink(period, node.code)}>{name}</Link>
        ) : (
          <Link to={nodeDocumentLink(node, period)}>{name}</Link>
        ),
    },
    {
      title: t('statusBoard.level'),
      dataIndex: 'level',
      render: (level: BoardNode['level']) => <LevelTag level={level} />,
    },
    {
      title: t('statusBoard.status'),
      dataIndex: 'status',
      filters: reportStatusList.map((status) => ({ text: t(`reportStatus.${status}`), value: status })),
      onFilter: (value, node) => node.status === value,
      render: (status: BoardNode['status'], node) => (
        <Flex gap={4} wrap>
          <ReportStatusTag status={status} />
          {status !== 'late' ? <LateTag late={node.late} /> : null}
        </Flex>
      ),
    },
    {
      title: t('report.deadline'),
      dataIndex: 'deadline',
      render: (iso: string) => <span className="numeric">{formatBeijing(iso)}</span>,
    },
    {
      title: t('statusBoard.submittedAt'),
      dataIndex: 'submitted_at',
      render: (iso: string | null, node) =>
        iso ? (
          <span className="numeric">
            {formatBeijing(iso)} · {t('report.version', { version: node.version ?? 1 })}
          </span>
        ) : (
          '—'
        ),
    },
    {
      title: t('statusBoard.enterprises'),
      dataIndex: 'enterprises',
      render: (counts: Record<string, number>) => <EnterpriseCounts counts={counts} />,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_value, node) => (
        <Flex gap="small" wrap>
          {node.kind === 'division' && node.has_children ? (
            <Link to={boardLink(period, node.code)}>{t('statusBoard.drillDown')}</Link>
          ) : null}
          <Link to={nodeDocumentLink(node, period)}>
            {node.kind === 'division' ? t('statusBoard.openCompilation') : t('statusBoard.openReport')}
          </Link>
        </Flex>
      ),
    },
  ];
}

/** The node the board is about: its own standing and its enterprises by status. */
function NodeCard({ board }: { readonly board: BoardView }) {
  const t = useTranslate();
  const { node } = board;
  const total = Object.values(node.enterprises).reduce((sum, count) => sum + count, 0);
  return (
    <Card style={{ marginBottom: 16 }} data-testid="board-node">
      <Descriptions
        size="small"
        column={{ xs: 1, md: 3, xl: 5 }}
        items={[
          {
            key: 'name',
            label: t('statusBoard.node'),
            children: (
              <Flex gap={4} align="center">
                <strong>{node.name}</strong>
                {node.level !== 'nation' ? <LevelTag level={node.level} /> : null}
              </Flex>
            ),
          },
          {
            key: 'status',
            label: t('statusBoard.status'),
            children: (
              <Flex gap={4}>
                <ReportStatusTag status={node.status} />
                {node.status !== 'late' ? <LateTag late={node.late} /> : null}
              </Flex>
            ),
          },
          { key: 'period', label: t('report.period'), children: board.period },
          {
            key: 'deadline',
            label: t('report.deadline'),
            children: <span className="numeric">{formatBeijing(node.deadline)}</span>,
          },
          {
            key: 'compilation',
            label: t('statusBoard.compilation'),
            children: <Link to={nodeDocumentLink(node, board.period)}>{t('statusBoard.openCompilation')}</Link>,
          },
        ]}
      />
      <Row gutter={[16, 16]} style={{ marginTop: 8 }} data-testid="board-counts">
        <Col xs={12} md={3}>
          <Statistic title={t('statusBoard.enterpriseTotal')} value={total} />
        </Col>
        {reportStatusList.map((status) => (
          <Col xs={12} md={3} key={status}>
            <Statistic
              title={t(`reportStatus.${status}`)}
              value={node.enterprises[status] ?? 0}
              styles={{ content: { color: (node.enterprises[status] ?? 0) > 0 ? countColours[status] : undefined } }}
            />
          </Col>
        ))}
      </Row>
    </Card>
  );
}

/**
 * 报送看板: where every implementation report of a period stands, from the reader's jurisdiction down, one
 * level at a time; drill down to a county and its enterprises, open a report or a compilation, remind.
 */
export function BoardPage() {
  const t = useTranslate();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const [params, setParams] = useSearchParams();
  const requested = params.get('period') ?? '';
  const period = isPeriod(requested) ? requested : lastMonth();
  const code = params.get('division_code') ?? undefined;
  const board = useApi<BoardView>('/reporting/board', { period, division_code: code });
  const [reminding, setReminding] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  // The previous period's or division's rows stay in the hook while the next load; they must not be clicked.
  const data = board.loading ? undefined : board.data;

  const remind = async () => {
    setReminding(true);
    setError(undefined);
    try {
      const result = await api.post<ReminderResult>('/reporting/reminders', { period });
      void message.success(t('statusBoard.remindersSent', { sent: result.sent, skipped: result.already_sent_today }));
    } catch (failure) {
      setError(failure);
    } finally {
      setReminding(false);
    }
  };

  return (
    <>
      <PageHeader
        title={t('statusBoard.reportingTitle')}
        subtitle={t('statusBoard.reportingSubtitle')}
        extra={
          <>
            <PeriodPicker
              id="board-period"
              value={period}
              onChange={(next) => setParams({ period: next, ...(code ? { division_code: code } : {}) })}
            />
            <ExportMenu path="/reporting/board/export" query={{ period, division_code: code }} testId="board-export" />
            {can('report.review') ? (
              <Popconfirm
                title={t('statusBoard.remindConfirm', { period })}
                okText={t('statusBoard.remind')}
                cancelText={t('common.cancel')}
                onConfirm={() => void remind()}
              >
                <Button icon={<BellOutlined />} loading={reminding} data-testid="send-reminders">
                  {t('statusBoard.remind')}
                </Button>
              </Popconfirm>
            ) : null}
          </>
        }
      />
      <RemindersBanner />
      <ProblemAlert error={board.error ?? error} />
      {data ? (
        <>
          <DivisionBreadcrumb path={data.path} linkTo={(target) => boardLink(period, target)} />
          <NodeCard board={data} />
        </>
      ) : null}
      <Card>
        <Table<BoardNode>
          rowKey={(node) => `${node.kind}:${node.id ?? node.code}`}
          size="middle"
          data-testid="board-children"
          loading={board.loading}
          dataSource={data?.children ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          columns={columns(t, period)}
        />
      </Card>
    </>
  );
}
