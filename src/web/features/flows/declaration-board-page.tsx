import { Card, Col, Flex, Input, Row, Statistic, Table, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { SealList } from './declarations-page.tsx';
import { formatBeijing, monthInChina, previousMonth } from './flow-format.ts';
import { DeclarationStatusTag } from './flow-labels.tsx';
import { declarationStatusList, type DeclarationSeal, type DeclarationView } from './flow-types.ts';

const statusColours: Record<DeclarationView['status'], string> = {
  open: '#8c8c8c',
  due: '#1677ff',
  sealed: '#389e0d',
  late: '#d48806',
  missing: '#cf1322',
};

/** 申报看板: every designated enterprise in the official's jurisdiction, for one month. */
export function DeclarationBoardPage() {
  const t = useTranslate();
  const [params, setParams] = useSearchParams();
  // The month most recently due is the one officials follow up.
  const period = params.get('period') ?? previousMonth(monthInChina());
  const board = useApi<DeclarationView[]>('/declarations/board', { period });
  const rows = board.data ?? [];
  const counts = Object.fromEntries(
    declarationStatusList.map((status) => [status, rows.filter((row) => row.status === status).length]),
  ) as Record<DeclarationView['status'], number>;

  return (
    <>
      <PageHeader title={t('board.title')} subtitle={t('board.subtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Flex gap="small" align="center" style={{ marginBottom: 16 }}>
          <Typography.Text>{t('decl.period')}</Typography.Text>
          <Input
            id="board-period"
            type="month"
            value={period}
            onChange={(event) => event.target.value && setParams({ period: event.target.value }, { replace: true })}
            style={{ width: 170 }}
          />
        </Flex>
        <Row gutter={[16, 16]} data-testid="board-counts">
          <Col xs={12} md={4}>
            <Statistic title={t('board.total')} value={rows.length} />
          </Col>
          {declarationStatusList.map((status) => (
            <Col xs={12} md={4} key={status}>
              <Statistic
                title={t(`declStatus.${status}`)}
                value={counts[status]}
                styles={{ content: { color: counts[status] > 0 ? statusColours[status] : undefined } }}
              />
            </Col>
          ))}
        </Row>
      </Card>
      <Card>
        <ProblemAlert error={board.error} />
        <Table<DeclarationView>
          rowKey="enterprise_id"
          size="middle"
          loading={board.loading}
          dataSource={rows}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            {
              title: t('board.enterprise'),
              dataIndex: 'enterprise_name',
              render: (name: string, row) => <Link to={`/enterprises/${row.enterprise_id}`}>{name}</Link>,
            },
            {
              title: t('decl.status'),
              dataIndex: 'status',
              filters: declarationStatusList.map((status) => ({ text: t(`declStatus.${status}`), value: status })),
              onFilter: (value, row) => row.status === value,
              render: (status: DeclarationView['status']) => <DeclarationStatusTag status={status} />,
            },
            {
              title: t('decl.deadline'),
              dataIndex: 'deadline',
              render: (iso: string) => <span className="numeric">{formatBeijing(iso)}</span>,
            },
            { title: t('decl.events'), dataIndex: 'event_count', align: 'right' },
            {
              title: t('decl.seals'),
              dataIndex: 'seals',
              render: (seals: DeclarationSeal[]) => <SealList seals={seals} />,
            },
            {
              title: t('common.actions'),
              key: 'flows',
              render: (_value, row) => (
                <Link to={`/flows?enterprise_id=${row.enterprise_id}&period=${row.period}`}>
                  {t('board.viewFlows')}
                </Link>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
