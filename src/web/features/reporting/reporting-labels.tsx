import { useEffect, useState } from 'react';
import { Button, Dropdown, Flex, Input, InputNumber, Segmented, Tag, Tooltip, Typography } from 'antd';
import { ClockCircleOutlined, DownloadOutlined } from '@ant-design/icons';
import { API_BASE, queryString, type QueryValue } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { formatBeijing, monthInChina, previousMonth, timeLeft } from '../flows/flow-format.ts';
import { periodKindOf, switchKind } from './report-rules.ts';
import type { PeriodKind, ReportLevel, ReportStatus, ReportView } from './reporting-types.ts';

const statusColours: Record<ReportStatus, string> = {
  not_due: 'default',
  due: 'processing',
  late: 'error',
  submitted: 'cyan',
  returned: 'warning',
  compiled: 'geekblue',
  forwarded: 'success',
};

export function ReportStatusTag({ status }: { readonly status: ReportStatus }) {
  const t = useTranslate();
  return (
    <Tag color={statusColours[status]} data-testid="report-status">
      {t(`reportStatus.${status}`)}
    </Tag>
  );
}

export function LevelTag({ level }: { readonly level: ReportLevel }) {
  const t = useTranslate();
  return <Tag>{t(`reportLevel.${level}`)}</Tag>;
}

export function LateTag({ late }: { readonly late: boolean | null }) {
  const t = useTranslate();
  return late ? <Tag color="red">{t('report.late')}</Tag> : null;
}

/** The month most recently ended in China: what is being reported now. */
export function lastMonth(): string {
  return previousMonth(monthInChina());
}

interface PeriodPickerProps {
  readonly value: string;
  readonly onChange: (period: string) => void;
  /** Prefix of the inputs' ids: `${id}-month`, `${id}-year`. */
  readonly id: string;
}

/** A month (YYYY-MM) or a year (YYYY): the two kinds of implementation report. */
export function PeriodPicker({ value, onChange, id }: PeriodPickerProps) {
  const t = useTranslate();
  const kind = periodKindOf(value);
  return (
    <Flex gap="small" align="center" wrap>
      <Typography.Text>{t('report.period')}</Typography.Text>
      <Segmented<PeriodKind>
        value={kind}
        onChange={(next) => onChange(switchKind(value, next, lastMonth()))}
        options={[
          { label: t('periodKind.month'), value: 'month' },
          { label: t('periodKind.year'), value: 'year' },
        ]}
      />
      {kind === 'month' ? (
        <Input
          id={`${id}-month`}
          aria-label={t('periodKind.month')}
          type="month"
          value={value}
          onChange={(event) => event.target.value && onChange(event.target.value)}
          style={{ width: 170 }}
        />
      ) : (
        <InputNumber<number>
          id={`${id}-year`}
          aria-label={t('periodKind.year')}
          min={2000}
          max={2099}
          precision={0}
          value={Number(value)}
          onChange={(year) => {
            // Only whole years: typing 2025 passes through 2, 20 and 202 on the way.
            if (year !== null && year >= 2000 && year <= 2099) onChange(String(year));
          }}
        />
      )}
    </Flex>
  );
}

/** Download links of an export (XLSX, PDF, CSV), served by the API with the session's cookie. */
export function ExportMenu({
  path,
  query = {},
  testId,
}: {
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly testId?: string;
}) {
  const t = useTranslate();
  const formats = ['xlsx', 'pdf', 'csv'] as const;
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: formats.map((format) => ({
          key: format,
          label: (
            <a href={`${API_BASE}${path}${queryString({ ...query, format })}`} download>
              {t(`export.${format}`)}
            </a>
          ),
        })),
      }}
    >
      <Button icon={<DownloadOutlined />} data-testid={testId}>
        {t('export.button')}
      </Button>
    </Dropdown>
  );
}

/** The SM3 digest of what was signed (SM2), in full: it is what a reader compares against a printout. */
export function SignatureDigest({ signature }: { readonly signature: ReportView['signature'] }) {
  const t = useTranslate();
  return (
    <Tooltip title={t('report.signedBy', { signer: signature.signer, algorithm: signature.algorithm })}>
      <code data-testid="signature-digest" style={{ wordBreak: 'break-all', fontSize: 12 }}>
        {signature.content_sm3}
      </code>
    </Tooltip>
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

/** Time left to a deadline, or how long it has passed. */
export function DeadlineCountdown({ deadline }: { readonly deadline: string }) {
  const t = useTranslate();
  const now = useNow();
  const passed = now > new Date(deadline).getTime();
  const pad = (value: number) => String(value).padStart(2, '0');
  const left = passed ? timeLeft(new Date(now).toISOString(), new Date(deadline).getTime()) : timeLeft(deadline, now);
  const text = t('report.countdownValue', {
    days: left.days,
    hours: pad(left.hours),
    minutes: pad(left.minutes),
    seconds: pad(left.seconds),
  });
  return (
    <Flex gap="small" align="center" wrap data-testid="countdown">
      <ClockCircleOutlined style={{ color: passed ? '#cf1322' : '#1677ff' }} />
      <Typography.Text strong {...(passed ? { type: 'danger' as const } : {})}>
        {passed ? t('report.overdueBy', { time: text }) : t('report.timeLeft', { time: text })}
      </Typography.Text>
      <Typography.Text type="secondary">{t('report.deadlineAt', { time: formatBeijing(deadline) })}</Typography.Text>
    </Flex>
  );
}
