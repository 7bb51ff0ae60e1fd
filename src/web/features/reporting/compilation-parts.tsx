import { Button, Card, Collapse, Descriptions, Empty, Flex, Form, Input, Table, Tag, Typography } from 'antd';
import { RollbackOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { formatBeijing, formatKg } from '../flows/flow-format.ts';
import { LinesTable } from './lines-table.tsx';
import { ABSENT_REASON_MIN } from './report-rules.ts';
import { ExportMenu, LateTag, SignatureDigest } from './reporting-labels.tsx';
import type { CompilationView, CompiledChild, DraftAbsentChild } from './reporting-types.ts';

const production = (child: CompiledChild) => child.lines.reduce((sum, line) => sum + line.production_reo_kg, 0);

/** Where a child's document is read: an enterprise's report, or a lower level's compilation. */
function childLink(child: CompiledChild, period: string): string {
  return child.kind === 'report' ? `/reports/${child.id}` : `/compilations/${child.code}/${period}`;
}

/** The form field of a missing or late child's reason (flat: division codes are all digits). */
export const reasonField = (code: string) => `reason_${code}`;

/** 已报送的下级: the reports or compilations a compilation sums; the level above may return a compilation. */
export function ChildrenTable({
  items,
  period,
  onReturn,
}: {
  readonly items: readonly CompiledChild[];
  readonly period: string;
  /** Offered for child compilations when the reader compiles this division. */
  readonly onReturn: ((child: CompiledChild) => void) | null;
}) {
  const t = useTranslate();
  return (
    <Table<CompiledChild>
      rowKey="id"
      size="small"
      data-testid="compilation-children"
      dataSource={[...items]}
      pagination={false}
      locale={{ emptyText: t('compilation.noChildren') }}
      columns={[
        {
          title: t('compilation.child'),
          dataIndex: 'name',
          render: (name: string, child) => <Link to={childLink(child, period)}>{name}</Link>,
        },
        {
          title: t('compilation.kind'),
          dataIndex: 'kind',
          render: (kind: CompiledChild['kind']) => <Tag>{t(`compilation.kind.${kind}`)}</Tag>,
        },
        {
          title: t('compilation.version'),
          dataIndex: 'version',
          render: (version: number, child) => (
            <Flex gap={4}>
              <Tag color="blue">{t('report.version', { version })}</Tag>
              <LateTag late={child.late} />
            </Flex>
          ),
        },
        {
          title: t('line.production'),
          key: 'production',
          align: 'right',
          render: (_value, child) => <span className="numeric">{formatKg(production(child))}</span>,
        },
        {
          title: t('common.actions'),
          key: 'actions',
          render: (_value, child) =>
            child.kind === 'compilation' && onReturn ? (
              <Button size="small" danger icon={<RollbackOutlined />} onClick={() => onReturn(child)}>
                {t('return.button')}
              </Button>
            ) : child.kind === 'report' ? (
              <Link to={`/reports/${child.id}`}>{t('report.open')}</Link>
            ) : null,
        },
      ]}
    />
  );
}

/** 未报送或逾期的下级, each with the reason the compiler gives (required to compile). */
export function AbsentTable({
  absent,
  editable,
}: {
  readonly absent: readonly DraftAbsentChild[];
  readonly editable: boolean;
}) {
  const t = useTranslate();
  if (absent.length === 0) return <Typography.Text type="secondary">{t('compilation.noneAbsent')}</Typography.Text>;
  return (
    <Table<DraftAbsentChild>
      rowKey="code"
      size="small"
      data-testid="compilation-absent"
      dataSource={[...absent]}
      pagination={false}
      columns={[
        { title: t('compilation.child'), dataIndex: 'name' },
        {
          title: t('compilation.absentStatus'),
          dataIndex: 'status',
          render: (status: DraftAbsentChild['status']) => (
            <Tag color={status === 'missing' ? 'error' : 'warning'}>{t(`compilation.absent.${status}`)}</Tag>
          ),
        },
        {
          title: t('compilation.reason'),
          key: 'reason',
          width: '55%',
          render: (_value, child) =>
            editable ? (
              <Form.Item
                name={reasonField(child.code)}
                style={{ marginBottom: 0 }}
                rules={[
                  { required: true, whitespace: true, message: t('compilation.reasonRequired') },
                  { min: ABSENT_REASON_MIN, message: t('compilation.reasonShort', { min: ABSENT_REASON_MIN }) },
                  { max: 1000 },
                ]}
              >
                <Input aria-label={t('compilation.reasonFor', { name: child.name })} maxLength={1000} />
              </Form.Item>
            ) : (
              <Typography.Text type="secondary">{t('compilation.reasonByCompiler')}</Typography.Text>
            ),
        },
      ]}
    />
  );
}

function VersionCard({
  compilation,
  onReturn,
}: {
  readonly compilation: CompilationView;
  readonly onReturn: ((compilation: CompilationView) => void) | null;
}) {
  const t = useTranslate();
  const returnable = onReturn && compilation.forwarded_at && !compilation.returned && !compilation.superseded_by;
  return (
    <Card
      size="small"
      type="inner"
      data-testid={`compilation-version-${compilation.version}`}
      title={
        <Flex gap={4} wrap>
          <Tag color="blue">{t('report.version', { version: compilation.version })}</Tag>
          {compilation.forwarded_at ? <Tag color="success">{t('reportStatus.forwarded')}</Tag> : null}
          <LateTag late={compilation.forwarded_late} />
          {compilation.returned ? <Tag color="warning">{t('reportStatus.returned')}</Tag> : null}
          {compilation.superseded_by ? <Tag>{t('report.superseded')}</Tag> : null}
        </Flex>
      }
      extra={
        <Flex gap="small">
          {returnable ? (
            <Button size="small" danger icon={<RollbackOutlined />} onClick={() => onReturn(compilation)}>
              {t('return.button')}
            </Button>
          ) : null}
          <ExportMenu path={`/compilations/${compilation.id}/export`} />
        </Flex>
      }
    >
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          {
            key: 'at',
            label: t('compilation.compiledAt'),
            children: <span className="numeric">{formatBeijing(compilation.compiled_at)}</span>,
          },
          { key: 'by', label: t('compilation.compiledBy'), children: compilation.compiled_by },
          {
            key: 'forwarded',
            label: t('compilation.forwardedAt'),
            children: compilation.forwarded_at ? formatBeijing(compilation.forwarded_at) : '—',
          },
          {
            key: 'children',
            label: t('compilation.childrenCount'),
            children: t('compilation.childrenCountValue', {
              in: compilation.children.length,
              absent: compilation.absent.length,
            }),
          },
          {
            key: 'digest',
            label: t('report.digest'),
            span: 'filled',
            children: <SignatureDigest signature={compilation.signature} />,
          },
        ]}
      />
      {compilation.returned ? (
        <Typography.Paragraph type="warning" style={{ marginBottom: 8 }}>
          {t('report.returnedLine', {
            reason: compilation.returned.reason,
            by: compilation.returned.returned_by,
            time: formatBeijing(compilation.returned.returned_at),
          })}
        </Typography.Paragraph>
      ) : null}
      <Collapse
        ghost
        size="small"
        items={[
          {
            key: 'detail',
            label: t('compilation.versionDetail'),
            children: (
              <Flex vertical gap={12}>
                {compilation.absent.length > 0 ? (
                  <Descriptions
                    size="small"
                    column={1}
                    bordered
                    items={compilation.absent.map((child) => ({
                      key: child.code,
                      label: `${child.name}（${t(`compilation.absent.${child.status}`)}）`,
                      children: child.reason,
                    }))}
                  />
                ) : null}
                <LinesTable lines={compilation.totals} />
              </Flex>
            ),
          },
        ]}
      />
    </Card>
  );
}

/** 版本记录 of a compilation, newest first. */
export function CompilationVersions({
  versions,
  onReturn,
}: {
  readonly versions: readonly CompilationView[];
  readonly onReturn: ((compilation: CompilationView) => void) | null;
}) {
  const t = useTranslate();
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  return (
    <Card title={t('report.versions')} data-testid="compilation-versions">
      {newestFirst.length === 0 ? (
        <Empty description={t('compilation.noVersions')} />
      ) : (
        <Flex vertical gap={12}>
          {newestFirst.map((compilation) => (
            <VersionCard key={compilation.id} compilation={compilation} onReturn={onReturn} />
          ))}
        </Flex>
      )}
    </Card>
  );
}
