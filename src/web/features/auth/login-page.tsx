import { useEffect, useState, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api, ApiError, errorText } from '../../shared/api.ts';
import { useTranslate, type MessageKey } from '../../shared/i18n.ts';
import { LanguageSwitch } from '../../shared/layout.tsx';
import { ProblemAlert } from '../../shared/page.tsx';
import { isFullySignedIn, useSession } from '../../shared/session.tsx';
import type { CurrentUser } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { groupedSecret, Enrolment } from '../security/enrolment.tsx';
import { PasswordChangeForm } from '../security/password-form.tsx';
import { RecoveryCodes } from '../security/recovery-codes.tsx';
import { SecondFactorForm, type SecondFactorBody } from '../security/second-factor-form.tsx';

interface Credentials {
  login: string;
  password: string;
}

/** Where to go after signing in: back to the page that sent the user here, if any. */
function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login') ? from : '/';
}

/** Sign-in failures people meet often get a heading in their language above the server's detail. */
const failureHeadings: Readonly<Record<string, MessageKey>> = {
  bad_credentials: 'auth.failed.badCredentials',
  rate_limited: 'auth.failed.rateLimited',
};

interface SignInHelp {
  readonly demo_code: string | null;
  readonly demo_secret: string | null;
}

/**
 * Demo mode only: the demo accounts' one-time code and secret, so a visitor can sign in without a phone. A
 * production server answers nulls (or nothing) and nothing is shown.
 */
function DemoHint() {
  const t = useTranslate();
  const help = useApi<SignInHelp>('/auth/sign-in-help');
  const { reload } = help;
  // The code changes every 30 s: ask again a little after each change.
  useEffect(() => {
    const timer = setInterval(reload, 10_000);
    return () => clearInterval(timer);
  }, [reload]);
  const data = help.data;
  if (!data?.demo_secret && !data?.demo_code) return null;
  const secret = data.demo_secret ? groupedSecret(data.demo_secret) : '';
  return (
    <Alert
      type="info"
      showIcon
      data-testid="demo-hint"
      style={{ marginBottom: 16 }}
      title={
        data.demo_code ? t('auth.demoHint', { code: data.demo_code, secret }) : t('auth.demoHintShort', { secret })
      }
    />
  );
}

function PasswordStep({ onSignedIn }: { onSignedIn: (user: CurrentUser) => void }) {
  const t = useTranslate();
  const { signIn } = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const [submitting, setSubmitting] = useState(false);

  const headingOf = (failure: unknown): string | undefined => {
    const key = failure instanceof ApiError ? failureHeadings[failure.code] : undefined;
    return key ? t(key) : undefined;
  };

  const submit = async (values: Credentials) => {
    setSubmitting(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(values.login.trim(), values.password));
    } catch (failure) {
      // Wrong login or password (a throttled attempt answers the same), rate limit: the server's detail says which.
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
        {t('auth.subtitle')}
      </Typography.Paragraph>
      <ProblemAlert error={error} summary={headingOf(error)} />
      <Form<Credentials> layout="vertical" onFinish={submit} requiredMark={false} autoComplete="on">
        <Form.Item
          name="login"
          label={t('auth.login')}
          rules={[{ required: true, whitespace: true, message: t('auth.loginRequired') }]}
        >
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('auth.password')}
          rules={[{ required: true, message: t('auth.passwordRequired') }]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={submitting}>
          {t('auth.submit')}
        </Button>
      </Form>
    </>
  );
}

/** Back to the password: ends the half-made session. */
function BackToPassword() {
  const t = useTranslate();
  const { signOut } = useSession();
  const { message } = AntApp.useApp();
  return (
    <Button
      type="link"
      style={{ paddingInline: 0 }}
      onClick={() => signOut().catch((error: unknown) => void message.error(errorText(error)))}
    >
      {t('auth.back')}
    </Button>
  );
}

function StepTitle({ children }: { children: ReactNode }) {
  return (
    <Typography.Title level={5} style={{ marginTop: 0 }}>
      {children}
    </Typography.Title>
  );
}

/**
 * 登录: the password, then whatever the session still needs (`session_stage`): the one-time code (or a recovery
 * code), the first enrolment of an authenticator with its recovery codes, or a new password.
 */
export function LoginPage() {
  const t = useTranslate();
  const { user, adopt, refresh } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  // Shown once after an enrolment, before the (by then fully signed-in) user goes on.
  const [recoveryCodes, setRecoveryCodes] = useState<readonly string[] | null>(null);
  const [login, setLogin] = useState('');

  if (isFullySignedIn(user) && !recoveryCodes) return <Navigate to={returnPath(location.state)} replace />;

  const proceed = () => void navigate(returnPath(location.state), { replace: true });

  const giveSecondFactor = async (body: SecondFactorBody) => {
    const next = await api.post<CurrentUser | undefined>('/auth/second-factor', body);
    if (next && typeof next === 'object' && 'session_stage' in next) adopt(next);
    else await refresh();
  };

  const stage = user?.session_stage;
  let body: ReactNode;
  if (recoveryCodes) {
    body = (
      <>
        <StepTitle>{t('enrol.done')}</StepTitle>
        <RecoveryCodes
          codes={recoveryCodes}
          login={user?.login ?? login}
          onDone={() => {
            setRecoveryCodes(null);
            proceed();
          }}
        />
      </>
    );
  } else if (user && stage === 'second_factor') {
    body = (
      <div data-testid="second-factor-step">
        <StepTitle>{t('secondFactor.title')}</StepTitle>
        <DemoHint />
        <Typography.Paragraph type="secondary">{t('secondFactor.prompt')}</Typography.Paragraph>
        <SecondFactorForm name="second_factor" onSubmit={giveSecondFactor} extra={<BackToPassword />} />
      </div>
    );
  } else if (user && stage === 'enrol') {
    body = (
      <>
        <StepTitle>{t('enrol.title')}</StepTitle>
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('enrol.required')} />
        <Enrolment
          extra={<BackToPassword />}
          onConfirmed={(codes) => {
            setLogin(user.login);
            setRecoveryCodes(codes);
            void refresh();
          }}
        />
      </>
    );
  } else if (user && stage === 'password_change') {
    body = (
      <div data-testid="password-change-step">
        <StepTitle>{t('password.title')}</StepTitle>
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('password.expired')} />
        <PasswordChangeForm login={user.login} onChanged={() => void refresh()} />
        <div style={{ marginTop: 12 }}>
          <BackToPassword />
        </div>
      </div>
    );
  } else {
    body = (
      <>
        <DemoHint />
        <PasswordStep onSignedIn={(next) => next.session_stage === 'full' && proceed()} />
      </>
    );
  }

  const wide = Boolean(recoveryCodes) || stage === 'enrol';
  return (
    <Flex
      vertical
      align="center"
      justify="center"
      style={{ minHeight: '100vh', background: 'linear-gradient(160deg, #eef2ff 0%, #f5f7fa 60%)' }}
    >
      <Card style={{ width: wide ? 520 : 440, boxShadow: '0 8px 24px rgba(15, 23, 42, 0.08)' }}>
        <Flex justify="flex-end">
          <LanguageSwitch />
        </Flex>
        <Typography.Title level={4} style={{ textAlign: 'center', marginTop: 8, marginBottom: 4 }}>
          {t('app.name')}
        </Typography.Title>
        <div style={{ marginTop: 16 }}>{body}</div>
      </Card>
      <Typography.Text type="secondary" style={{ marginTop: 24, fontSize: 12 }}>
        {t('app.footer')}
      </Typography.Text>
    </Flex>
  );
}
