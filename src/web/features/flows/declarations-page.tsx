import { useEffect, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Empty,
  Flex,
  InputNumber,
  Modal,
  Popconfirm,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { ClockCircleOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { api } from '../../shared/api.ts';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser, useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing, timeLeft } from './flow-format.ts';
import { DeclarationStatusTag } from './flow-labels.tsx';
import type { DeclarationSeal, DeclarationView, SealResult } from './flow-types.ts';

/** The versions a month was sealed with: version, time, SM3 (shortened; the whole on hover). */
export function SealList({ seals }: { readonly seals: readonly DeclarationSeal[] }) {
  const t = useTranslate();
  if (seals.length === 0) return <>—</>;
  return (
    <Flex vertical gap={2}>
      {seals.map((seal) => (
        <span key={seal.version} data-testid={`seal-${seal.version}`}>
          <Tag color={seal.late ? 'warning' : 'success'}>{t('decl.version', { version: seal.version })}</Tag>
          <span className="numeric">{formatBeijing(seal.sealed_at)}</span>{' '}
          <Tooltip title={seal.events_sm3}>
            <code>{seal.events_sm3.slice(0, 12)}…</code>
          </Tooltip>
        </span>
      ))}
    </Flex>
  );
}

/** Ticks every second while mounted, for the countdown. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Time left to the deadline of the month now due or, when none is, of the current month. */
function Countdown({ months }: { readonly months: readonly DeclarationView[] }) {
  const t = useTranslate();
  const now = useNow();
  const due = months.find((month) => month.status === 'due');
  const open = months.find((month) => month.status === 'open');
  const target = due ?? open;
  if (!target) return null;
  const left = timeLeft(target.deadline, now);
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    <Card style={{ marginBottom: 16 }} data-testid="countdown">
      <Flex gap="large" align="center" wrap>
        <Statistic
          title={t(due ? 'decl.countdownDue' : 'decl.countdownOpen', { period: target.period })}
          prefix={<ClockCircleOutlined />}
          value={t('decl.countdownValue', {
            days: left.days,
            hours: pad(left.hours),
            minutes: pad(left.minutes),
            seconds: pad(left.seconds),
          })}
          styles={{ content: { color: due ? '#cf1322' : undefined } }}
        />
        <Typography.Text type="secondary">
          {t('decl.deadlineAt', { time: formatBeijing(target.deadline) })}
        </Typography.Text>
      </Flex>
    </Card>
  );
}

function sealable(month: DeclarationView): boolean {
  if (month.status === 'due' || month.status === 'missing') return true;
  return (month.status === 'sealed' || month.status === 'late') && month.amendments_since_seal > 0;
}

function columns(
  t: Translate,
  onSeal: ((month: DeclarationView) => void) | null,
  sealing: string | null,
): TableColumnsType<DeclarationView> {
  const list: TableColumnsType<DeclarationView> = [
    { title: t('decl.period'), dataIndex: 'period', render: (period: string) => <strong>{period}</strong> },
    {
      title: t('decl.status'),
      dataIndex: 'status',
      render: (status: DeclarationView['status'], month) => (
        <Flex gap={4} wrap>
          <DeclarationStatusTag status={status} />
          {month.amendments_since_seal > 0 ? (
            <Tag color="orange">{t('decl.amendments', { count: month.amendments_since_seal })}</Tag>
          ) : null}
        </Flex>
      ),
    },
    {
      title: t('decl.deadline'),
      dataIndex: 'deadline',
      render: (iso: string) => <span className="numeric">{formatBeijing(iso)}</span>,
    },
    { title: t('decl.events'), dataIndex: 'event_count', align: 'right' },
    { title: t('decl.seals'), dataIndex: 'seals', render: (seals: DeclarationSeal[]) => <SealList seals={seals} /> },
  ];
  if (!onSeal) return list;
  return [
    ...list,
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_value, month) =>
        sealable(month) ? (
          <Popconfirm
            title={t('decl.sealConfirm', { period: month.period })}
            description={<div style={{ maxWidth: 320 }}>{t('decl.sealConfirmText')}</div>}
            okText={t('decl.seal')}
            cancelText={t('common.cancel')}
            onConfirm={() => onSeal(month)}
          >
            <Button
              type={month.status === 'due' ? 'primary' : 'default'}
              size="small"
              icon={<SafetyCertificateOutlined />}
              loading={sealing === month.period}
              data-testid={`seal-${month.period}`}
            >
              {month.seals.length > 0 ? t('decl.reseal') : t('decl.seal')}
            </Button>
          </Popconfirm>
        ) : null,
    },
  ];
}

