import { useEffect } from 'react';
import { Button, Card, Layout, Result, Space, Spin, Typography, theme } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { LanguageSwitch } from '../../shared/layout.tsx';
import { ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import type { CertificateVerification, VerificationStatus } from '../flows/flow-types.ts';
import { CertificateDocument } from './certificate-document.tsx';

const resultStatus: Record<VerificationStatus, 'success' | 'warning' | 'error'> = {
  verified: 'success',
  not_yet_sealed: 'warning',
  altered: 'error',
};

/**
 * The public check of a provenance certificate, reached by scanning its QR code: no sign-in. It shows the
 * outcome and only what the certificate itself states (the public endpoint returns nothing more).
 */
export function VerifyPage() {
  const t = useTranslate();
  const { code = '' } = useParams();
  const { token } = theme.useToken();
  const verification = useApi<CertificateVerification>(`/public/certificates/${encodeURIComponent(code)}`);
  const notFound = verification.error instanceof ApiError && verification.error.status === 404;

  useEffect(() => {
    document.title = `${t('verify.title')} · ${t('app.shortName')}`;
  }, [t]);

  const status = verification.data?.status;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          background: token.colorBgContainer,
          padding: '0 24px',
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'space-between',
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        <Typography.Text strong style={{ fontSize: 16 }}>
          {t('verify.title')} · {t('app.footer')}
        </Typography.Text>
        <Space>
          <LanguageSwitch />
          <Link to="/login">
            <Button size="small">{t('verify.signIn')}</Button>
          </Link>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 24 }}>
        <Card style={{ maxWidth: 980, margin: '0 auto' }}>
          {verification.loading && !verification.data ? <Spin /> : null}
          {notFound ? (
            <Result status="404" title={t('verify.notFound')} subTitle={code} />
          ) : (
            <ProblemAlert error={verification.error} />
          )}
          {status && verification.data ? (
            <>
              <Result
                status={resultStatus[status]}
                title={<span data-testid="verify-status">{t(`verify.status.${status}`)}</span>}
                subTitle={t(`verify.text.${status}`)}
                style={{ paddingTop: 8 }}
              />
              <CertificateDocument verification={verification.data} productName={(product) => product} />
            </>
          ) : null}
        </Card>
      </Layout.Content>
    </Layout>
  );
}
