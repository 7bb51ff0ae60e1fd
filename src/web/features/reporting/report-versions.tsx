import { Card, Descriptions, Empty, Flex, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import { ExportMenu, LateTag, SignatureDigest } from './reporting-labels.tsx';
import type { ReportView } from './reporting-types.ts';

/** Where one version stands: in force, corrected by a later one, or returned for correction. */
export function VersionTags({ report }: { readonly report: ReportView }) {
  const t = useTranslate();
  return (
    <Flex gap={4} wrap>
      <Tag color="blue">{t('report.version', { version: report.version })}</Tag>
      <LateTag late={report.late} />
      {report.returned ? <Tag color="warning">{t('reportStatus.returned')}</Tag> : null}
      {report.superseded_by ? <Tag>{t('report.superseded')}</Tag> : null}
      {!report.returned && !report.superseded_by ? <Tag color="success">{t('report.current')}</Tag> : null}
    </Flex>
  );
}

/** 版本记录: every signed version of one period's report, newest first, each with its digest. */
export function ReportVersions({ versions }: { readonly versions: readonly ReportView[] }) {
  const t = useTranslate();
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  return (
    <Card title={t('report.versions')} data-testid="report-versions">
      {newestFirst.length === 0 ? (
        <Empty description={t('report.noVersions')} />
      ) : (
        <Flex vertical gap={12}>
          {newestFirst.map((report) => (
            <Card
              key={report.id}
              size="small"
              type="inner"
              data-testid={`report-version-${report.version}`}
              title={<VersionTags report={report} />}
              extra={
                <Flex gap="small" align="center">
                  <Link to={`/reports/${report.id}`}>{t('report.open')}</Link>
                  <ExportMenu path={`/reports/${report.id}/export`} />
                </Flex>
              }
            >
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                items={[
                  {
                    key: 'at',
                    label: t('report.submittedAt'),
                    children: <span className="numeric">{formatBeijing(report.submitted_at)}</span>,
                  },
                  { key: 'by', label: t('report.submittedBy'), children: report.submitted_by },
                  {
                    key: 'digest',
                    label: t('report.digest'),
                    span: 'filled',
                    children: <SignatureDigest signature={report.signature} />,
                  },
                ]}
              />
              {report.returned ? (
                <Typography.Text type="warning">
                  {t('report.returnedLine', {
                    reason: report.returned.reason,
                    by: report.returned.returned_by,
                    time: formatBeijing(report.returned.returned_at),
                  })}
                </Typography.Text>
              ) : null}
            </Card>
          ))}
        </Flex>
      )}
    </Card>
  );
}
