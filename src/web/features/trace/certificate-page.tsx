import { Button, Card, Flex, Typography } from 'antd';
import { ArrowLeftOutlined, PrinterOutlined } from '@ant-design/icons';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import type { CertificateVerification } from '../flows/flow-types.ts';
import { useProducts } from '../flows/use-products.ts';
import { CertificateDocument } from './certificate-document.tsx';
import { qrImageSource } from './qr-image.ts';

function QrBlock({ certificate }: { readonly certificate: CertificateVerification }) {
  const t = useTranslate();
  const url = `${window.location.origin}/verify/${certificate.code}`;
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
      </div>
      {verification.data ? (
        <Card className="certificate-card" style={{ maxWidth: 980, margin: '0 auto' }}>
          <CertificateDocument
            verification={verification.data}
            productName={nameOf}
            contentSm3={verification.data.content_sm3}
            aside={<QrBlock certificate={verification.data} />}
          />
        </Card>
      ) : (
        <Card loading={verification.loading} />
      )}
    </>
  );
}
