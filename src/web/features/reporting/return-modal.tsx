import { useState } from 'react';
import { App as AntApp, Form, Input, Modal, Typography } from 'antd';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { EXPLANATION_MAX, RETURN_REASON_MIN } from './report-rules.ts';

interface ReturnModalProps {
  /** What is being returned, as the reader knows it (enterprise and period, or division and period). */
  readonly subject: string;
  /** `/reports/{id}/return` or `/compilations/{id}/return`. */
  readonly path: string;
  readonly onClose: () => void;
  readonly onReturned: () => void;
}

/** 退回更正: sends a report or a forwarded compilation back with the reason, which its maker then sees. */
export function ReturnModal({ subject, path, onClose, onReturned }: ReturnModalProps) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);

  const submit = async ({ reason }: { reason: string }) => {
    setSaving(true);
    setError(undefined);
    try {
      await api.post(path, { reason: reason.trim() });
      void message.success(t('return.done'));
      onReturned();
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('return.title')}
      okText={t('return.confirm')}
      okButtonProps={{ danger: true }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph>{subject}</Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item
          name="reason"
          label={t('return.reason')}
          extra={t('return.reasonHint')}
          rules={[
            { required: true, whitespace: true, message: t('return.reasonRequired') },
            {
              validator: async (_rule, value: string | undefined) => {
                const text = (value ?? '').trim();
                if (text && text.length < RETURN_REASON_MIN)
                  throw new Error(t('return.reasonShort', { min: RETURN_REASON_MIN }));
                if (text.length > EXPLANATION_MAX) throw new Error(t('report.explanationLong'));
              },
            },
          ]}
        >
          <Input.TextArea rows={4} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
