import { useState } from 'react';
import { Button, Card, Flex, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { ApiError } from '../../shared/api.ts';
import { useTranslate, type MessageKey } from '../../shared/i18n.ts';
import { LanguageSwitch } from '../../shared/layout.tsx';
import { ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';

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

export function LoginPage() {
  const t = useTranslate();
  const { user, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<unknown>(undefined);
  const [submitting, setSubmitting] = useState(false);

  const headingOf = (failure: unknown): string | undefined => {
    const key = failure instanceof ApiError ? failureHeadings[failure.code] : undefined;
    return key ? t(key) : undefined;
  };

  if (user) return <Navigate to={returnPath(location.state)} replace />;

  const submit = async (values: Credentials) => {
    setSubmitting(true);
    setError(undefined);
    try {
      await signIn(values.login.trim(), values.password);
      void navigate(returnPath(location.state), { replace: true });
    } catch (failure) {
      // Wrong login or password (a throttled attempt answers the same), rate limit: the server's detail says which.
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Flex
      vertical
      align="center"
      justify="center"
      style={{ minHeight: '100vh', background: 'linear-gradient(160deg, #eef2ff 0%, #f5f7fa 60%)' }}
    >
      <Card style={{ width: 440, boxShadow: '0 8px 24px rgba(15, 23, 42, 0.08)' }}>
        <Flex justify="flex-end">
          <LanguageSwitch />
        </Flex>
        <Typography.Title level={4} style={{ textAlign: 'center', marginTop: 8, marginBottom: 4 }}>
          {t('app.name')}
        </Typography.Title>
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
      </Card>
      <Typography.Text type="secondary" style={{ marginTop: 24, fontSize: 12 }}>
        {t('app.footer')}
      </Typography.Text>
    </Flex>
  );
}
