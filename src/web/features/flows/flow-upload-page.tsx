import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  Progress,
  Radio,
  Row,
  Table,
  Typography,
  Upload,
} from 'antd';
import type { UploadFile } from 'antd';
import { CloudUploadOutlined, DownloadOutlined, InboxOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { API_BASE, ApiError, errorText } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import { formatKg } from './flow-format.ts';
import type { RowError, SubmissionResult } from './flow-types.ts';
import { uploadFlowFile } from './upload.ts';

/** 行 / 事件编号 / 字段 / 原因: every refused row of a file, as the server listed it. */
export function RowErrorTable({ errors }: { readonly errors: readonly RowError[] }) {
  const t = useTranslate();
  return (
    <Table<RowError>
      data-testid="row-errors"
      rowKey={(error) => `${error.row}:${error.event_id ?? ''}:${error.field}:${error.message}`}
      size="small"
      dataSource={[...errors]}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      columns={[
        {
          title: t('upload.row'),
          dataIndex: 'row',
          width: 80,
          align: 'right',
          render: (row: number) => <span className="numeric">{row}</span>,
        },
        {
          title: t('flow.eventId'),
          dataIndex: 'event_id',
          render: (id: string | undefined) => (id ? <code>{id}</code> : '—'),
        },
        { title: t('upload.field'), dataIndex: 'field', render: (field: string) => <code>{field}</code> },
        { title: t('upload.message'), dataIndex: 'message' },
      ]}
    />
  );
}

/** The problem's `errors` carry the row and event id of each refusal (RFC 9457 extension, see contracts). */
function rowErrorsOf(error: unknown): RowError[] {
  if (!(error instanceof ApiError)) return [];
  return error.fieldErrors.map((item) => {
    const extended = item as typeof item & { row?: number; event_id?: string };
    return {
      row: extended.row ?? 0,
      field: item.field,
      message: item.message,
      ...(extended.event_id === undefined ? {} : { event_id: extended.event_id }),
    };
  });
}

function SubmissionSummary({ result, period }: { readonly result: SubmissionResult; readonly period: string }) {
  const t = useTranslate();
  return (
    <Card title={t('upload.done')} data-testid="upload-result" style={{ marginTop: 16 }}>
      {result.replayed ? (
        <Alert type="info" showIcon title={t('upload.replayed')} style={{ marginBottom: 16 }} />
      ) : null}
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, md: 4 }}
        items={[
          {
            key: 'received',
            label: t('upload.received'),
            children: <span data-testid="upload-received">{formatKg(result.received)}</span>,
          },
          {
            key: 'accepted',
            label: t('upload.accepted'),
            children: <span data-testid="upload-accepted">{formatKg(result.accepted)}</span>,
          },
          {
            key: 'unchanged',
            label: t('upload.unchanged'),
            children: <span data-testid="upload-unchanged">{formatKg(result.unchanged)}</span>,
          },
          {
            key: 'rejected',
            label: t('upload.rejected'),
            children: <span data-testid="upload-rejected">{formatKg(result.rejected)}</span>,
          },
          {
            key: 'submission',
            label: t('upload.submission'),
            span: 'filled',
            children: <code>{result.submission_id}</code>,
          },
        ]}
      />
      {result.errors.length > 0 ? (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('upload.rowErrors')}
          </Typography.Title>
          <RowErrorTable errors={result.errors} />
        </>
      ) : null}
      <Link to={period ? `/flows?period=${period}` : '/flows'}>
        <Button icon={<UnorderedListOutlined />} style={{ marginTop: 16 }}>
          {t('upload.viewFlows')}
        </Button>
      </Link>
    </Card>
  );
}

/** 文件上传: a CSV or XLSX of flow events, sent with a progress bar; the result or every bad row. */
export function FlowUploadPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [onError, setOnError] = useState<'rollback' | 'proceed'>('rollback');
  const [period, setPeriod] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<SubmissionResult | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const file = files[0]?.originFileObj;

  const send = async () => {
    if (!file) return;
    setProgress(0);
    setResult(null);
    setError(undefined);
    try {
      const answer = await uploadFlowFile({
        file,
        csrfToken: user.csrf_token ?? '',
        onError,
        period: period || undefined,
        onProgress: (sent, total) => setProgress(total > 0 ? Math.floor((sent * 100) / total) : 100),
      });
      setResult(answer);
    } catch (failure) {
      setError(failure);
    } finally {
      setProgress(null);
    }
  };

  const rowErrors = rowErrorsOf(error);
  return (
    <>
      <PageHeader
        title={t('upload.title')}
        subtitle={t('upload.subtitle')}
        extra={
          <>
            <Button icon={<DownloadOutlined />} href={`${API_BASE}/flows/templates/flows.csv`} download="flows.csv">
              {t('upload.templateCsv')}
            </Button>
            <Button icon={<DownloadOutlined />} href={`${API_BASE}/flows/templates/flows.xlsx`} download="flows.xlsx">
              {t('upload.templateXlsx')}
            </Button>
          </>
        }
      />
      <Card>
        <Upload.Dragger
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          maxCount={1}
          fileList={files}
          beforeUpload={() => false}
          onChange={({ fileList }) => {
            setFiles(fileList.slice(-1));
            setResult(null);
            setError(undefined);
          }}
          data-testid="upload-file"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('upload.pick')}</p>
          <p className="ant-upload-hint">{t('upload.pickHint')}</p>
        </Upload.Dragger>
        <Form layout="vertical" style={{ marginTop: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item label={t('upload.onError')}>
                <Radio.Group
                  id="upload-on-error"
                  value={onError}
                  onChange={(event) => setOnError(event.target.value as 'rollback' | 'proceed')}
                  options={[
                    { value: 'rollback', label: t('upload.rollback') },
                    { value: 'proceed', label: t('upload.proceed') },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label={t('upload.period')}>
                <Input
                  id="upload-period"
                  type="month"
                  value={period}
                  onChange={(event) => setPeriod(event.target.value)}
                  style={{ width: 200 }}
                />
              </Form.Item>
            </Col>
          </Row>
        </Form>
        <Flex gap="middle" align="center" wrap>
          <Button
            type="primary"
            icon={<CloudUploadOutlined />}
            disabled={!file}
            loading={progress !== null}
            onClick={() => void send()}
          >
            {progress === null ? t('upload.send') : t('upload.sending')}
          </Button>
          {progress !== null ? (
            <Flex vertical style={{ flex: 1, minWidth: 240 }}>
              <Progress percent={progress} status="active" data-testid="upload-progress" />
              {progress >= 100 ? <Typography.Text type="secondary">{t('upload.processing')}</Typography.Text> : null}
            </Flex>
          ) : null}
        </Flex>
      </Card>
      {result ? <SubmissionSummary result={result} period={period} /> : null}
      {error !== undefined ? (
        <Card style={{ marginTop: 16 }} data-testid="upload-refused">
          <Alert type="error" showIcon role="alert" title={t('upload.refused')} description={errorText(error)} />
          {rowErrors.length > 0 ? (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('upload.rowErrors')}
              </Typography.Title>
              <RowErrorTable errors={rowErrors} />
            </>
          ) : null}
        </Card>
      ) : null}
    </>
  );
}
