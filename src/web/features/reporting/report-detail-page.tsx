import { useState } from 'react';
import { Alert, Button, Card, Collapse, Descriptions, Flex, Typography } from 'antd';
import { RollbackOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser, useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import { LinesTable } from './lines-table.tsx';
import { VersionTags } from './report-versions.tsx';
import { ExportMenu, SignatureDigest } from './reporting-labels.tsx';
import { ReturnModal } from './return-modal.tsx';
import type { ReportView } from './reporting-types.ts';

/** The reviewing county: a department of industry & IT or natural resources of the enterprise's domicile. */
function reviewsReport(
  user: { department: string | null; division_code: string | null },
  report: ReportView,
  can: (permission: string) => boolean,
): boolean {
  const department = user.department === 'industry_it' || user.department === 'natural_resources';
  return can('report.review') && department && user.division_code === report.domicile_code;
}

/** One signed report version: its figures, signature and standing; the county may return it for correction. */
export function ReportDetailPage() {
  const t = useTranslate();
  const { id = '' } = useParams();
  const user = useCurrentUser();
  const { can } = useSession();
  const report = useApi<ReportView>(`/reports/${id}`);
  const [returning, setReturning] = useState(false);
  const view = report.data?.id === id ? report.data : undefined;
  const returnable = view !== undefined && !view.returned && !view.superseded_by && reviewsReport(user, view, can);

  return (
    <>
      <PageHeader
        title={view ? t('reportDetail.title', { name: view.enterprise_name, period: view.period }) : t('report.title')}
        subtitle={view ? <VersionTags report={view} /> : null}
        extra={
          view ? (
            <>
              {returnable ? (
                <Button danger icon={<RollbackOutlined />} onClick={() => setReturning(true)}>
                  {t('return.button')}
                </Button>
              ) : null}
              <ExportMenu path={`/reports/${view.id}/export`} testId="report-export" />
            </>
          ) : null
        }
      />
      <ProblemAlert error={report.error} />
      {view?.returned ? (
        <Alert
          type="error"
          showIcon
          data-testid="returned-banner"
          style={{ marginBottom: 16 }}
          title={t('report.returnedTitle', { version: view.version })}
          description={t('report.returnedText', {
            reason: view.returned.reason,
            by: view.returned.returned_by,
            time: formatBeijing(view.returned.returned_at),
          })}
        />
      ) : null}
      {view?.superseded_by ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('reportDetail.superseded')}
          action={<Link to={`/reports/${view.superseded_by}`}>{t('reportDetail.openNewer')}</Link>}
        />
      ) : null}
      {view ? (
        <>
          <Card style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2, xl: 3 }}
              items={[
                {
                  key: 'enterprise',
                  label: t('report.enterprise'),
                  children: (
                    <Link to={`/reports?enterprise_id=${view.enterprise_id}&period=${view.period}`}>
                      {view.enterprise_name}
                    </Link>
                  ),
                },
                { key: 'period', label: t('report.period'), children: view.period },
                {
                  key: 'county',
                  label: t('reportDetail.county'),
                  children: <Link to={`/compilations/${view.domicile_code}/${view.period}`}>{view.domicile_code}</Link>,
                },
                {
                  key: 'at',
                  label: t('report.submittedAt'),
                  children: <span className="numeric">{formatBeijing(view.submitted_at)}</span>,
                },
                { key: 'by', label: t('report.submittedBy'), children: view.submitted_by },
                {
                  key: 'deadline',
                  label: t('report.deadline'),
                  children: <span className="numeric">{formatBeijing(view.deadline)}</span>,
                },
                {
                  key: 'digest',
                  label: t('report.digest'),
                  span: 'filled',
                  children: <SignatureDigest signature={view.signature} />,
                },
              ]}
            />
            <Collapse
              ghost
              size="small"
              items={[
                {
                  key: 'signature',
                  label: t('reportDetail.signature'),
                  children: (
                    <Flex vertical gap={8}>
                      <Typography.Text>
                        {t('report.signedBy', { signer: view.signature.signer, algorithm: view.signature.algorithm })}
                      </Typography.Text>
                      <code style={{ wordBreak: 'break-all', fontSize: 12 }}>{view.signature.signature}</code>
                      <pre style={{ fontSize: 12, margin: 0 }}>{view.signature.public_key_pem}</pre>
                    </Flex>
                  ),
                },
              ]}
            />
          </Card>
          <Card title={t('reportDetail.lines')}>
            <LinesTable lines={view.lines} testId="report-lines" />
          </Card>
        </>
      ) : report.error ? null : (
        <Card loading />
      )}
      {returning && view ? (
        <ReturnModal
          subject={t('return.reportSubject', {
            name: view.enterprise_name,
            period: view.period,
            version: view.version,
          })}
          path={`/reports/${view.id}/return`}
          onClose={() => setReturning(false)}
          onReturned={() => {
            setReturning(false);
            report.reload();
          }}
        />
      ) : null}
    </>
  );
}
