import { useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Select,
  Table,
  Tag,
  Typography,
} from 'antd';
import { SendOutlined } from '@ant-design/icons';
import { Link, Navigate, useParams, useSearchParams } from 'react-router-dom';
import type { z } from 'zod';
import type { annualReportList, AnnualReportStatus, AnnualReportView } from '../../../contracts/supervision-annual.ts';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing, monthInChina } from '../flows/flow-format.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { ExportMenu } from '../reporting/reporting-labels.tsx';
import { AnnualSections } from './annual-sections.tsx';
import { useSupervisionWriter, WriteProblem } from './supervision-labels.tsx';
import { useSupervisionSubmit } from './use-submit.ts';

type AnnualList = z.infer<typeof annualReportList>;
type AnnualRow = AnnualList['items'][number];

const statusColours: Record<AnnualReportStatus, string> = {
  not_due: 'default',
  due: 'processing',
  late: 'error',
  submitted: 'success',
};

function AnnualStatusTag({ status, late }: { readonly status: AnnualReportStatus; readonly late: boolean }) {
  const t = useTranslate();
  return (
    <Flex gap={4} component="span" data-testid="annual-status">
      <Tag color={statusColours[status]}>{t(`annual.status.${status}`)}</Tag>
      {late && status !== 'late' ? <Tag color="red">{t('annual.late')}</Tag> : null}
    </Flex>
  );
}

const isProvince = (code: string | null): code is string =>
  code !== null && /^[0-9]{2}0000$/.test(code) && code !== '000000';
const thisYear = () => Number(monthInChina().slice(0, 4));

/**
 * 年度监督检查报告: a province's official goes to their own report; the ministries and oversight see every
 * province with its status; anyone else is told the report is not theirs to read.
 */
export function AnnualReportsPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const year = Number(params.get('year') ?? thisYear());
  const national = !user.enterprise_id && user.division_code === null;
  const list = useApi<AnnualList>(national ? '/supervision/annual-reports' : null, { year });
  if (isProvince(user.division_code))
    return <Navigate to={`/supervision/annual-reports/${user.division_code}/${year}`} replace />;
  return (
    <>
      <PageHeader
        title={t('annual.listTitle')}
        subtitle={t('annual.subtitle')}
        extra={
          <Select<number>
            aria-label={t('risk.year')}
            value={year}
            style={{ width: 120 }}
            onChange={(next) => setParams({ year: String(next) })}
            options={[0, 1, 2, 3].map((back) => ({ value: thisYear() - back, label: String(thisYear() - back) }))}
          />
        }
      />
      {!national ? <Alert type="info" showIcon title={t('annual.onlyProvinces')} /> : null}
      <ProblemAlert error={list.error} />
      {national ? (
        <Card>
          {list.data ? (
            <Typography.Paragraph type="secondary">
              {t('annual.deadline')}：<span className="numeric">{formatBeijing(list.data.deadline)}</span>
            </Typography.Paragraph>
          ) : null}
          <Table<AnnualRow>
            rowKey="province_code"
            size="middle"
            data-testid="annual-provinces"
            loading={list.loading}
            dataSource={list.data?.items ?? []}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('annual.province'),
                dataIndex: 'province_name',
                render: (name: string, row) => (
                  <Link to={`/supervision/annual-reports/${row.province_code}/${row.year}`}>{name}</Link>
                ),
              },
              {
                title: t('supervision.status'),
                dataIndex: 'status',
                filters: (['not_due', 'due', 'late', 'submitted'] as const).map((value) => ({
                  text: t(`annual.status.${value}`),
                  value,
                })),
                onFilter: (value, row) => row.status === value,
                render: (_status: string, row) => <AnnualStatusTag status={row.status} late={row.late} />,
              },
              { title: t('annual.version'), dataIndex: 'version', render: (version: number | null) => version ?? '—' },
              { title: t('annual.submittedBy'), dataIndex: 'submitted_by', render: (by: string | null) => by ?? '—' },
              {
                title: t('annual.submittedAt'),
                dataIndex: 'submitted_at',
                render: (iso: string | null) => (iso ? <span className="numeric">{formatBeijing(iso)}</span> : '—'),
              },
            ]}
          />
        </Card>
      ) : null}
    </>
  );
}

