import { useState } from 'react';
import { App as AntApp, Col, Form, Input, InputNumber, Modal, Row } from 'antd';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { factors, percentToPpm, type Plan, type PlanCreate } from './indicator-types.ts';

const memoFields = [
  'economic_goals',
  'reserves_and_variety',
  'industry_development',
  'ecological_protection',
  'market_demand',
] as const;

interface PlanFormValues {
  readonly year: number;
  readonly memo: PlanCreate['memo'];
  readonly weights: PlanCreate['weights'];
  readonly penalty_percent: number;
  readonly sub_allocation_working_days: number;
}

interface PlanCreateModalProps {
  readonly open: boolean;
  readonly onClose: () => void;
  readonly onCreated: (plan: Plan) => void;
}

/** A year's plan: the Art. 5 factors it was formulated from and the parameters of the engine. */
export function PlanCreateModal({ open, onClose, onCreated }: PlanCreateModalProps) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<PlanFormValues>();
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);

  const submit = async (values: PlanFormValues) => {
    setSaving(true);
    setError(undefined);
    try {
      const body: PlanCreate = {
        year: values.year,
        memo: values.memo,
        weights: values.weights,
        penalty_reduction_ppm: percentToPpm(values.penalty_percent),
        sub_allocation_working_days: values.sub_allocation_working_days,
      };
      const plan = await api.post<Plan>('/indicator-plans', body);
      void message.success(t('plans.created'));
      onCreated(plan);
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure, { penalty_reduction_ppm: 'penalty_percent' });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('plans.new')}
      width={760}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<PlanFormValues>
        form={form}
        layout="vertical"
        onFinish={(values) => void submit(values)}
        initialValues={{
          year: new Date().getFullYear(),
          weights: { capacity: 60, technical: 15, environment: 15, safety: 10 },
          penalty_percent: 10,
          sub_allocation_working_days: 10,
        }}
      >
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="year" label={t('plans.year')} rules={[{ required: true, message: t('common.required') }]}>
              <InputNumber min={2000} max={2100} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="penalty_percent" label={t('plan.penaltyPercent')} rules={[{ required: true }]}>
              <InputNumber min={0} max={100} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="sub_allocation_working_days" label={t('plan.workingDays')} rules={[{ required: true }]}>
              <InputNumber min={1} max={60} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          {factors.map((factor) => (
            <Col span={6} key={factor}>
              <Form.Item
                name={['weights', factor]}
                label={`${t('plan.weights')} · ${t(`factor.${factor}`)}`}
                rules={[{ required: true }]}
              >
                <InputNumber min={0} max={1000} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          ))}
        </Row>
        {memoFields.map((field) => (
          <Form.Item
            key={field}
            name={['memo', field]}
            label={t(`plan.memo.${field}`)}
            rules={[{ required: true, whitespace: true, message: t('common.required') }]}
          >
            <Input.TextArea rows={2} maxLength={4000} />
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}

export { memoFields };
