import type { ReactNode } from 'react';
import { Descriptions, Flex, Table, Typography } from 'antd';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { formatBeijing, formatKg, formatShare } from '../flows/flow-format.ts';
import { VerificationTag } from '../flows/flow-labels.tsx';
import type { CertificateContent, CertificateVerification } from '../flows/flow-types.ts';

type Origin = CertificateContent['origins'][number];
type Declaration = CertificateContent['declarations'][number];

interface CertificateDocumentProps {
  readonly verification: CertificateVerification;
  readonly productName: (code: string) => string;
  /** The QR block (certificate page) or nothing (the public check is reached through it). */
  readonly aside?: ReactNode;
  readonly contentSm3?: string | undefined;
}

/**
 * What a certificate states, laid out as the printed document: the batch, its origins with their shares,
 * and the monthly declarations it rests on. Nothing beyond the certificate's own content is shown.
 */
export function CertificateDocument({ verification, productName, aside, contentSm3 }: CertificateDocumentProps) {
  const t = useTranslate();
  const language = useLanguage();
  const colon = language === 'zh' ? '：' : ': ';
  const { content } = verification;
  const names = new Map<string, string>([
    [content.batch.maker.credit_code, content.batch.maker.name],
    ...content.origins.map((origin) => [origin.maker.credit_code, origin.maker.name] as [string, string]),
  ]);
  const checks = new Map(verification.declarations.map((check) => [`${check.credit_code}|${check.period}`, check]));
  const product = (code: string) => {
    const name = productName(code);
    return name === code ? code : `${name}（${code}）`;
  };

  return (
    <div className="certificate-paper" data-testid="certificate">
      <Typography.Title
        level={2}
        style={{ textAlign: 'center', letterSpacing: language === 'zh' ? 4 : 0, marginBottom: 4 }}
      >
        {t('cert.title')}
      </Typography.Title>
      <Flex justify="space-between" wrap style={{ marginBottom: 16 }}>
        <Typography.Text>
          {t('cert.code')}
          {colon}
          <strong data-testid="certificate-code">{verification.code}</strong>
        </Typography.Text>
        <Typography.Text>
          {t('cert.issuedAt')}
          {colon}
          {formatBeijing(verification.issued_at)}
        </Typography.Text>
      </Flex>

      <Typography.Title level={5}>{t('cert.batch')}</Typography.Title>
      <Descriptions
        bordered
        size="small"
        column={2}
        items={[
          { key: 'code', label: t('trace.batch'), children: <code>{content.batch.code}</code> },
          { key: 'product', label: t('flow.product'), children: product(content.batch.product) },
          { key: 'maker', label: t('trace.maker.name'), children: content.batch.maker.name },
          { key: 'credit', label: t('trace.creditCode'), children: <code>{content.batch.maker.credit_code}</code> },
          { key: 'made', label: t('trace.madeAt'), children: formatBeijing(content.batch.made_at) },
          { key: 'mass', label: t('flow.massShort'), children: `${formatKg(content.batch.mass_kg)} kg` },
          {
            key: 'reo',
            label: t('flow.reo'),
            span: 2,
            children: <strong data-testid="certificate-reo">{formatKg(content.batch.reo_kg)} kg REO</strong>,
          },
        ]}
      />

      <Typography.Title level={5} style={{ marginTop: 20 }}>
        {t('cert.origins')}
      </Typography.Title>
      <Table<Origin>
        bordered
        size="small"
        pagination={false}
        rowKey={(origin) => `${origin.maker.credit_code}|${origin.code}`}
        dataSource={[...content.origins]}
        locale={{ emptyText: t('trace.noOrigins') }}
        columns={[
          { title: t('cert.seq'), key: 'seq', width: 60, render: (_value, _origin, index) => index + 1 },
          {
            title: t('trace.batch'),
            dataIndex: 'code',
            render: (code: string) => <code style={{ whiteSpace: 'nowrap' }}>{code}</code>,
          },
          { title: t('flow.product'), dataIndex: 'product', render: (code: string) => product(code) },
          {
            title: t('trace.originKind'),
            dataIndex: 'kind',
            width: 72,
            onCell: () => ({ style: { whiteSpace: 'nowrap' } }),
            render: (kind: string) => (kind === 'mine' || kind === 'import' ? t(`originKind.${kind}`) : kind),
          },
          { title: t('trace.maker.name'), key: 'maker', render: (_value, origin) => origin.maker.name },
          {
            title: t('trace.creditCode'),
            key: 'credit',
            render: (_value, origin) => <code>{origin.maker.credit_code}</code>,
          },
          {
            title: t('unit.kgReo'),
            dataIndex: 'reo_kg',
            align: 'right',
            render: (kg: number) => <span className="numeric">{formatKg(kg)}</span>,
          },
          {
            title: t('trace.share'),
            dataIndex: 'share_ppm',
            align: 'right',
            render: (ppm: number) => <span className="numeric">{formatShare(ppm)}</span>,
          },
        ]}
      />

      <Typography.Title level={5} style={{ marginTop: 20 }}>
        {t('cert.declarations')}
      </Typography.Title>
      <Table<Declaration>
        bordered
        size="small"
        pagination={false}
        rowKey={(declaration) => `${declaration.credit_code}|${declaration.period}`}
        dataSource={[...content.declarations]}
        columns={[
          {
            title: t('board.enterprise'),
            dataIndex: 'credit_code',
            render: (code: string) => (
              <Flex vertical>
                <span>{names.get(code) ?? ''}</span>
                <code style={{ fontSize: 12 }}>{code}</code>
              </Flex>
            ),
          },
          { title: t('decl.period'), dataIndex: 'period' },
          {
            title: t('cert.declVersion'),
            dataIndex: 'version',
            render: (version: number | null) =>
              version === null ? t('cert.notSealedAtIssue') : t('decl.version', { version }),
          },
          {
            title: t('decl.sm3'),
            dataIndex: 'events_sm3',
            render: (sm3: string | null) =>
              sm3 ? <code style={{ fontSize: 11, wordBreak: 'break-all' }}>{sm3}</code> : '—',
          },
          {
            title: t('verify.declStatus'),
            key: 'check',
            render: (_value, declaration) => {
              const check = checks.get(`${declaration.credit_code}|${declaration.period}`);
              return check ? <VerificationTag status={check.status} /> : '—';
            },
          },
        ]}
      />

      <Flex gap="large" align="flex-end" justify="space-between" wrap style={{ marginTop: 24 }}>
        <div style={{ flex: 1, minWidth: 280 }}>
          <Typography.Paragraph>{t('cert.statement')}</Typography.Paragraph>
          {contentSm3 ? (
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t('cert.contentSm3')}
              {colon}
              <code style={{ wordBreak: 'break-all' }}>{contentSm3}</code>
            </Typography.Paragraph>
          ) : null}
          <Typography.Paragraph style={{ textAlign: 'right', marginBottom: 0 }}>
            {t('cert.issuer')}
            <br />
            {formatBeijing(verification.issued_at).slice(0, 10)}
          </Typography.Paragraph>
        </div>
        {aside}
      </Flex>
    </div>
  );
}
