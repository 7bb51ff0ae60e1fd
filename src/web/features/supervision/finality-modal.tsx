import { Alert, App as AntApp, Form, Input, Modal } from 'antd';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { WriteProblem } from './supervision-labels.tsx';
import type { DecisionDetail } from './supervision-types.ts';
import { useSupervisionSubmit } from './use-submit.ts';

export type FinalityOutcome = 'final' | 'revoked';

interface FinalityValues {
  effective_on: string;
  note: string;
}

/**
 * What became of a penalty decided while an appeal could still be brought: final (the time for appeal passed, or
 * it was upheld: Art. 14 counts it from then on) or revoked on appeal (the decision is closed). The deciding
 * division records it against the version it read.
 */
export function FinalityModal({
  decision,
  outcome,
  onClose,
  onDone,
}: {
  readonly decision: DecisionDetail;
  readonly outcome: FinalityOutcome;
  readonly onClose: () => void;
  readonly onDone: () => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FinalityValues>();
  const { submit, error, saving } = useSupervisionSubmit(form, 'finality');

  const send = async (values: FinalityValues) => {
    const done = await submit(() =>
      api.post<DecisionDetail>(`/supervision/decisions/${decision.id}/finality`, {
        expected_version: decision.version,
        outcome,
        effective_on: values.effective_on,
        note: values.note.trim(),
      }),
    );
    if (done) {
      void message.success(t(`finality.done.${outcome}`));
      onDone();
    }
  };

  return (
    <Modal
      open
      title={t(`finality.${outcome}`)}
      okText={t(`finality.${outcome}`)}
      okButtonProps={{ danger: outcome === 'revoked', 'data-testid': 'finality-ok' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t(`finality.explain.${outcome}`)} />
      <WriteProblem error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void send(values)}>
        <Form.Item
          name="effective_on"
          label={t(`finality.effectiveOn.${outcome}`)}
          rules={[{ required: true, message: t('finality.effectiveOnRequired') }]}
        >
          <Input type="date" id="finality-effective-on" style={{ width: 200 }} />
        </Form.Item>
        <Form.Item
          name="note"
          label={t('finality.note')}
          rules={[{ required: true, whitespace: true, message: t('decision.noteRequired') }]}
        >
          <Input.TextArea
            id="finality-note"
            rows={3}
            maxLength={2000}
            placeholder={t(`finality.placeholder.${outcome}`)}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
