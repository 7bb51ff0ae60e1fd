import { useState } from 'react';
import { App as AntApp, Form, Input, Modal, Select } from 'antd';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import type { Enterprise, SecurityProfile } from '../../shared/types.ts';

interface SecurityProfileValues {
  responsible_person: string;
  protection_level: number;
  last_assessment_on: string;
}

const protectionLevels = [1, 2, 3, 4, 5] as const;

/** Art. 11: the enterprise's network and data security profile, saved against the version shown. */
export function SecurityProfileModal({
  enterprise,
  onClose,
  onSaved,
}: {
  enterprise: Enterprise;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<SecurityProfileValues>();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const profile = enterprise.security_profile;

  const save = async (values: SecurityProfileValues) => {
    setSaving(true);
    setError(undefined);
    const securityProfile: SecurityProfile = {
      responsible_person: values.responsible_person.trim(),
      protection_level: values.protection_level,
      last_assessment_on: values.last_assessment_on || null,
    };
    try {
      await api.put<Enterprise>(`/enterprises/${enterprise.id}/security-profile`, {
        expected_version: enterprise.version,
        security_profile: securityProfile,
      });
      void message.success(t('common.saved'));
      onSaved();
    } catch (failure) {
      setError(failure);
      // The API names nested fields `security_profile.<field>`; the form's fields are top-level.
      showFieldErrors(form, failure, {
        'security_profile.responsible_person': 'responsible_person',
        'security_profile.protection_level': 'protection_level',
        'security_profile.last_assessment_on': 'last_assessment_on',
      });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('security.edit')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<SecurityProfileValues>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{
          responsible_person: profile.responsible_person,
          protection_level: profile.protection_level,
          last_assessment_on: profile.last_assessment_on ?? '',
        }}
      >
        <Form.Item
          name="responsible_person"
          label={t('security.responsiblePerson')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 50 }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="protection_level"
          label={t('security.protectionLevel')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <Select
            options={protectionLevels.map((level) => ({ value: level, label: t('security.levelValue', { level }) }))}
          />
        </Form.Item>
        <Form.Item name="last_assessment_on" label={t('security.lastAssessment')}>
          <Input type="date" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
