import { App as AntApp, Col, Divider, Form, Input, InputNumber, Modal, Row, Typography } from 'antd';
import type { RiskWeightsView } from '../../../contracts/supervision-risk.ts';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { WriteProblem } from './supervision-labels.tsx';
import { useSupervisionSubmit } from './use-submit.ts';

type Weights = RiskWeightsView['weights'];
interface WeightsValues {
  weights: Weights;
  note?: string;
}

/** The whole-number weights other than the per-rule anomaly points, in the order the server lists them. */
function scalarKeys(weights: Weights): string[] {
  return Object.keys(weights).filter((key) => key !== 'anomaly');
}

/**
 * 调整权重: the whole set of weights of the division asked about, sent as its next version against the version read
 * (409 when someone changed them meanwhile); a value out of range comes back as a 422 beside its field.
 */
export function RiskWeightsModal({
  view,
  onClose,
  onSaved,
}: {
  readonly view: RiskWeightsView;
  readonly onClose: () => void;
  readonly onSaved: () => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<WeightsValues>();
  const { submit, error, saving } = useSupervisionSubmit(form, 'risk-weights');

  const send = async (values: WeightsValues) => {
    const saved = await submit(() =>
      api.put<RiskWeightsView>('/supervision/risk-weights', {
        division_code: view.division_code,
        expected_version: view.own_version,
        weights: values.weights,
        note: (values.note ?? '').trim(),
      }),
    );
    if (saved) {
      void message.success(t('risk.weightsSaved'));
      onSaved();
    }
  };

  const number = <InputNumber<number> min={0} precision={0} style={{ width: '100%' }} />;
  return (
    <Modal
      open
      width={760}
      title={t('risk.weightsFor', { code: view.division_code })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <WriteProblem error={error} />
      <Form<WeightsValues>
        form={form}
        layout="vertical"
        data-testid="weights-form"
        initialValues={{ weights: view.weights, note: '' }}
        onFinish={(values) => void send(values)}
      >
        <Typography.Text strong>{t('risk.anomalyWeights')}</Typography.Text>
        <Row gutter={16} style={{ marginTop: 8 }}>
          {Object.keys(view.weights.anomaly).map((rule) => (
            <Col xs={12} md={8} key={rule}>
              <Form.Item name={['weights', 'anomaly', rule]} label={labelOf(t, 'anomalyRule', rule)}>
                {number}
              </Form.Item>
            </Col>
          ))}
        </Row>
        <Divider style={{ margin: '4px 0 16px' }} />
        <Row gutter={16}>
          {scalarKeys(view.weights).map((key) => (
            <Col xs={12} md={8} key={key}>
              <Form.Item name={['weights', key]} label={labelOf(t, 'riskWeight', key)}>
                {number}
              </Form.Item>
            </Col>
          ))}
        </Row>
        <Form.Item name="note" label={t('risk.weightsNote')}>
          <Input.TextArea id="weights-note" rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
