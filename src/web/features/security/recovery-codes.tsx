import { useState } from 'react';
import { Alert, App as AntApp, Button, Checkbox, Flex, Typography } from 'antd';
import { CopyOutlined, DownloadOutlined } from '@ant-design/icons';
import { useTranslate } from '../../shared/i18n.ts';

interface RecoveryCodesProps {
  readonly codes: readonly string[];
  readonly login: string;
  /** With a 「继续」 button, enabled once the user says the codes are kept. */
  readonly onDone?: () => void;
}

/** A text file of the codes, named after the account, made in the browser (nothing is sent anywhere). */
function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([`\uFEFF${text}`], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The ten recovery codes, shown once: each signs in once in place of a one-time code. Copy, download as .txt,
 * and a warning to keep them.
 */
export function RecoveryCodes({ codes, login, onDone }: RecoveryCodesProps) {
  const t = useTranslate();
  const { message } = AntApp.useApp();
  const [kept, setKept] = useState(false);
  const text = codes.join('\r\n');
  const fileText = () =>
    `${t('recovery.fileHeader', { app: t('app.name'), login, at: new Date().toLocaleString() })}\r\n\r\n${text}\r\n`;

  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => void message.success(t('recovery.copied')),
      () => void message.warning(t('recovery.copyFailed')),
    );
  };

  return (
    <div data-testid="recovery-codes">
      <Alert type="warning" showIcon title={t('recovery.title')} description={t('recovery.warning')} />
      <div
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(2, 1fr)',
          gap: '8px 24px',
          margin: '16px 0',
          padding: 16,
          background: '#fafafa',
          border: '1px dashed #d9d9d9',
          borderRadius: 6,
        }}
      >
        {codes.map((code) => (
          <Typography.Text key={code} code data-testid="recovery-code" style={{ fontSize: 15, textAlign: 'center' }}>
            {code}
          </Typography.Text>
        ))}
      </div>
      <Flex gap="small" wrap>
        <Button icon={<CopyOutlined />} onClick={copy}>
          {t('recovery.copy')}
        </Button>
        <Button
          icon={<DownloadOutlined />}
          onClick={() => download(`monazite-recovery-codes-${login}.txt`, fileText())}
        >
          {t('recovery.download')}
        </Button>
      </Flex>
      {onDone ? (
        <>
          <Checkbox checked={kept} onChange={(event) => setKept(event.target.checked)} style={{ marginTop: 16 }}>
            {t('recovery.saved')}
          </Checkbox>
          <Button type="primary" block disabled={!kept} onClick={onDone} style={{ marginTop: 12 }}>
            {t('recovery.continue')}
          </Button>
        </>
      ) : null}
    </div>
  );
}
