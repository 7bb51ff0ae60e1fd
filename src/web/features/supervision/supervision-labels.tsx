import { useEffect, useState } from 'react';
import { Alert, Flex, Select, Tag, Timeline, Tooltip, Typography } from 'antd';
import { api, ApiError } from '../../shared/api.ts';
import { useLanguage, useTranslate, type Language } from '../../shared/i18n.ts';
import { messages } from '../../shared/messages.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import type { Enterprise, Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing, formatKg } from '../flows/flow-format.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import type {
  DecisionKind,
  DecisionStatus,
  DecisionView,
  InspectionOutcome,
  InspectionStatus,
  TransitionView,
  ViolationTypeView,
  ViolationView,
} from './supervision-types.ts';

/** Writes are for the departments with `supervision.write`; an enterprise's user only reads its own. */
export function useSupervisionWriter(): boolean {
  const { can, user } = useSession();
  return can('supervision.write') && !user?.enterprise_id;
}

/** A 409: someone moved the record on since it was read. */
function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

/**
 * What a supervision write's answer says above its form: a 409 as the "changed since you read it" warning (with
 * the server's detail or an action when given), anything else as the server's problem.
 */
export function WriteProblem({
  error,
  action,
  detailed = false,
}: {
  readonly error: unknown;
  readonly action?: React.ReactNode;
  readonly detailed?: boolean;
}) {
  const t = useTranslate();
  if (!isConflict(error)) return <ProblemAlert error={error} />;
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      data-testid="conflict"
      style={{ marginBottom: 16 }}
      title={t('supervision.conflict')}
      description={detailed && error instanceof Error ? error.message : null}
      action={action}
    />
  );
}

const inspectionColours: Record<InspectionStatus, string> = { planned: 'processing', visited: 'success' };
export function InspectionStatusTag({ status }: { readonly status: InspectionStatus }) {
  const t = useTranslate();
  return (
    <Tag color={inspectionColours[status]} data-testid="inspection-status">
      {t(`inspectionStatus.${status}`)}
    </Tag>
  );
}

const outcomeColours: Record<InspectionOutcome, string> = {
  no_violation: 'green',
  violation_found: 'red',
  obstructed: 'volcano',
};
export function OutcomeTag({ outcome }: { readonly outcome: InspectionOutcome | null }) {
  const t = useTranslate();
  if (!outcome) return <>—</>;
  return <Tag color={outcomeColours[outcome]}>{t(`inspectionOutcome.${outcome}`)}</Tag>;
}

const kindColours: Record<DecisionKind, string> = {
  correction_order: 'blue',
  fine: 'magenta',
  suspension: 'volcano',
  referral: 'purple',
};
export function DecisionKindTag({ kind }: { readonly kind: DecisionKind }) {
  const t = useTranslate();
  return <Tag color={kindColours[kind]}>{t(`decisionKind.${kind}`)}</Tag>;
}

const statusColours: Record<DecisionStatus, string> = { open: 'processing', complied: 'cyan', closed: 'default' };
/** The follow-up state, with 逾期未改正 in red beside it when a correction order is past its deadline. */
export function DecisionStatusTag({
  decision,
}: {
  readonly decision: Pick<DecisionView, 'status' | 'overdue' | 'final' | 'revoked_on'>;
}) {
  const t = useTranslate();
  return (
    <Flex gap={4} wrap data-testid="decision-status">
      <Tag color={statusColours[decision.status]}>{t(`decisionStatus.${decision.status}`)}</Tag>
      {decision.overdue ? <Tag color="red">{t('supervision.overdue')}</Tag> : null}
      {decision.final ? <Tag color="gold">{t('supervision.final')}</Tag> : null}
      {decision.revoked_on ? <Tag color="default">{t('supervision.revoked')}</Tag> : null}
    </Flex>
  );
}

/** What a decision orders, in a line: the deadline, the amount, the period of suspension, or the organ. */
export function DecisionTerms({ decision }: { readonly decision: DecisionView }) {
  const t = useTranslate();
  switch (decision.kind) {
    case 'correction_order':
      return <span className="numeric">{t('decisions.dueOn', { date: decision.correction_due_on ?? '—' })}</span>;
    case 'fine':
      return <span className="numeric">{t('decisions.amount', { amount: formatKg(decision.fine_yuan ?? 0) })}</span>;
    case 'suspension':
      return (
        <span className="numeric">
          {t('decisions.range', { from: decision.suspension_from ?? '—', to: decision.suspension_to ?? '—' })}
        </span>
      );
    case 'referral':
      return <>{decision.referred_to ?? '—'}</>;
  }
}

