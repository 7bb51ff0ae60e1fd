import { Button, Card, Col, Flex, Row, Statistic, Table, Typography } from 'antd';
import { PlusOutlined, WarningOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import type { Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { DecisionTable } from './decision-table.tsx';
import { InspectionStatusTag, OutcomeTag, useSupervisionWriter } from './supervision-labels.tsx';
import type { DecisionPage, InspectionView, ViolationView } from './supervision-types.ts';

const OVERDUE_SHOWN = 10;

function Figure({
  title,
  value,
  to,
  testId,
  danger = false,
}: {
  readonly title: string;
  readonly value: number | undefined;
  readonly to: string;
  readonly testId: string;
  readonly danger?: boolean;
}) {
  return (
    <Card size="small" data-testid={testId} style={{ height: '100%' }}>
      <Link to={to}>
        <Statistic
          title={title}
          value={value ?? '—'}
          styles={{ content: { color: danger && (value ?? 0) > 0 ? '#cf1322' : undefined } }}
        />
      </Link>
    </Card>
  );
}

/**
 * 监督检查首页: the overdue correction orders first (what needs doing now), then the figures of the
 * jurisdiction and the latest inspections.
 */
export function SupervisionHomePage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const writer = useSupervisionWriter();
  const official = !user.enterprise_id;
  const overdue = useApi<DecisionPage>('/supervision/decisions', { overdue: 'true', page_size: OVERDUE_SHOWN });
  const open = useApi<DecisionPage>('/supervision/decisions', { status: 'open', page_size: 1 });
  const planned = useApi<Page<InspectionView>>('/supervision/inspections', { status: 'planned', page_size: 1 });
  const violations = useApi<Page<ViolationView>>('/supervision/violations', { page_size: 1 });
  const reported = useApi<DecisionPage>(official ? '/supervision/reported' : null, { page_size: 1 });
  const recent = useApi<Page<InspectionView>>('/supervision/inspections', { page_size: 5 });
  const overdueCount = overdue.data?.overdue_count;

  return (
    <>
      <PageHeader
        title={t('supervisionHome.title')}
        subtitle={t('supervisionHome.subtitle')}
        extra={
          writer ? (
            <Link to="/supervision/inspections?plan=1">
              <Button type="primary" icon={<PlusOutlined />}>
                {t('inspections.plan')}
              </Button>
            </Link>
          ) : null
        }
      />
      <ProblemAlert error={overdue.error ?? open.error ?? planned.error ?? violations.error ?? recent.error} />
      <Card
        data-testid="overdue-board"
        style={{ marginBottom: 16, borderColor: (overdueCount ?? 0) > 0 ? '#ffa39e' : undefined }}
        title={
          <Flex gap="small" align="center">
            <WarningOutlined style={{ color: (overdueCount ?? 0) > 0 ? '#cf1322' : '#8c8c8c' }} />
            <span>{t('supervisionHome.overdueTitle')}</span>
            <Typography.Text type={(overdueCount ?? 0) > 0 ? 'danger' : 'secondary'} strong data-testid="overdue-total">
              {overdueCount ?? '—'}
            </Typography.Text>
          </Flex>
        }
        extra={<Link to="/supervision/decisions?overdue=true">{t('supervisionHome.allOverdue')}</Link>}
      >
        {overdue.data && overdue.data.items.length === 0 ? (
          <Typography.Text type="secondary">{t('supervisionHome.overdueNone')}</Typography.Text>
        ) : (
          <DecisionTable decisions={overdue.data?.items ?? []} loading={overdue.loading} testId="overdue-decisions" />
        )}
      </Card>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} lg={official ? 5 : 6}>
          <Figure
            title={t('supervisionHome.overdueCount')}
            value={overdueCount}
            to="/supervision/decisions?overdue=true"
            testId="figure-overdue"
            danger
          />
        </Col>
        <Col xs={12} lg={official ? 5 : 6}>
          <Figure
            title={t('supervisionHome.openDecisions')}
            value={open.data?.total}
            to="/supervision/decisions?status=open"
            testId="figure-open"
          />
        </Col>
        <Col xs={12} lg={official ? 5 : 6}>
          <Figure
            title={t('supervisionHome.plannedInspections')}
            value={planned.data?.total}
            to="/supervision/inspections?status=planned"
            testId="figure-planned"
          />
        </Col>
        <Col xs={12} lg={official ? 5 : 6}>
          <Figure
            title={t('supervisionHome.violations')}
            value={violations.data?.total}
            to="/supervision/violations"
            testId="figure-violations"
          />
        </Col>
        {official ? (
          <Col xs={12} lg={4}>
            <Figure
              title={t('supervisionHome.reported')}
              value={reported.data?.total}
              to="/supervision/reported"
              testId="figure-reported"
            />
          </Col>
        ) : null}
      </Row>
      <Card
        title={t('supervisionHome.recentInspections')}
        extra={<Link to="/supervision/inspections">{t('nav.inspections')}</Link>}
      >
        <Table<InspectionView>
          rowKey="id"
          size="small"
          pagination={false}
          loading={recent.loading}
          dataSource={recent.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: t('supervision.enterprise'),
              dataIndex: 'enterprise_name',
              render: (name: string, inspection) => (
                <Link to={`/supervision/inspections/${inspection.id}`}>{name}</Link>
              ),
            },
            { title: t('inspections.plannedOn'), dataIndex: 'planned_on' },
            { title: t('inspections.purpose'), dataIndex: 'purpose', ellipsis: true },
            {
              title: t('supervision.status'),
              dataIndex: 'status',
              render: (_status: string, inspection) => (
                <Flex gap={4}>
                  <InspectionStatusTag status={inspection.status} />
                  <OutcomeTag outcome={inspection.outcome} />
                </Flex>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
