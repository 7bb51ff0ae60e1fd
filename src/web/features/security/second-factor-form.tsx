import { useState, type ReactNode } from 'react';
import { Button, Flex, Form, Input, Typography } from 'antd';
import { ApiError } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert, showFieldErrors } from '../../shared/page.tsx';

/** What POST /auth/second-factor takes: a code from the app, or one of the recovery codes. */
export type SecondFactorBody = { code: string } | { recovery_code: string };

interface SecondFactorFormProps {
  /** The form's name: its inputs get ids `<name>_code` and `<name>_recovery_code`. */
  readonly name: string;
  readonly onSubmit: (body: SecondFactorBody) => Promise<void>;
  /** A recovery code may stand in for a code (sign-in, step-up); enrolment takes codes only. */
  readonly allowRecovery?: boolean;
  readonly submitLabel?: string;
  /** Shown beside the submit button (e.g. back to the password). */
  readonly extra?: ReactNode;
}

/** Six digits, or XXXXX-XXXXX: a code pasted with spaces is taken all the same. */
function digitsOnly(value: string): string {
  return value.replace(/\s+/g, '');
}

/**
 * The six-digit code of an authenticator app, or (「使用恢复码」) a recovery code instead. A wrong, expired or
 * already used code is told on the field itself.
 */
export function SecondFactorForm({ name, onSubmit, allowRecovery = true, submitLabel, extra }: SecondFactorFormProps) {
  const t = useTranslate();
  const [form] = Form.useForm<{ code?: string; recovery_code?: string }>();
  const [recovery, setRecovery] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (values: { code?: string; recovery_code?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(
        recovery ? { recovery_code: (values.recovery_code ?? '').trim() } : { code: digitsOnly(values.code ?? '') },
      );
    } catch (failure) {
      const field = recovery ? 'recovery_code' : 'code';
      if (failure instanceof ApiError && failure.code === 'second_factor_wrong') {
        // Told on the field; the code is cleared for the next one the app shows.
        const text = recovery ? t('problem.recovery_code_wrong') : t('problem.second_factor_wrong');
        form.setFields([{ name: field, value: '', errors: [text] }]);
      } else {
        setError(failure);
        showFieldErrors(form, failure);
      }
    } finally {
      setBusy(false);
    }
  };

  const switchMode = () => {
    setRecovery((value) => !value);
    setError(undefined);
    form.resetFields();
  };

  return (
    <Form form={form} name={name} layout="vertical" requiredMark={false} onFinish={(values) => void submit(values)}>
      <ProblemAlert error={error} />
      {recovery ? (
        <>
          <Typography.Paragraph type="secondary">{t('secondFactor.recoveryPrompt')}</Typography.Paragraph>
          <Form.Item
            name="recovery_code"
            label={t('secondFactor.recoveryCode')}
            rules={[{ required: true, whitespace: true, message: t('secondFactor.recoveryRequired') }]}
          >
            <Input autoComplete="off" autoFocus placeholder="XXXXX-XXXXX" maxLength={32} spellCheck={false} />
          </Form.Item>
        </>
      ) : (
        <Form.Item
          name="code"
          label={t('secondFactor.code')}
          normalize={(value: string) => value.replace(/[^0-9]/g, '').slice(0, 6)}
          rules={[{ required: true, pattern: /^[0-9]{6}$/, message: t('secondFactor.codeRule') }]}
        >
          <Input
            autoComplete="one-time-code"
            inputMode="numeric"
            autoFocus
            maxLength={6}
            placeholder="000000"
            style={{ fontSize: 22, letterSpacing: 8, textAlign: 'center', fontFamily: 'monospace' }}
          />
        </Form.Item>
      )}
      <Flex justify="space-between" align="center" gap="small" wrap>
        {allowRecovery ? (
          <Button type="link" onClick={switchMode} style={{ paddingInline: 0 }} data-testid="second-factor-mode">
            {recovery ? t('secondFactor.useCode') : t('secondFactor.useRecovery')}
          </Button>
        ) : (
          <span />
        )}
        {extra}
      </Flex>
      <Button type="primary" htmlType="submit" block loading={busy} style={{ marginTop: 12 }}>
        {submitLabel ?? t('secondFactor.submit')}
      </Button>
    </Form>
  );
}