/** 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A digest shown in full (it is what a reader compares against a copy), small and breakable. */
export function Digest({ label, value }: { readonly label: string; readonly value: string }) {
  return (
    <Typography.Text style={{ fontSize: 12 }}>
      <Typography.Text type="secondary">{label} </Typography.Text>
      <code style={{ wordBreak: 'break-all' }}>{value}</code>
    </Typography.Text>
  );
}

/** The violation types with their legal basis, as the server serves them. */
export function useViolationTypes() {
  return useApi<ViolationTypeView[]>('/supervision/violation-types');
}

/** A type's name in the reader's language: the legal basis text up to its colon ("超出总量控制指标…：违反…"). */
export function violationTypeName(
  language: Language,
  basis: ViolationView['legal_basis'] | undefined,
  type: string,
): string {
  if (!basis) return type;
  const text = language === 'zh' ? basis.zh : basis.en;
  const cut = text.search(language === 'zh' ? /：/ : /:/);
  return cut > 0 ? text.slice(0, cut) : type;
}

export function ViolationTypeLabel({ violation }: { readonly violation: Pick<ViolationView, 'type' | 'legal_basis'> }) {
  const language = useLanguage();
  return (
    <Tooltip title={language === 'zh' ? violation.legal_basis.zh : violation.legal_basis.en}>
      <span>{violationTypeName(language, violation.legal_basis, violation.type)}</span>
    </Tooltip>
  );
}

/** The moves of a record (inspection or decision), oldest first. */
export function TransitionsTimeline({ transitions }: { readonly transitions: readonly TransitionView[] }) {
  const t = useTranslate();
  const label = (status: string) =>
    `decisionStatus.${status}` in messages
      ? labelOf(t, 'decisionStatus', status)
      : labelOf(t, 'inspectionStatus', status);
  // The server's notes start with a code: a visit's outcome ("violation_found: …"), a reassignment
  // ("inspectors a → b, c: …"), a penalty's finality ("final on 2026-12-01: …"). Shown in words.
  const noteText = (note: string) =>
    note
      .replace(
        /^(no_violation|violation_found|obstructed): /,
        (_whole, outcome: string) => `${labelOf(t, 'inspectionOutcome', outcome)}：`,
      )
      .replace(/^inspectors (.+?) → (.+?): /, (_whole, from: string, to: string) =>
        t('transition.reassigned', { from: from.split(', ').join('、'), to: to.split(', ').join('、') }),
      )
      .replace(/^(final|revoked) on (\d{4}-\d{2}-\d{2}): /, (_whole, outcome: string, date: string) =>
        t(outcome === 'final' ? 'transition.final' : 'transition.revoked', { date }),
      );
  if (transitions.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Timeline
      data-testid="transitions"
      items={transitions.map((move, index) => ({
        key: `${move.moved_at}-${index}`,
        content: (
          <Flex vertical gap={2}>
            <Typography.Text strong>
              {move.from_status ? `${label(move.from_status)} → ` : ''}
              {label(move.to_status)}
            </Typography.Text>
            {move.note ? <Typography.Text>{noteText(move.note)}</Typography.Text> : null}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('supervision.movedBy', { by: move.moved_by, time: formatBeijing(move.moved_at) })}
            </Typography.Text>
          </Flex>
        ),
      }))}
    />
  );
}

interface EnterpriseSelectProps {
  readonly value?: string;
  readonly onChange?: (id: string | undefined) => void;
  readonly id?: string;
  /** A name to show for `value` before the search has brought it (e.g. prefilled from a link). */
  readonly initialLabel?: string;
  readonly allowClear?: boolean;
  readonly placeholder?: string;
}

/** Finds an enterprise in the user's jurisdiction by name or credit code. */
export function EnterpriseSelect({
  value,
  onChange,
  id,
  initialLabel,
  allowClear,
  placeholder,
}: EnterpriseSelectProps) {
  const t = useTranslate();
  const [search, setSearch] = useState('');
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api.get<Page<Enterprise>>('/enterprises', { q: search.trim(), page_size: 20 }).then(
        (page) =>
          current && setOptions(page.items.map((enterprise) => ({ value: enterprise.id, label: enterprise.name }))),
        () => current && setOptions([]),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [search]);

  const known = value && initialLabel && !options.some((option) => option.value === value);
  return (
    <Select<string>
      {...(id ? { id } : {})}
      showSearch={{
        filterOption: false,
        onSearch: (text) => {
          setOptions([]);
          setSearch(text);
        },
      }}
      allowClear={allowClear ?? false}
      value={value ?? null}
      onChange={(next) => onChange?.(next ?? undefined)}
      options={known ? [{ value, label: initialLabel }, ...options] : options}
      placeholder={placeholder ?? t('supervision.enterprisePlaceholder')}
      style={{ minWidth: 260 }}
    />
  );
}
