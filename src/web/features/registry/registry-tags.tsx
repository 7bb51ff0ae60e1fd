import { Space, Tag, Typography } from 'antd';
import { addDays, todayInChina } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import type { DesignationStatus, Enterprise, EnterpriseKind } from '../../shared/types.ts';

const kindColours: Record<EnterpriseKind, string> = { mining: 'gold', separation: 'blue', both: 'purple' };

export function KindTag({ kind }: { kind: EnterpriseKind }) {
  const t = useTranslate();
  return <Tag color={kindColours[kind]}>{t(`enterpriseKind.${kind}`)}</Tag>;
}

export function ScopeTags({ scopes }: { scopes: Enterprise['designated_scopes'] }) {
  const t = useTranslate();
  if (scopes.length === 0) return <Typography.Text type="secondary">{t('enterprise.notDesignated')}</Typography.Text>;
  return (
    <Space size={4} wrap>
      {scopes.map((scope) => (
        <Tag key={scope} color="green">
          {t(`scope.${scope}`)}
        </Tag>
      ))}
    </Space>
  );
}

const statusColours: Record<DesignationStatus, string> = { active: 'green', pending: 'orange', revoked: 'default' };

export function DesignationStatusTag({ status }: { status: DesignationStatus }) {
  const t = useTranslate();
  return <Tag color={statusColours[status]}>{t(`designationStatus.${status}`)}</Tag>;
}

/** Licences within this many days of expiry are flagged so the department can follow up in time. */
const EXPIRY_WARNING_DAYS = 90;

/** Expired licences are marked red, ones about to expire orange, judged on today's date in China. */
export function LicenceValidity({ validTo }: { validTo: string }) {
  const t = useTranslate();
  const today = todayInChina();
  if (validTo < today) return <Tag color="red">{t('licence.expired')}</Tag>;
  if (validTo <= addDays(today, EXPIRY_WARNING_DAYS)) return <Tag color="orange">{t('licence.expiringSoon')}</Tag>;
  return <Tag color="green">{t('licence.valid')}</Tag>;
}