/** The answer to a seal: the version and its SM3, kept on screen until closed. */
function SealedModal({ sealed, onClose }: { readonly sealed: SealResult; readonly onClose: () => void }) {
  const t = useTranslate();
  return (
    <Modal
      open
      title={t('decl.sealed', { period: sealed.period, version: sealed.version })}
      onCancel={onClose}
      onOk={onClose}
      width={600}
      cancelButtonProps={{ style: { display: 'none' } }}
    >
      {sealed.late ? <Alert type="warning" showIcon title={t('decl.sealedLate')} style={{ marginBottom: 16 }} /> : null}
      <Descriptions
        column={1}
        size="small"
        bordered
        styles={{ label: { whiteSpace: 'nowrap' } }}
        items={[
          { key: 'version', label: t('decl.seals'), children: t('decl.version', { version: sealed.version }) },
          { key: 'events', label: t('decl.events'), children: sealed.event_count },
          { key: 'at', label: t('decl.sealedAt'), children: formatBeijing(sealed.sealed_at) },
          { key: 'by', label: t('decl.sealedBy'), children: sealed.sealed_by },
          {
            key: 'sm3',
            label: t('decl.sm3'),
            children: (
              <code data-testid="sealed-sm3" style={{ wordBreak: 'break-all' }}>
                {sealed.events_sm3}
              </code>
            ),
          },
        ]}
      />
    </Modal>
  );
}

/** 月度申报: an enterprise's months of a year, the countdown to the next deadline and the seal button. */
export function DeclarationsPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const enterpriseId = user.enterprise_id;
  const months = useApi<DeclarationView[]>(enterpriseId ? '/declarations' : null, {
    enterprise_id: enterpriseId,
    year,
  });
  const [sealing, setSealing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [sealed, setSealed] = useState<SealResult | null>(null);

  const seal = async (month: DeclarationView) => {
    setSealing(month.period);
    setError(undefined);
    try {
      const answer = await api.post<SealResult>('/declarations', { period: month.period });
      setSealed(answer);
      void message.success(t('decl.sealed', { period: answer.period, version: answer.version }));
      months.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setSealing(null);
    }
  };

  const rows = [...(months.data ?? [])].reverse();
  const missing = rows.filter((month) => month.status === 'missing').length;
  return (
    <>
      <PageHeader title={t('decl.title')} subtitle={t('decl.subtitle')} />
      {!enterpriseId ? (
        <Card>
          <Empty description={t('decl.noEnterprise')} />
        </Card>
      ) : (
        <>
          {year === new Date().getFullYear() && months.data ? <Countdown months={months.data} /> : null}
          <Card
            title={
              <Flex align="center" gap={8}>
                <span>{t('decl.year')}</span>
                <InputNumber
                  id="declarations-year"
                  min={2000}
                  max={2100}
                  precision={0}
                  value={year}
                  onChange={(value) => {
                    if (value !== null && value >= 2000) setYear(value);
                  }}
                />
              </Flex>
            }
            extra={missing > 0 ? <Tag color="error">{t('decl.missingCount', { count: missing })}</Tag> : null}
          >
            <ProblemAlert error={months.error ?? error} />
            <Table<DeclarationView>
              rowKey="period"
              size="middle"
              loading={months.loading}
              dataSource={rows}
              pagination={false}
              columns={columns(t, can('flow.write') ? (month) => void seal(month) : null, sealing)}
            />
          </Card>
        </>
      )}
      {sealed ? <SealedModal sealed={sealed} onClose={() => setSealed(null)} /> : null}
    </>
  );
}
