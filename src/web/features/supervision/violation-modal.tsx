import { App as AntApp, Form, Input, Modal, Select, Typography } from 'antd';
import { api } from '../../shared/api.ts';
import { todayInChina } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { EnterpriseSelect, useViolationTypes, violationTypeName } from './supervision-labels.tsx';
import type { BasisItem, ViolationView } from './supervision-types.ts';
import { useSupervisionSubmit } from './use-submit.ts';

interface ViolationValues {
  enterprise_id?: string;
  anomaly_id?: string;
  type?: string;
  description: string;
  found_on: string;
}

export interface ViolationSource {
  readonly enterprise_id?: string;
  readonly enterprise_name?: string;
  readonly inspection_id?: string;
  /** The anomalies the inspection rested on: one may be named as the violation's source. */
  readonly basis?: readonly BasisItem[];
  readonly found_on?: string | null;
  readonly description?: string | null;
}

/** 认定违法违规行为: the type (which fixes the legal basis, shown in full), the facts, the date found. */
export function ViolationModal({
  source,
  onClose,
  onRecorded,
}: {
  readonly source: ViolationSource;
  readonly onClose: () => void;
  readonly onRecorded: (violation: ViolationView) => void;
}) {
  const t = useTranslate();
  const language = useLanguage();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ViolationValues>();
  const types = useViolationTypes();
  const picked = Form.useWatch('type', form);
  const basis = types.data?.find((item) => item.type === picked)?.legal_basis;
  const { submit, error, saving } = useSupervisionSubmit(form, 'violation');
  const anomalies = (source.basis ?? []).filter((item) => item.kind === 'anomaly');

  const send = async (values: ViolationValues) => {
    const recorded = await submit((key) =>
      api.post<ViolationView>('/supervision/violations', {
        enterprise_id: source.inspection_id ? source.enterprise_id : values.enterprise_id,
        ...(source.inspection_id ? { inspection_id: source.inspection_id } : {}),
        ...(values.anomaly_id ? { anomaly_id: values.anomaly_id } : {}),
        type: values.type,
        description: values.description.trim(),
        found_on: values.found_on,
        idempotency_key: key,
      }),
    );
    if (recorded) {
      void message.success(t('violations.recorded'));
      onRecorded(recorded);
    }
  };

  return (
    <Modal
      open
      width={720}
      title={t('violations.record')}
      okText={t('violations.record')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error ?? types.error} />
      <Form<ViolationValues>
        form={form}
        layout="vertical"
        data-testid="violation-form"
        initialValues={{
          enterprise_id: source.enterprise_id,
          found_on: source.found_on ?? todayInChina(),
          description: source.description ?? '',
        }}
        onFinish={(values) => void send(values)}
      >
        {source.inspection_id ? (
          <Form.Item label={t('supervision.enterprise')}>
            <Typography.Text strong>{source.enterprise_name}</Typography.Text>
          </Form.Item>
        ) : (
          <Form.Item
            name="enterprise_id"
            label={t('supervision.enterprise')}
            rules={[{ required: true, message: t('inspections.pickEnterpriseFirst') }]}
          >
            <EnterpriseSelect id="violation-enterprise" />
          </Form.Item>
        )}
        <Form.Item
          name="type"
          label={t('violations.type')}
          rules={[{ required: true, message: t('violations.typePlaceholder') }]}
          extra={
            basis ? (
              <span data-testid="violation-basis">
                {language === 'zh' ? basis.zh : basis.en}（{basis.citation}）
              </span>
            ) : null
          }
        >
          <Select<string>
            id="violation-type"
            placeholder={t('violations.typePlaceholder')}
            loading={types.loading}
            options={(types.data ?? []).map((item) => ({
              value: item.type,
              label: violationTypeName(language, item.legal_basis, item.type),
            }))}
          />
        </Form.Item>
        {anomalies.length > 0 ? (
          <Form.Item name="anomaly_id" label={t('violations.anomaly')}>
            <Select<string>
              allowClear
              id="violation-anomaly"
              options={anomalies.map((item) => ({
                value: item.anomaly_id,
                label: `${labelOf(t, 'anomalyRule', item.rule)} · ${item.period} · ${item.summary}`,
              }))}
            />
          </Form.Item>
        ) : null}
        <Form.Item
          name="description"
          label={t('violations.description')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input.TextArea id="violation-description" rows={4} maxLength={10_000} />
        </Form.Item>
        <Form.Item
          name="found_on"
          label={t('violations.foundOn')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <Input type="date" id="violation-found-on" style={{ width: 200 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
