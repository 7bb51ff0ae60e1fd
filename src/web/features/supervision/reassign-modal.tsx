import { App as AntApp, Form, Input, Modal, Select } from 'antd';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { WriteProblem } from './supervision-labels.tsx';
import type { InspectionDetail } from './supervision-types.ts';
import { useSupervisionSubmit } from './use-submit.ts';

interface ReassignValues {
  inspectors: string[];
  note: string;
}

/** `inspectors.1` from the server is the inspectors' box. */
const fieldOf = (field: string) => (field.startsWith('inspectors') ? 'inspectors' : field);

/** 改派检查人员: a planned inspection's officials replaced, with a note why, against the version read. */
export function ReassignModal({
  inspection,
  onClose,
  onDone,
}: {
  readonly inspection: InspectionDetail;
  readonly onClose: () => void;
  readonly onDone: () => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ReassignValues>();
  const { submit, error, saving } = useSupervisionSubmit(form, 'reassign', fieldOf);

  const send = async (values: ReassignValues) => {
    const done = await submit(() =>
      api.post<InspectionDetail>(`/supervision/inspections/${inspection.id}/inspectors`, {
        expected_version: inspection.version,
        inspectors: values.inspectors.map((login) => login.trim()).filter(Boolean),
        note: values.note.trim(),
      }),
    );
    if (done) {
      void message.success(t('reassign.done'));
      onDone();
    }
  };

  return (
    <Modal
      open
      title={t('reassign.title')}
      okText={t('reassign.ok')}
      okButtonProps={{ 'data-testid': 'reassign-ok' }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <WriteProblem error={error} />
      <Form
        form={form}
        layout="vertical"
        initialValues={{ inspectors: inspection.inspectors }}
        onFinish={(values) => void send(values)}
      >
        <Form.Item
          name="inspectors"
          label={t('inspections.inspectors')}
          extra={t('inspections.inspectorsHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('inspections.inspectorsRequired') }]}
        >
          <Select
            mode="tags"
            id="reassign-inspectors"
            open={false}
            suffixIcon={null}
            tokenSeparators={[',', '，', ' ']}
          />
        </Form.Item>
        <Form.Item
          name="note"
          label={t('reassign.note')}
          rules={[{ required: true, whitespace: true, message: t('decision.noteRequired') }]}
        >
          <Input.TextArea id="reassign-note" rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