/** 签名并报送 / 报送更正版本: generated now, signed and frozen; a correction names the latest version and says why. */
function SubmitModal({
  report,
  onClose,
  onSubmitted,
}: {
  readonly report: AnnualReportView;
  readonly onClose: () => void;
  readonly onSubmitted: (version: number) => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ comment?: string }>();
  const { submit, error, saving } = useSupervisionSubmit(form, 'annual');
  const latest = report.versions.at(-1)?.version ?? 0;

  const send = async ({ comment }: { comment?: string }) => {
    const submitted = await submit((key) =>
      api.post<AnnualReportView>(`/supervision/annual-reports/${report.province_code}/${report.year}/submit`, {
        expected_version: latest,
        comment: (comment ?? '').trim(),
        idempotency_key: key,
      }),
    );
    if (submitted) {
      void message.success(t('annual.submitted'));
      onSubmitted(submitted.submission?.version ?? latest + 1);
    }
  };

  return (
    <Modal
      open
      title={latest === 0 ? t('annual.submit') : t('annual.correct')}
      okText={latest === 0 ? t('annual.submit') : t('annual.correct')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('annual.submitConfirm')}</Typography.Paragraph>
      <WriteProblem error={error} detailed />
      <Form form={form} layout="vertical" onFinish={(values) => void send(values)}>
        <Form.Item name="comment" label={t('annual.comment')} extra={t('annual.commentHint')} required={latest > 0}>
          <Input.TextArea id="annual-comment" rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** One province's annual report of a year: the draft or a submitted version, its four sections, exports, submit. */
export function AnnualReportPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const writer = useSupervisionWriter();
  const { province = '', year = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const version = params.get('version') ?? undefined;
  const report = useApi<AnnualReportView>(`/supervision/annual-reports/${province}/${year}`, { version });
  const [submitting, setSubmitting] = useState(false);
  const view = report.loading ? undefined : report.data;
  const mine = writer && user.division_code === province;

  return (
    <>
      <PageHeader
        title={view ? t('annual.reportTitle', { province: view.province_name, year: view.year }) : t('annual.title')}
        subtitle={
          view ? (
            <Flex gap={8} component="span" wrap>
              <AnnualStatusTag status={view.status} late={view.late} />
              <span>
                {t('annual.deadline')}：<span className="numeric">{formatBeijing(view.deadline)}</span>
              </span>
            </Flex>
          ) : null
        }
        extra={
          report.data ? (
            <>
              <Select<string>
                aria-label={t('annual.viewVersion')}
                style={{ width: 240 }}
                value={
                  version ?? (report.data.kind === 'draft' ? 'draft' : String(report.data.submission?.version ?? ''))
                }
                onChange={(next) => setParams(next ? { version: next } : {})}
                options={[
                  { value: 'draft', label: t('annual.draft') },
                  ...report.data.versions.map((item) => ({
                    value: String(item.version),
                    label: t('annual.submittedVersion', { version: item.version }),
                  })),
                ]}
              />
              <ExportMenu
                path={`/supervision/annual-reports/${province}/${year}/export`}
                query={{ version }}
                testId="annual-export"
              />
              {mine ? (
                <Button
                  type="primary"
                  icon={<SendOutlined />}
                  disabled={report.data.status === 'not_due'}
                  title={report.data.status === 'not_due' ? t('annual.notYetDue') : undefined}
                  data-testid="annual-submit"
                  onClick={() => setSubmitting(true)}
                >
                  {report.data.versions.length === 0 ? t('annual.submit') : t('annual.correct')}
                </Button>
              ) : null}
            </>
          ) : null
        }
      />
      <ProblemAlert error={report.error} />
      {view ? (
        <>
          <Card style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2, xl: 3 }}
              data-testid="annual-facts"
              items={[
                {
                  key: 'kind',
                  label: t('annual.viewVersion'),
                  children:
                    view.kind === 'draft' || !view.submission
                      ? t('annual.draft')
                      : t('annual.submittedVersion', { version: view.submission.version }),
                },
                {
                  key: 'asOf',
                  label: t('annual.records'),
                  children: t('annual.asOf', {
                    date: view.content.as_of,
                    from: view.content.from,
                    to: view.content.to,
                  }),
                },
                {
                  key: 'to',
                  label: t('annual.addressedTo'),
                  children: view.addressed_to.map((body) => labelOf(t, 'annual.to', body)).join('、'),
                },
                ...(view.submission
                  ? [
                      {
                        key: 'by',
                        label: t('annual.submittedBy'),
                        children: `${view.submission.submitted_by} · ${formatBeijing(view.submission.submitted_at)}`,
                      },
                      { key: 'comment', label: t('annual.comment'), children: view.submission.comment || '—' },
                      {
                        key: 'digest',
                        label: t('annual.digest'),
                        span: 'filled' as const,
                        children: (
                          <code data-testid="annual-digest" style={{ wordBreak: 'break-all', fontSize: 12 }}>
                            {view.submission.signature.content_sm3}
                          </code>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
          </Card>
          <AnnualSections content={view.content} />
        </>
      ) : report.error ? null : (
        <Card loading />
      )}
      {submitting && report.data ? (
        <SubmitModal
          report={report.data}
          onClose={() => setSubmitting(false)}
          onSubmitted={(submitted) => {
            setSubmitting(false);
            setParams({ version: String(submitted) });
            report.reload();
          }}
        />
      ) : null}
    </>
  );
}
