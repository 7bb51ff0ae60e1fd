import { App as AntApp, Checkbox, Col, Form, Input, InputNumber, Modal, Row, Segmented, Typography } from 'antd';
import { api } from '../../shared/api.ts';
import { addDays, todayInChina } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import {
  decisionKindList,
  mayBeFinal,
  type DecisionDetail,
  type DecisionKind,
  type ViolationView,
} from './supervision-types.ts';
import { useSupervisionSubmit } from './use-submit.ts';

interface DecisionValues {
  kind: DecisionKind;
  document_no: string;
  decided_on: string;
  final: boolean;
  correction_due_on?: string;
  fine_yuan?: number | null;
  suspension_from?: string;
  suspension_to?: string;
  referred_to?: string;
}

/** The body for the kind picked: only that kind's own fields, the others left out (the server refuses them). */
function bodyOf(values: DecisionValues, key: string): Record<string, unknown> {
  const optional = (value: string | number | null | undefined) =>
    value === undefined || value === null || value === ''
      ? undefined
      : typeof value === 'string'
        ? value.trim()
        : value;
  const own: Record<DecisionKind, Record<string, unknown>> = {
    correction_order: { correction_due_on: optional(values.correction_due_on) },
    fine: { fine_yuan: optional(values.fine_yuan) },
    suspension: { suspension_from: optional(values.suspension_from), suspension_to: optional(values.suspension_to) },
    referral: { referred_to: optional(values.referred_to) },
  };
  return {
    kind: values.kind,
    document_no: values.document_no.trim(),
    decided_on: values.decided_on,
    final: mayBeFinal(values.kind) && values.final,
    ...Object.fromEntries(Object.entries(own[values.kind]).filter(([, value]) => value !== undefined)),
    idempotency_key: key,
  };
}

/**
 * 作出处理决定: a correction order with its deadline, a fine in whole yuan, a suspension from–to, or a referral to
 * the public security organ. The kind's own fields are checked by the server; its 422 lands on the field it names.
 */
export function DecisionModal({
  violation,
  onClose,
  onDecided,
}: {
  readonly violation: ViolationView;
  readonly onClose: () => void;
  readonly onDecided: (decision: DecisionDetail) => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<DecisionValues>();
  const kind = Form.useWatch('kind', form) ?? 'correction_order';
  const { submit, error, saving } = useSupervisionSubmit(form, 'decision');

  const send = async (values: DecisionValues) => {
    const decided = await submit((key) =>
      api.post<DecisionDetail>(`/supervision/violations/${violation.id}/decisions`, bodyOf(values, key)),
    );
    if (decided) {
      void message.success(t('decisions.made'));
      onDecided(decided);
    }
  };

  return (
    <Modal
      open
      width={680}
      title={t('violation.decide')}
      okText={t('violation.decide')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{violation.enterprise_name}</Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form<DecisionValues>
        form={form}
        layout="vertical"
        data-testid="decision-form"
        initialValues={{
          kind: 'correction_order',
          decided_on: todayInChina(),
          correction_due_on: addDays(todayInChina(), 30),
          final: false,
          document_no: '',
        }}
        onValuesChange={(changed: Partial<DecisionValues>) => {
          if (changed.kind && !mayBeFinal(changed.kind)) form.setFieldValue('final', false);
        }}
        onFinish={(values) => void send(values)}
      >
        <Form.Item name="kind" label={t('decisions.kind')}>
          <Segmented<DecisionKind>
            data-testid="decision-kind"
            options={decisionKindList.map((value) => ({ value, label: t(`decisionKind.${value}`) }))}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={14}>
            <Form.Item
              name="document_no"
              label={t('decisions.documentNo')}
              rules={[{ required: true, whitespace: true, message: t('common.required') }]}
            >
              <Input id="decision-document-no" maxLength={100} placeholder="包工信责改〔2026〕1号" />
            </Form.Item>
          </Col>
          <Col xs={24} md={10}>
            <Form.Item
              name="decided_on"
              label={t('decisions.decidedOn')}
              rules={[{ required: true, message: t('common.required') }]}
            >
              <Input type="date" id="decision-decided-on" />
            </Form.Item>
          </Col>
        </Row>
        {/* The kind's own fields are marked required, and left to the server to judge (its message is shown). */}
        {kind === 'correction_order' ? (
          <Form.Item name="correction_due_on" label={t('decisions.correctionDueOn')} required>
            <Input type="date" id="decision-correction-due-on" style={{ width: 200 }} />
          </Form.Item>
        ) : null}
        {kind === 'fine' ? (
          <Form.Item name="fine_yuan" label={t('decisions.fineYuan')} required>
            <InputNumber<number> id="decision-fine-yuan" min={1} precision={0} style={{ width: 240 }} />
          </Form.Item>
        ) : null}
        {kind === 'suspension' ? (
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="suspension_from" label={t('decisions.suspensionFrom')} required>
                <Input type="date" id="decision-suspension-from" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="suspension_to" label={t('decisions.suspensionTo')} required>
                <Input type="date" id="decision-suspension-to" />
              </Form.Item>
            </Col>
          </Row>
        ) : null}
        {kind === 'referral' ? (
          <Form.Item name="referred_to" label={t('decisions.referredTo')} required>
            <Input id="decision-referred-to" maxLength={200} placeholder={t('decisions.referredToPlaceholder')} />
          </Form.Item>
        ) : null}
        {mayBeFinal(kind) ? (
          <Form.Item name="final" valuePropName="checked" extra={t('decisions.finalHint')}>
            <Checkbox id="decision-final">{t('decisions.final')}</Checkbox>
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
