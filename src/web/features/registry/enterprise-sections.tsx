import { Space, Table, Tag, Tooltip, Typography } from 'antd';
import { formatDateTime } from '../../shared/format.ts';
import { useLanguage, useTranslate, type MessageKey } from '../../shared/i18n.ts';
import { ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import type { Designation, Enterprise, LicenceKind, Page, Revision } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { DesignationStatusTag, LicenceValidity } from './registry-tags.tsx';

type Licence = Enterprise['licences'][number];

export function LicencesTable({ licences }: { licences: readonly Licence[] }) {
  const t = useTranslate();
  return (
    <Table<Licence>
      rowKey={(licence) => `${licence.kind}:${licence.number}`}
      size="small"
      pagination={false}
      dataSource={[...licences]}
      data-testid="licences"
      columns={[
        { title: t('licence.kind'), dataIndex: 'kind', render: (kind: LicenceKind) => t(`licenceKind.${kind}`) },
        { title: t('licence.number'), dataIndex: 'number', render: (number: string) => <code>{number}</code> },
        { title: t('licence.validFrom'), dataIndex: 'valid_from' },
        { title: t('licence.validTo'), dataIndex: 'valid_to' },
        {
          title: t('licence.status'),
          dataIndex: 'valid_to',
          key: 'status',
          render: (validTo: string) => <LicenceValidity validTo={validTo} />,
        },
      ]}
    />
  );
}

export function EnterpriseDesignations({ enterpriseId }: { enterpriseId: string }) {
  const t = useTranslate();
  const designations = useApi<Page<Designation>>('/designations', { enterprise_id: enterpriseId, page_size: 50 });
  return (
    <>
      <ProblemAlert error={designations.error} />
      <Table<Designation>
        rowKey="id"
        size="small"
        pagination={false}
        loading={designations.loading}
        dataSource={designations.data?.items ?? []}
        columns={[
          {
            title: t('designation.scope'),
            dataIndex: 'scope',
            render: (scope: Designation['scope']) => t(`scope.${scope}`),
          },
          { title: t('designation.documentNo'), dataIndex: 'document_no' },
          { title: t('designation.effectiveOn'), dataIndex: 'effective_on' },
          {
            title: t('designation.status'),
            dataIndex: 'status',
            render: (status: Designation['status']) => <DesignationStatusTag status={status} />,
          },
          { title: t('designation.revokedOn'), dataIndex: 'revoked_on', render: (date: string | null) => date ?? '—' },
        ]}
      />
    </>
  );
}

/** Bookkeeping fields change on every save; listing them would hide what really changed. */
const bookkeeping = new Set(['version', 'updated_at', 'created_at', 'designated_scopes']);

const fieldLabels: Readonly<Record<string, MessageKey>> = {
  credit_code: 'enterprise.creditCode',
  name: 'enterprise.name',
  kind: 'enterprise.kind',
  domicile_code: 'enterprise.domicile',
  domicile_name: 'enterprise.domicile',
  group_id: 'enterprise.group',
  group_name: 'enterprise.group',
  mining_capacity_reo_kg_per_year: 'enterprise.miningCapacity',
  separation_capacity_reo_kg_per_year: 'enterprise.separationCapacity',
  technical_score: 'enterprise.technicalScore',
  environment_score: 'enterprise.environmentScore',
  safety_score: 'enterprise.safetyScore',
  licences: 'licence.title',
  security_profile: 'security.title',
};

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The fields whose value differs between a revision and the one before it. */
function changedFields(revision: Revision, previous: Revision | undefined): string[] {
  if (!previous) return [];
  const after = asRecord(revision.data);
  const before = asRecord(previous.data);
  const names = new Set([...Object.keys(after), ...Object.keys(before)]);
  return [...names].filter(
    (name) => !bookkeeping.has(name) && JSON.stringify(after[name]) !== JSON.stringify(before[name]),
  );
}

/** The id the server records for changes it makes itself (demo data, imports). */
const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';

export function EnterpriseHistory({ enterpriseId }: { enterpriseId: string }) {
  const t = useTranslate();
  const language = useLanguage();
  const me = useCurrentUser();
  const history = useApi<Revision[]>(`/enterprises/${enterpriseId}/history`);
  const revisions = history.data ?? [];

  const describeChange = (revision: Revision, index: number) => {
    if (index === revisions.length - 1) return <Tag color="blue">{t('history.created')}</Tag>;
    const fields = changedFields(revision, revisions[index + 1]);
    if (fields.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
    const labels = [
      ...new Set(
        fields.map((field) => {
          const key = fieldLabels[field];
          return key ? t(key) : field;
        }),
      ),
    ];
    return (
      <Space size={4} wrap>
        {labels.map((label) => (
          <Tag key={label}>{label}</Tag>
        ))}
      </Space>
    );
  };

  return (
    <>
      <ProblemAlert error={history.error} />
      <Table<Revision>
        rowKey="version"
        size="small"
        pagination={false}
        loading={history.loading}
        dataSource={revisions}
        data-testid="history"
        columns={[
          { title: t('history.version'), dataIndex: 'version', width: 80 },
          {
            title: t('history.changedAt'),
            dataIndex: 'changed_at',
            render: (at: string) => formatDateTime(at, language),
          },
          {
            title: t('history.changedBy'),
            dataIndex: 'changed_by',
            // The API gives the user's id only; name the reader themself, shorten the rest.
            render: (userId: string) => {
              if (userId === me.id) return t('history.me');
              if (userId === SYSTEM_USER_ID) return t('history.system');
              return (
                <Tooltip title={userId}>
                  <code>{userId.slice(0, 8)}</code>
                </Tooltip>
              );
            },
          },
          {
            title: t('history.changes'),
            key: 'changes',
            render: (_value, revision, index) => describeChange(revision, index),
          },
        ]}
      />
    </>
  );
}
