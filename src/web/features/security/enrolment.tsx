import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Button, Flex, Spin, Steps, Typography } from 'antd';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { qrImageSource } from '../trace/qr-image.ts';
import { SecondFactorForm } from './second-factor-form.tsx';

interface EnrolmentStart {
  readonly secret: string;
  readonly otpauth_uri: string;
  readonly qr_svg: string;
}

/** The base32 secret in groups of four, the way people type it into an app. */
export function groupedSecret(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(' ');
}

interface EnrolmentProps {
  /** The new authenticator is confirmed: here are its recovery codes (shown once by the caller). */
  readonly onConfirmed: (recoveryCodes: readonly string[]) => void;
  readonly extra?: ReactNode;
}

/**
 * Sets up an authenticator app: the server makes a secret (scan the QR code or type the secret), the user
 * confirms with a code the app shows, and the server answers the recovery codes. Used at sign-in (stage
 * `enrol`) and on the account security page (a new phone).
 */
export function Enrolment({ onConfirmed, extra }: EnrolmentProps) {
  const t = useTranslate();
  const [start, setStart] = useState<EnrolmentStart | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(false);
  // One secret per visit: a second start would replace the one the user is scanning.
  const started = useRef(false);

  const begin = useCallback(() => {
    setLoading(true);
    setError(undefined);
    api.post<EnrolmentStart>('/auth/second-factor/enrolment').then(
      (answer) => {
        setStart(answer);
        setLoading(false);
      },
      (failure: unknown) => {
        setError(failure);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    begin();
  }, [begin]);

  const confirm = async (body: { code: string } | { recovery_code: string }) => {
    const answer = await api.post<{ recovery_codes: string[] }>('/auth/second-factor/enrolment/confirm', body);
    onConfirmed(answer.recovery_codes);
  };

  return (
    <div data-testid="enrolment">
      <Steps
        size="small"
        current={start ? 1 : 0}
        style={{ marginBottom: 20 }}
        items={[{ title: t('enrol.step.scan') }, { title: t('enrol.step.confirm') }, { title: t('enrol.step.codes') }]}
      />
      <ProblemAlert error={error} />
      {error && !start ? (
        <Flex justify="center" gap="small" style={{ marginBottom: 16 }}>
          <Button type="primary" onClick={begin} loading={loading}>
            {t('enrol.start')}
          </Button>
          {extra}
        </Flex>
      ) : null}
      {!start && !error ? (
        <Flex justify="center" style={{ padding: 32 }}>
          <Spin />
        </Flex>
      ) : null}
      {start ? (
        <>
          <Typography.Paragraph>{t('enrol.scan')}</Typography.Paragraph>
          <Flex justify="center">
            <img
              src={qrImageSource(start.qr_svg)}
              alt={t('enrol.qrAlt')}
              data-testid="enrol-qr"
              width={200}
              height={200}
              style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 8, background: '#fff' }}
            />
          </Flex>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 4 }}>
            {t('enrol.manual')}
          </Typography.Paragraph>
          <Typography.Paragraph
            copyable={{ text: start.secret }}
            style={{ fontFamily: 'monospace', fontSize: 16, textAlign: 'center', wordBreak: 'break-all' }}
          >
            <span data-testid="enrol-secret">{groupedSecret(start.secret)}</span>
          </Typography.Paragraph>
          <Typography.Paragraph>{t('enrol.confirm')}</Typography.Paragraph>
          <SecondFactorForm
            name="enrol"
            allowRecovery={false}
            submitLabel={t('enrol.submit')}
            onSubmit={confirm}
            extra={extra}
          />
        </>
      ) : null}
    </div>
  );
}
