import { useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Flex, Progress, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import type { Problem } from '../../../contracts/common.ts';
import { API_BASE, ApiError, queryString } from '../../shared/api.ts';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import { formatBeijing } from '../flows/flow-format.ts';
import { Digest, formatBytes } from './supervision-labels.tsx';
import { MAX_EVIDENCE_BYTES, type EvidenceView } from './supervision-types.ts';

const ACCEPT = '.pdf,.jpg,.jpeg,.png,.xlsx,.docx,application/pdf,image/jpeg,image/png';

/** The type the browser names for a file; the server's sniffing of the bytes decides in the end. */
function declaredType(file: File): string {
  if (/\.xlsx$/i.test(file.name)) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  if (/\.docx$/i.test(file.name)) return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  return file.type || 'application/octet-stream';
}

/**
 * POSTs the file as the raw request body (XMLHttpRequest: only it reports upload progress). Resolves with the
 * evidence record and whether it was new (201) or the same bytes already attached (200).
 */
function uploadEvidence(
  inspectionId: string,
  file: File,
  csrfToken: string,
  onProgress: (percent: number) => void,
): Promise<{ evidence: EvidenceView; created: boolean }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(
      'POST',
      `${API_BASE}/supervision/inspections/${inspectionId}/evidence${queryString({ name: file.name })}`,
    );
    request.setRequestHeader('content-type', declaredType(file));
    request.setRequestHeader('accept', 'application/json');
    request.setRequestHeader('x-csrf-token', csrfToken);
    request.upload.onprogress = (event) =>
      onProgress(Math.round((100 * event.loaded) / (event.lengthComputable ? event.total : file.size || 1)));
    request.onerror = () => reject(new ApiError(0, { code: 'network', detail: 'The server cannot be reached.' }));
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText) as unknown;
      } catch {
        body = undefined;
      }
      if (request.status >= 200 && request.status < 300)
        resolve({ evidence: body as EvidenceView, created: request.status === 201 });
      else
        reject(new ApiError(request.status, (body as Partial<Problem> | undefined) ?? { title: request.statusText }));
    };
    request.send(file);
  });
}

function columns(t: Translate): TableColumnsType<EvidenceView> {
  return [
    {
      title: t('evidence.name'),
      dataIndex: 'file_name',
      render: (name: string, evidence) => (
        <Flex vertical gap={2}>
          <Typography.Text strong>{name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {evidence.uploaded_by} · {formatBeijing(evidence.uploaded_at)}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('evidence.size'),
      dataIndex: 'size_bytes',
      render: (bytes: number) => <span className="numeric">{formatBytes(bytes)}</span>,
    },
    {
      title: t('evidence.type'),
      dataIndex: 'content_type',
      render: (type: string) => <code style={{ fontSize: 12 }}>{type}</code>,
    },
    {
      title: t('evidence.hashes'),
      key: 'hashes',
      width: 420,
      render: (_value, evidence) => (
        <Flex vertical gap={2} data-testid="evidence-hashes">
          <Digest label="SHA-256" value={evidence.sha256} />
          <Digest label="SM3" value={evidence.sm3} />
        </Flex>
      ),
    },
    {
      title: t('common.actions'),
      key: 'download',
      render: (_value, evidence) => (
        <a href={`${API_BASE}/supervision/evidence/${evidence.id}`} download={evidence.file_name}>
          <DownloadOutlined /> {t('evidence.download')}
        </a>
      ),
    },
  ];
}

/** 证据材料: the files attached to an inspection, with their hashes; the departments upload more. */
export function EvidenceCard({
  inspectionId,
  evidence,
  writable,
  onUploaded,
}: {
  readonly inspectionId: string;
  readonly evidence: readonly EvidenceView[];
  readonly writable: boolean;
  readonly onUploaded: () => void;
}) {
  const t = useTranslate();
  const user = useCurrentUser();
  const { message } = AntApp.useApp();
  const input = useRef<HTMLInputElement>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [tooLarge, setTooLarge] = useState<string | null>(null);

  const send = async (file: File) => {
    setError(undefined);
    setTooLarge(null);
    // No use sending 50 MB to hear it is too large: the server's limit, checked before the upload.
    if (file.size > MAX_EVIDENCE_BYTES) {
      setTooLarge(t('evidence.tooLarge', { size: formatBytes(file.size) }));
      return;
    }
    setPercent(0);
    try {
      const result = await uploadEvidence(inspectionId, file, user.csrf_token ?? '', setPercent);
      void message.success(result.created ? t('evidence.uploaded', { name: file.name }) : t('evidence.sameFile'));
      onUploaded();
    } catch (failure) {
      setError(failure);
    } finally {
      setPercent(null);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <Card
      title={t('evidence.title')}
      style={{ marginBottom: 16 }}
      data-testid="evidence-card"
      extra={
        writable ? (
          <>
            <input
              ref={input}
              type="file"
              accept={ACCEPT}
              data-testid="evidence-input"
              aria-label={t('evidence.upload')}
              style={{ display: 'none' }}
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void send(file);
              }}
            />
            <Button icon={<UploadOutlined />} loading={percent !== null} onClick={() => input.current?.click()}>
              {t('evidence.upload')}
            </Button>
          </>
        ) : null
      }
    >
      {writable ? (
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          {t('evidence.hint')}
        </Typography.Paragraph>
      ) : null}
      {percent !== null ? (
        <Progress percent={percent} size="small" format={(value) => t('evidence.uploading', { percent: value ?? 0 })} />
      ) : null}
      {tooLarge ? (
        <Alert type="error" showIcon role="alert" data-testid="problem" style={{ marginBottom: 16 }} title={tooLarge} />
      ) : null}
      <ProblemAlert error={error} summary={error ? t('evidence.refused') : undefined} />
      <Table<EvidenceView>
        rowKey="id"
        size="small"
        data-testid="evidence"
        dataSource={[...evidence]}
        columns={columns(t)}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('evidence.none') }}
      />
    </Card>
  );
}
