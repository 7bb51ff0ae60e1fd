import { useState } from 'react';
import { App as AntApp, Form, Input, Modal, Select } from 'antd';
import { api } from '../../shared/api.ts';
import { DivisionSelect } from '../../shared/division-select.tsx';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';
import { roleLabel, roleNames } from '../../shared/roles.ts';
import type { Authority, RoleName, User, UserCreate } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { approverName } from './approver-name.ts';

interface UserFormValues {
  login: string;
  display_name: string;
  password: string;
  role: RoleName;
  /** Only to narrow the authority list; not sent. */
  division_code: string | null;
  authority_id: string | null;
  enterprise_id: string;
}

const officialRoles = new Set<RoleName>(['ministry_official', 'department_official']);
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Officials belong to an authority: the ministries, or the departments at a chosen division. */
function AuthorityField({ role, divisionCode }: { role: RoleName; divisionCode: string | null }) {
  const t = useTranslate();
  const national = role === 'ministry_official';
  const authorities = useApi<Authority[]>(
    national || divisionCode ? '/authorities' : null,
    national ? {} : { division: divisionCode },
  );
  return (
    <Form.Item
      name="authority_id"
      label={t('users.authority')}
      rules={[{ required: true, message: t('common.required') }]}
    >
      <Select
        loading={authorities.loading}
        disabled={!national && !divisionCode}
        placeholder={national ? undefined : t('users.pickDivisionFirst')}
        options={(authorities.data ?? []).map((authority) => ({ value: authority.id, label: authority.name }))}
      />
    </Form.Item>
  );
}

export function CreateUserModal({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<UserFormValues>();
  const role = Form.useWatch('role', form) ?? 'department_official';
  const divisionCode = Form.useWatch('division_code', form) ?? null;
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const required = { required: true, message: t('common.required') };

  const save = async (values: UserFormValues) => {
    setSaving(true);
    setError(undefined);
    const body: UserCreate = {
      login: values.login.trim(),
      display_name: values.display_name.trim(),
      password: values.password,
      role: values.role,
      authority_id: officialRoles.has(values.role) ? values.authority_id : null,
      enterprise_id: values.role === 'enterprise_user' ? values.enterprise_id.trim() : null,
    };
    try {
      const created = await api.post<User>('/users', body);
      // A ministry, department or oversight account is a proposal: say who is to approve it.
      if (created.grant_status === 'pending' && created.grant) {
        void message.info(t('users.proposed', { approver: approverName(t, created.grant) }));
      } else {
        void message.success(t('common.saved'));
      }
      onSaved();
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
      width={560}
      title={t('users.create')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <ProblemAlert error={error} />
      <Form<UserFormValues>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{ role: 'department_official', division_code: null, authority_id: null, enterprise_id: '' }}
        onValuesChange={(changed: Partial<UserFormValues>) => {
          // A different role or division makes the chosen authority meaningless.
          if ('role' in changed || 'division_code' in changed) form.setFieldValue('authority_id', null);
        }}
      >
        <Form.Item
          name="login"
          label={t('users.login')}
          rules={[required, { pattern: /^[a-z0-9._-]{3,64}$/, message: t('users.loginRule') }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="display_name" label={t('users.displayName')} rules={[required, { max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('users.password')}
          extra={t('users.passwordRule')}
          rules={[
            required,
            { min: 12, message: t('users.passwordRule') },
            { pattern: /(?=.*[A-Za-z])(?=.*[0-9])/, message: t('users.passwordRule') },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="role" label={t('users.role')} rules={[required]}>
          <Select options={roleNames.map((value) => ({ value, label: roleLabel(t, value) }))} />
        </Form.Item>
        {role === 'department_official' ? (
          <Form.Item name="division_code" label={t('users.division')} rules={[required]}>
            <DivisionSelect />
          </Form.Item>
        ) : null}
        {officialRoles.has(role) ? <AuthorityField role={role} divisionCode={divisionCode} /> : null}
        {role === 'enterprise_user' ? (
          <Form.Item
            name="enterprise_id"
            label={t('users.enterpriseId')}
            extra={t('users.enterpriseIdHint')}
            rules={[required, { pattern: UUID_PATTERN, message: t('users.enterpriseIdRule') }]}
          >
            <Input style={{ fontFamily: 'monospace' }} />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
