import { Tag } from 'antd';
import { useTranslate } from '../../shared/i18n.ts';
import type { AnomalyStatus, DeclarationStatus, FlowKind, VerificationStatus } from './flow-types.ts';

const kindColours: Record<FlowKind, string> = {
  produce: 'gold',
  transform: 'purple',
  ship: 'volcano',
  receive: 'green',
  import: 'cyan',
  export: 'magenta',
  stock_count: 'default',
  loss: 'red',
};

export function FlowKindTag({ kind }: { readonly kind: FlowKind }) {
  const t = useTranslate();
  return <Tag color={kindColours[kind]}>{t(`flowKind.${kind}`)}</Tag>;
}

const declarationColours: Record<DeclarationStatus, string> = {
  open: 'default',
  due: 'processing',
  sealed: 'success',
  late: 'warning',
  missing: 'error',
};

export function DeclarationStatusTag({ status }: { readonly status: DeclarationStatus }) {
  const t = useTranslate();
  return (
    <Tag color={declarationColours[status]} data-testid="declaration-status">
      {t(`declStatus.${status}`)}
    </Tag>
  );
}

const anomalyColours: Record<AnomalyStatus, string> = {
  open: 'error',
  explained: 'processing',
  confirmed: 'warning',
  closed: 'default',
};

export function AnomalyStatusTag({ status }: { readonly status: AnomalyStatus }) {
  const t = useTranslate();
  return (
    <Tag color={anomalyColours[status]} data-testid="anomaly-status">
      {t(`anomalyStatus.${status}`)}
    </Tag>
  );
}

const verificationColours: Record<VerificationStatus, string> = {
  verified: 'success',
  not_yet_sealed: 'warning',
  altered: 'error',
};

export function VerificationTag({ status }: { readonly status: VerificationStatus }) {
  const t = useTranslate();
  return <Tag color={verificationColours[status]}>{t(`verify.status.${status}`)}</Tag>;
}
