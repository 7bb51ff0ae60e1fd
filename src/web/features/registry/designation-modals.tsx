import { useEffect, useState } from 'react';
import { App as AntApp, Descriptions, Form, Input, Modal, Select } from 'antd';
import type { FormInstance } from 'antd';
import { api } from '../../shared/api.ts';
import { todayInChina } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import type { Designation, DesignationCreate, DesignationRevoke, Enterprise, Page } from '../../shared/types.ts';

/** Finds an enterprise in the user's jurisdiction by name or credit code. */
function EnterpriseSelect({ value, onChange, id }: { value?: string; onChange?: (id: string) => void; id?: string }) {
  const t = useTranslate();
  const [search, setSearch] = useState('');
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api.get<Page<Enterprise>>('/enterprises', { q: search.trim(), page_size: 20 }).then(
        (page) =>
          current &&
          setOptions(
            page.items.map((enterprise) => ({
              value: enterprise.id,
              label: `${enterprise.name}（${enterprise.credit_code}）`,
            })),
          ),
        () => current && setOptions([]),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [search]);

  return (
    <Select<string>
      {...(id ? { id } : {})}
      showSearch={{
        filterOption: false,
        onSearch: (text) => {
          // Drop the previous answer at once, so nobody picks a row that no longer matches what they typed.
          setOptions([]);
          setSearch(text);
        },
      }}
      {...(value ? { value } : {})}
      onChange={(next) => onChange?.(next)}
      options={options}
      placeholder={t('designations.enterprisePlaceholder')}
    />
  );
}

/** Shared submit handling: server detail on top, field errors beside their fields. */
function useSubmit<T>(form: FormInstance<T>, send: (values: T) => Promise<unknown>, onSaved: () => void) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const submit = async (values: T) => {
    setSaving(true);
    setError(undefined);
    try {
      await send(values);
      void message.success(t('common.saved'));
      onSaved();
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure);
    } finally {
      setSaving(false);
    }
  };
  return { error, saving, submit };
}

export function CreateDesignationModal({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const t = useTranslate();
  const [form] = Form.useForm<DesignationCreate>();
  const { error, saving, submit } = useSubmit(
    form,
    (values) => api.post<Designation>('/designations', { ...values, document_no: values.document_no.trim() }),
    onSaved,
  );
  const required = { required: true, message: t('common.required') };
  return (
    <Modal
      open
      title={t('designations.create')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<DesignationCreate>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ scope: 'mining', effective_on: todayInChina() }}
      >
        <Form.Item name="enterprise_id" label={t('enterprise.name')} rules={[required]}>
          <EnterpriseSelect />
        </Form.Item>
        <Form.Item name="scope" label={t('designation.scope')} rules={[required]}>
          <Select
            options={(['mining', 'separation'] as const).map((scope) => ({ value: scope, label: t(`scope.${scope}`) }))}
          />
        </Form.Item>
        <Form.Item name="document_no" label={t('designation.documentNo')} rules={[required, { max: 100 }]}>
          <Input placeholder={t('designations.documentPlaceholder')} />
        </Form.Item>
        <Form.Item name="effective_on" label={t('designation.effectiveOn')} rules={[required]}>
          <Input type="date" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function RevokeDesignationModal({
  designation,
  onClose,
  onSaved,
}: {
  designation: Designation;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useTranslate();
  const [form] = Form.useForm<DesignationRevoke>();
  const { error, saving, submit } = useSubmit(
    form,
    (values) =>
      api.post<Designation>(`/designations/${designation.id}/revoke`, {
        revoked_on: values.revoked_on,
        revocation_document_no: values.revocation_document_no.trim(),
        reason: values.reason.trim(),
      }),
    onSaved,
  );
  const required = { required: true, message: t('common.required') };
  return (
    <Modal
      open
      title={t('designation.revokeTitle')}
      okText={t('designation.revoke')}
      okButtonProps={{ danger: true }}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Descriptions
        size="small"
        column={1}
        style={{ marginBottom: 16 }}
        items={[
          { key: 'enterprise', label: t('enterprise.name'), children: designation.enterprise_name },
          { key: 'scope', label: t('designation.scope'), children: t(`scope.${designation.scope}`) },
          { key: 'document', label: t('designation.documentNo'), children: designation.document_no },
        ]}
      />
      <ProblemAlert error={error} />
      <Form<DesignationRevoke>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ revoked_on: todayInChina() }}
      >
        <Form.Item name="revoked_on" label={t('designation.revokedOn')} rules={[required]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item
          name="revocation_document_no"
          label={t('designation.revocationDocumentNo')}
          rules={[required, { max: 100 }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="reason" label={t('designation.reason')} rules={[required, { max: 500 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
