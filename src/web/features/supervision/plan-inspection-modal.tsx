import { App as AntApp, Checkbox, Empty, Flex, Form, Input, Modal, Select, Typography } from 'antd';
import { api } from '../../shared/api.ts';
import { addDays, todayInChina } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import type { Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import type { AnomalyView } from '../flows/flow-types.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { EnterpriseSelect } from './supervision-labels.tsx';
import type { InspectionDetail } from './supervision-types.ts';
import { useSupervisionSubmit } from './use-submit.ts';

/** What a plan may start from: an anomaly, or the risk list's enterprise and reasons. */
export interface PlanPrefill {
  readonly enterprise_id?: string | undefined;
  readonly enterprise_name?: string | undefined;
  readonly anomaly_ids?: readonly string[];
  readonly reasons?: readonly string[];
}

interface PlanValues {
  enterprise_id?: string;
  planned_on: string;
  purpose: string;
  anomaly_ids: string[];
  reasons_text?: string;
  inspectors: string[];
}

/**
 * The enterprise's unresolved anomalies (open or confirmed: what the risk list counts), to tick as the plan's risk
 * reasons.
 */
function AnomalyChoice({ enterpriseId }: { readonly enterpriseId: string | undefined }) {
  const t = useTranslate();
  const path = enterpriseId ? '/anomalies' : null;
  const open = useApi<Page<AnomalyView>>(path, { enterprise_id: enterpriseId, status: 'open', page_size: 100 });
  const confirmed = useApi<Page<AnomalyView>>(path, {
    enterprise_id: enterpriseId,
    status: 'confirmed',
    page_size: 100,
  });
  const anomalies = {
    loading: open.loading || confirmed.loading,
    data: { items: [...(open.data?.items ?? []), ...(confirmed.data?.items ?? [])] },
  };
  if (!enterpriseId) return <Typography.Text type="secondary">{t('inspections.pickEnterpriseFirst')}</Typography.Text>;
  const items = anomalies.data?.items ?? [];
  if (!anomalies.loading && items.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inspections.anomaliesNone')} />;
  return (
    <Form.Item name="anomaly_ids" noStyle>
      <Checkbox.Group style={{ width: '100%' }} data-testid="plan-anomalies">
        <Flex vertical gap={6}>
          {items.map((anomaly) => (
            <Checkbox key={anomaly.id} value={anomaly.id}>
              <Typography.Text strong>
                {t('inspections.anomalyItem', {
                  rule: labelOf(t, 'anomalyRule', anomaly.rule),
                  period: anomaly.period,
                })}
              </Typography.Text>{' '}
              <Typography.Text type="secondary">{anomaly.summary}</Typography.Text>
            </Checkbox>
          ))}
        </Flex>
      </Checkbox.Group>
    </Form.Item>
  );
}

/** An API field as the form names it: `inspectors.1` is the inspectors' box, `reasons.0` the reasons' text. */
function planField(field: string): string {
  const head = field.split('.')[0] ?? field;
  if (head === 'reasons') return 'reasons_text';
  if (head === 'inspectors' || head === 'anomaly_ids') return head;
  return field;
}

/** 计划检查: enterprise, date, purpose, the risk reasons it rests on, the officials assigned. */
export function PlanInspectionModal({
  prefill,
  onClose,
  onPlanned,
}: {
  readonly prefill: PlanPrefill;
  readonly onClose: () => void;
  readonly onPlanned: (inspection: InspectionDetail) => void;
}) {
  const t = useTranslate();
  const user = useCurrentUser();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<PlanValues>();
  const enterpriseId = Form.useWatch('enterprise_id', form);
  const { submit, error, saving } = useSupervisionSubmit(form, 'inspection', planField);

  const send = async (values: PlanValues) => {
    const reasons = (values.reasons_text ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (values.anomaly_ids.length === 0 && reasons.length === 0) {
      form.setFields([{ name: 'reasons_text', errors: [t('inspections.basisRequired')] }]);
      return;
    }
    const planned = await submit((key) =>
      api.post<InspectionDetail>('/supervision/inspections', {
        enterprise_id: values.enterprise_id,
        planned_on: values.planned_on,
        purpose: values.purpose.trim(),
        anomaly_ids: values.anomaly_ids,
        reasons,
        inspectors: values.inspectors.map((login) => login.trim()).filter(Boolean),
        idempotency_key: key,
      }),
    );
    if (planned) {
      void message.success(t('inspections.planned'));
      onPlanned(planned);
    }
  };

  return (
    <Modal
      open
      width={720}
      title={t('inspections.plan')}
      okText={t('inspections.plan')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<PlanValues>
        form={form}
        layout="vertical"
        data-testid="plan-form"
        initialValues={{
          enterprise_id: prefill.enterprise_id,
          planned_on: addDays(todayInChina(), 7),
          purpose: '',
          anomaly_ids: [...(prefill.anomaly_ids ?? [])],
          reasons_text: (prefill.reasons ?? []).join('\n'),
          inspectors: [user.login],
        }}
        onValuesChange={(changed: Partial<PlanValues>) => {
          // Anomalies belong to one enterprise: another enterprise starts from none ticked.
          if ('enterprise_id' in changed) form.setFieldValue('anomaly_ids', []);
        }}
        onFinish={(values) => void send(values)}
      >
        <Form.Item
          name="enterprise_id"
          label={t('supervision.enterprise')}
          rules={[{ required: true, message: t('inspections.pickEnterpriseFirst') }]}
        >
          <EnterpriseSelect
            id="plan-enterprise"
            {...(prefill.enterprise_name ? { initialLabel: prefill.enterprise_name } : {})}
          />
        </Form.Item>
        <Form.Item
          name="planned_on"
          label={t('inspections.plannedOn')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <Input type="date" id="plan-date" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item
          name="purpose"
          label={t('inspections.purpose')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input.TextArea id="plan-purpose" rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item label={t('inspections.anomalies')} extra={t('inspections.anomaliesHint')}>
          <AnomalyChoice enterpriseId={enterpriseId} />
        </Form.Item>
        <Form.Item name="reasons_text" label={t('inspections.reasons')} extra={t('inspections.reasonsHint')}>
          <Input.TextArea id="plan-reasons" rows={3} />
        </Form.Item>
        <Form.Item
          name="inspectors"
          label={t('inspections.inspectors')}
          extra={t('inspections.inspectorsHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('inspections.inspectorsRequired') }]}
        >
          <Select mode="tags" id="plan-inspectors" open={false} suffixIcon={null} tokenSeparators={[',', '，', ' ']} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
