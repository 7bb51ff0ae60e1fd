import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Flex, Typography } from 'antd';
import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { Link, useLocation, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import type { Certificate, CertificateVerification } from '../flows/flow-types.ts';
import { useProducts } from '../flows/use-products.ts';
import { CertificateDocument } from './certificate-document.tsx';
import { qrImageSource, rememberCertificate, rememberedCertificate } from './certificate-store.ts';

function certificateFromState(state: unknown, code: string): Certificate | null {
  const certificate = (state as { certificate?: Certificate } | null)?.certificate;
  return certificate && certificate.code === code ? certificate : null;
}

/**
 * The issued certificate (its QR code) for this page: from the navigation that issued it, from this browser
 * session, or asked again of the server when the batch is known (issuing is idempotent: the same content
 * gives the same code).
 */
function useIssuedCertificate(code: string, batchId: string | null): Certificate | null {
  const location = useLocation();
  const { can } = useSession();
  const mayIssue = can('certificate.issue');
  const known = useMemo(
    () => certificateFromState(location.state, code) ?? rememberedCertificate(code),
    [location.state, code],
  );
  const [fetched, setFetched] = useState<Certificate | null>(null);
  useEffect(() => {
    if (known || !batchId || !mayIssue) return;
    let current = true;
    api.post<Certificate>(`/batches/${encodeURIComponent(batchId)}/certificates`).then(
      (certificate) => {
        if (!current || certificate.code !== code) return;
        rememberCertificate(certificate);
        setFetched(certificate);
      },
      () => undefined, // the QR is optional on this page; the content below comes from the public check
    );
    return () => {
      current = false;
    };
  }, [known, batchId, code, mayIssue]);
  return known ?? fetched;
}

function QrBlock({ certificate }: { readonly certificate: Certificate }) {
  const t = useTranslate();
  const url = `${window.location.origin}${certificate.verify_path}`;
  return (
    <Flex vertical align="center" gap={4} style={{ width: 200 }}>
      <img
        src={qrImageSource(certificate.qr_svg)}
        alt={`${t('cert.scan')} ${certificate.code}`}
        width={160}
        height={160}
        data-testid="certificate-qr"
      />
      <Typography.Text strong>{t('cert.scan')}</Typography.Text>
      <Typography.Text type="secondary" style={{ fontSize: 11, wordBreak: 'break-all', textAlign: 'center' }}>
        {url}
      </Typography.Text>
    </Flex>
  );
}

/** 稀土产品溯源证明: the printable certificate with its QR code to the public check. */
export function CertificatePage() {
  const t = useTranslate();
  const { code = '' } = useParams();
  const [params] = useSearchParams();
  const batchId = params.get('batch');
  const verification = useApi<CertificateVerification>(`/public/certificates/${encodeURIComponent(code)}`);
  const certificate = useIssuedCertificate(code, batchId);
  const { nameOf } = useProducts();

  return (
    <>
      <div className="no-print">
        <PageHeader
          title={t('cert.title')}
          subtitle={code}
          extra={
            <>
              <Link
                to={
                  batchId
                    ? `/trace?code=${encodeURIComponent(verification.data?.content.batch.code ?? '')}&batch=${batchId}`
                    : '/trace'
                }
              >
                <Button icon={<ArrowLeftOutlined />}>{t('cert.back')}</Button>
              </Link>
              <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
                {t('cert.print')}
              </Button>
            </>
          }
        />
        <ProblemAlert error={verification.error} />
        {verification.data && !certificate ? (
          <Alert type="info" showIcon title={t('cert.noQr')} style={{ marginBottom: 16 }} />
        ) : null}
      </div>
      {verification.data ? (
        <Card className="certificate-card" style={{ maxWidth: 980, margin: '0 auto' }}>
          <CertificateDocument
            verification={verification.data}
            productName={nameOf}
            contentSm3={certificate?.content_sm3}
            aside={certificate ? <QrBlock certificate={certificate} /> : null}
          />
        </Card>
      ) : (
        <Card loading={verification.loading} />
      )}
    </>
  );
}
