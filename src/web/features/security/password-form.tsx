import { useState } from 'react';
import { Button, Form, Input, Typography } from 'antd';
import { api } from '../../shared/api.ts';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';

interface PasswordValues {
  current_password: string;
  new_password: string;
  repeat: string;
}

const MIN_LENGTH = 12;

/** The policy's first three rules, checked before sending; the server checks them again, and the history. */
function policyProblem(t: Translate, login: string, password: string): string | null {
  if (password.length < MIN_LENGTH) return t('problem.password_policy.length', { min: MIN_LENGTH });
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) => pattern.test(password)).length;
  if (classes < 3) return t('problem.password_policy.classes');
  if (login && password.toLowerCase().includes(login.toLowerCase())) return t('problem.password_policy.login');
  return null;
}

interface PasswordChangeFormProps {
  readonly login: string;
  /** The password is changed (the server has ended the account's other sessions and API tokens). */
  readonly onChanged: () => void;
  readonly submitLabel?: string;
}

/**
 * 修改密码: the current password, the new one twice, with the policy stated beside it. A wrong current password
 * or a broken rule is told on its field.
 */
export function PasswordChangeForm({ login, onChanged, submitLabel }: PasswordChangeFormProps) {
  const t = useTranslate();
  const [form] = Form.useForm<PasswordValues>();
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);

  const submit = async (values: PasswordValues) => {
    setSaving(true);
    setError(undefined);
    try {
      await api.post('/auth/password', {
        current_password: values.current_password,
        new_password: values.new_password,
      });
      form.resetFields();
      onChanged();
    } catch (failure) {
      setError(failure);
      showFieldErrors(form, failure);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<PasswordValues>
      form={form}
      name="password_change"
      layout="vertical"
      requiredMark={false}
      onFinish={(values) => void submit(values)}
      style={{ maxWidth: 440 }}
    >
      <ProblemAlert error={error} />
      <Form.Item
        name="current_password"
        label={t('password.current')}
        rules={[{ required: true, message: t('password.currentRequired') }]}
      >
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="new_password"
        label={t('password.new')}
        extra={<Typography.Text type="secondary">{t('password.policy')}</Typography.Text>}
        rules={[
          { required: true, message: t('password.newRequired') },
          {
            validator: async (_rule, value: string | undefined) => {
              const problem = value ? policyProblem(t, login, value) : null;
              if (problem) throw new Error(problem);
            },
          },
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="repeat"
        label={t('password.repeat')}
        dependencies={['new_password']}
        rules={[
          { required: true, message: t('password.newRequired') },
          ({ getFieldValue }) => ({
            validator: async (_rule, value: string | undefined) => {
              if (value && value !== getFieldValue('new_password')) throw new Error(t('password.mismatch'));
            },
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={saving}>
        {submitLabel ?? t('password.submit')}
      </Button>
    </Form>
  );
}
