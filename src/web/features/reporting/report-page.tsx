import { useState } from 'react';
import { Alert, Button, Card, Col, Empty, Flex, Row, Table, Tag, Typography } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser, useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import { LinesTable } from './lines-table.tsx';
import { RemindersBanner } from './reminders-banner.tsx';
import { ReportForm } from './report-form.tsx';
import { isPeriod, periodEnd, periodEnded } from './report-rules.ts';
import { ReportVersions, VersionTags } from './report-versions.tsx';
import { DeadlineCountdown, lastMonth, PeriodPicker } from './reporting-labels.tsx';
import type { ReportDraft, ReportView } from './reporting-types.ts';

/** The latest version of each period of the year: the enterprise's reporting at a glance. */
function YearOverview({
  reports,
  current,
  onPick,
}: {
  readonly reports: readonly ReportView[];
  readonly current: string;
  readonly onPick: (period: string) => void;
}) {
  const t = useTranslate();
  const latest = new Map<string, ReportView>();
  for (const report of [...reports].sort((a, b) => a.version - b.version)) latest.set(report.period, report);
  const rows = [...latest.values()].sort((a, b) => b.period.localeCompare(a.period));
  return (
    <Card title={t('report.yearOverview')} size="small">
      <Table<ReportView>
        rowKey="period"
        size="small"
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('report.noVersions') }}
        columns={[
          {
            title: t('report.period'),
            dataIndex: 'period',
            render: (period: string) =>
              period === current ? (
                <strong>{period}</strong>
              ) : (
                <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onPick(period)}>
                  {period}
                </Button>
              ),
          },
          { title: t('report.state'), key: 'state', render: (_value, report) => <VersionTags report={report} /> },
          {
            title: t('report.submittedAt'),
            dataIndex: 'submitted_at',
            render: (iso: string) => <span className="numeric">{formatBeijing(iso)}</span>,
          },
        ]}
      />
    </Card>
  );
}

/** Where the period stands before the table: not over yet, the countdown, or when it was reported. */
function PeriodState({ draft, latest }: { readonly draft: ReportDraft; readonly latest: ReportView | null }) {
  const t = useTranslate();
  if (!periodEnded(draft.period))
    return (
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('report.notEnded', { date: formatBeijing(periodEnd(draft.period).toISOString()).slice(0, 10) })}
      />
    );
  if (!latest)
    return (
      <div style={{ marginBottom: 16 }}>
        <DeadlineCountdown deadline={draft.deadline} />
      </div>
    );
  return (
    <Typography.Paragraph type="secondary">
      {t('report.reportedAt', {
        time: formatBeijing(latest.submitted_at),
        deadline: formatBeijing(draft.deadline),
      })}
    </Typography.Paragraph>
  );
}

/**
 * 执行情况报告: an enterprise's monthly or annual implementation report (Art. 9), pre-filled from its flow
 * records and quota ledger, submitted signed; its versions, and a correction when the county returns it.
 * Officials open the same page for an enterprise (?enterprise_id=) to read it.
 */
export function ReportPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const requested = params.get('period') ?? '';
  const period = isPeriod(requested) ? requested : lastMonth();
  const enterpriseId = params.get('enterprise_id') ?? user.enterprise_id;
  const own = Boolean(enterpriseId) && enterpriseId === user.enterprise_id && can('report.submit');
  const draft = useApi<ReportDraft>(enterpriseId ? '/reports/draft' : null, { enterprise_id: enterpriseId, period });
  const history = useApi<ReportView[]>(enterpriseId ? '/reports' : null, {
    enterprise_id: enterpriseId,
    year: period.slice(0, 4),
  });
  const [correcting, setCorrecting] = useState<string | null>(null);

  const pick = (next: string) => {
    setCorrecting(null);
    setParams({ ...(params.get('enterprise_id') ? { enterprise_id: enterpriseId ?? '' } : {}), period: next });
  };
  const reload = () => {
    setCorrecting(null);
    draft.reload();
    history.reload();
  };

  const current = draft.data?.period === period ? draft.data : undefined;
  const latest = current?.latest ?? null;
  const versions = (history.data ?? []).filter((report) => report.period === period);
  const canCorrect = own && latest !== null && latest.superseded_by === null;

  const body = () => {
    if (!current) return null;
    if (own && periodEnded(period) && (!latest || correcting === latest.id))
      return (
        <ReportForm
          key={`${period}:${latest?.id ?? 'first'}`}
          draft={current}
          replaces={latest?.id ?? null}
          onSubmitted={reload}
          {...(latest ? { onCancel: () => setCorrecting(null) } : {})}
        />
      );
    return <LinesTable lines={latest?.lines ?? current.lines} testId="report-lines" />;
  };

  return (
    <>
      <PageHeader
        title={t('report.title')}
        subtitle={current ? `${current.enterprise_name} · ${t('report.subtitle')}` : t('report.subtitle')}
        extra={<PeriodPicker id="report-period" value={period} onChange={pick} />}
      />
      {own ? <RemindersBanner /> : null}
      {!enterpriseId ? (
        <Card>
          <Empty description={t('report.noEnterprise')} />
        </Card>
      ) : (
        <>
          <ProblemAlert error={draft.error ?? history.error} />
          {latest?.returned ? (
            <Alert
              type="error"
              showIcon
              data-testid="returned-banner"
              style={{ marginBottom: 16 }}
              title={t('report.returnedTitle', { version: latest.version })}
              description={t('report.returnedText', {
                reason: latest.returned.reason,
                by: latest.returned.returned_by,
                time: formatBeijing(latest.returned.returned_at),
              })}
              action={
                canCorrect && correcting !== latest.id ? (
                  <Button type="primary" danger onClick={() => setCorrecting(latest.id)}>
                    {t('report.correct')}
                  </Button>
                ) : null
              }
            />
          ) : null}
          <Card
            loading={!current && !draft.error}
            title={
              <Flex gap="small" align="center" wrap>
                <span>{t('report.cardTitle', { period })}</span>
                {latest ? <VersionTags report={latest} /> : <Tag>{t('report.notSubmitted')}</Tag>}
              </Flex>
            }
            extra={
              <Flex gap="small" wrap>
                {!own && enterpriseId ? (
                  <Link to={`/enterprises/${enterpriseId}`}>{t('report.enterprise')}</Link>
                ) : null}
                {canCorrect && !latest.returned && correcting !== latest.id ? (
                  <Button icon={<EditOutlined />} onClick={() => setCorrecting(latest.id)}>
                    {t('report.correct')}
                  </Button>
                ) : null}
              </Flex>
            }
            style={{ marginBottom: 16 }}
          >
            {current ? <PeriodState draft={current} latest={latest} /> : null}
            {body()}
          </Card>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={14}>
              <ReportVersions versions={versions} />
            </Col>
            <Col xs={24} xl={10}>
              <YearOverview reports={history.data ?? []} current={period} onPick={pick} />
            </Col>
          </Row>
        </>
      )}
    </>
  );
}
