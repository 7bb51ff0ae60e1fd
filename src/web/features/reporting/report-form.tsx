import { useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Flex, Form, Input, InputNumber, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { Kg, Utilisation } from './lines-table.tsx';
import { derivedLine, EXPLANATION_MAX, figureProblem, figuresOf, newIdempotencyKey } from './report-rules.ts';
import type { ReportDraft, ReportLine, ReportSubmitBody, ReportView } from './reporting-types.ts';

interface FormLine {
  production_reo_kg: number | null;
  explanation?: string;
}
interface FormValues {
  lines: FormLine[];
}

interface ReportFormProps {
  readonly draft: ReportDraft;
  /** The version this submission corrects (null for a first version). */
  readonly replaces: string | null;
  readonly onSubmitted: (report: ReportView) => void;
  readonly onCancel?: () => void;
}

/**
 * The draft as an editable table: production per category starts as the flows give it (or as last reported);
 * a figure that departs from the flows needs an explanation before anything is sent.
 */
export function ReportForm({ draft, replaces, onSubmitted, onCancel }: ReportFormProps) {
  const t = useTranslate();
  const { modal, message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const watched = Form.useWatch('lines', form) as FormLine[] | undefined;
  const [error, setError] = useState<unknown>(undefined);
  // One key per attempt: kept if the network failed (the retry is the same attempt), dropped on any answer.
  const attemptKey = useRef<string | null>(null);

  const send = async (values: FormValues) => {
    const { figures, lineOfFigure } = figuresOf(draft.lines, values.lines);
    attemptKey.current ??= newIdempotencyKey(`web-report-${draft.period}`);
    const body: ReportSubmitBody = {
      period: draft.period,
      figures,
      ...(replaces ? { replaces } : {}),
      idempotency_key: attemptKey.current,
    };
    setError(undefined);
    try {
      const report = await api.post<ReportView>('/reports', body);
      attemptKey.current = null;
      void message.success(t('report.submitted', { period: report.period, version: report.version }));
      onSubmitted(report);
    } catch (failure) {
      if (!(failure instanceof ApiError) || failure.status !== 0) attemptKey.current = null;
      setError(failure);
      const rename: Record<string, string> = {};
      lineOfFigure.forEach((line, figure) => {
        rename[`figures.${figure}.explanation`] = `lines.${line}.explanation`;
        rename[`figures.${figure}.production_reo_kg`] = `lines.${line}.production_reo_kg`;
      });
      showFieldErrors(form, failure, rename);
    }
  };

  const confirm = (values: FormValues) => {
    modal.confirm({
      title: t(replaces ? 'report.confirmCorrection' : 'report.confirmTitle', { period: draft.period }),
      content: t('report.confirmText'),
      okText: t('report.submit'),
      cancelText: t('common.cancel'),
      onOk: () => send(values),
    });
  };

  const lineValue = (index: number, line: ReportLine) => watched?.[index]?.production_reo_kg ?? line.production_reo_kg;
  const columns: TableColumnsType<ReportLine> = [
    {
      title: t('line.category'),
      dataIndex: 'category',
      render: (category: string) => <strong>{labelOf(t, 'category', category)}</strong>,
    },
    {
      title: t('line.production'),
      key: 'production',
      width: 190,
      render: (_value, line, index) => (
        <>
          <Form.Item
            name={['lines', index, 'production_reo_kg']}
            rules={[{ required: true, message: t('report.productionRequired') }]}
            style={{ marginBottom: 0 }}
          >
            <InputNumber<number>
              aria-label={t('report.productionOf', { category: labelOf(t, 'category', line.category) })}
              min={0}
              max={Number.MAX_SAFE_INTEGER}
              precision={0}
              style={{ width: 170 }}
            />
          </Form.Item>
          {lineValue(index, line) !== line.flow_reo_kg ? (
            <Typography.Text type="warning" style={{ fontSize: 12 }}>
              {t('report.departsFromFlows')}
            </Typography.Text>
          ) : null}
        </>
      ),
    },
    {
      title: t('line.explanation'),
      key: 'explanation',
      width: 280,
      render: (_value, line, index) => (
        <Form.Item
          name={['lines', index, 'explanation']}
          dependencies={[['lines', index, 'production_reo_kg']]}
          style={{ marginBottom: 0 }}
          rules={[
            {
              validator: async (_rule, value: string | undefined) => {
                const production = form.getFieldValue(['lines', index, 'production_reo_kg']) as number | null;
                const problem = figureProblem(line.flow_reo_kg, production ?? line.flow_reo_kg, value);
                if (problem) throw new Error(t(`report.${problem}`, { flow: line.flow_reo_kg }));
              },
            },
          ]}
        >
          <Input.TextArea
            aria-label={t('report.explanationOf', { category: labelOf(t, 'category', line.category) })}
            autoSize={{ minRows: 1, maxRows: 4 }}
            maxLength={EXPLANATION_MAX}
            placeholder={
              lineValue(index, line) !== line.flow_reo_kg
                ? t('report.explanationPlaceholder')
                : t('report.noExplanation')
            }
          />
        </Form.Item>
      ),
    },
    {
      title: t('line.cumulative'),
      key: 'cumulative',
      align: 'right',
      render: (_value, line, index) => (
        <Kg value={derivedLine(line, lineValue(index, line), draft.period_kind).cumulative} />
      ),
    },
    {
      title: t('line.allocated'),
      dataIndex: 'allocated_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
    },
    {
      title: t('line.remaining'),
      key: 'remaining',
      align: 'right',
      render: (_value, line, index) => (
        <Kg value={derivedLine(line, lineValue(index, line), draft.period_kind).remaining} />
      ),
    },
    {
      title: t('line.utilisation'),
      key: 'utilisation',
      render: (_value, line, index) => (
        <Utilisation ppm={derivedLine(line, lineValue(index, line), draft.period_kind).utilisationPpm} />
      ),
    },
    {
      title: t('line.flow'),
      dataIndex: 'flow_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
    },
    {
      title: t('line.flowCumulative'),
      dataIndex: 'flow_cumulative_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
    },
    {
      title: t('line.ledgerConsumed'),
      dataIndex: 'ledger_consumed_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
    },
  ];

  return (
    <Form<FormValues>
      form={form}
      name="report-form"
      onFinish={confirm}
      onValuesChange={() => {
        attemptKey.current = null;
      }}
      initialValues={{
        lines: draft.lines.map((line) => ({
          production_reo_kg: line.production_reo_kg,
          explanation: line.explanation ?? '',
        })),
      }}
    >
      {replaces ? <Alert type="info" showIcon title={t('report.correcting')} style={{ marginBottom: 16 }} /> : null}
      <ProblemAlert error={error} summary={t('report.submitFailed')} />
      <Table<ReportLine>
        rowKey="category"
        size="small"
        data-testid="report-draft"
        dataSource={draft.lines}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={columns}
        locale={{ emptyText: t('line.none') }}
      />
      <Flex justify="space-between" align="center" gap="middle" wrap style={{ marginTop: 16 }}>
        <Typography.Text type="secondary">{t('report.submitHint')}</Typography.Text>
        <Flex gap="small">
          {onCancel ? <Button onClick={onCancel}>{t('common.cancel')}</Button> : null}
          <Button type="primary" htmlType="submit" icon={<SafetyCertificateOutlined />} data-testid="report-submit">
            {replaces ? t('report.submitCorrection') : t('report.submit')}
          </Button>
        </Flex>
      </Flex>
    </Form>
  );
}
