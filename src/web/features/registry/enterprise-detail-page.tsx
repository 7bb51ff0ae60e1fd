import { useState } from 'react';
import { Button, Card, Col, Descriptions, Row, Skeleton, Space } from 'antd';
import { AccountBookOutlined, ArrowLeftOutlined, EditOutlined, SafetyOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router-dom';
import { formatDateTime, formatTonnes } from '../../shared/format.ts';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useSession } from '../../shared/session.tsx';
import type { Enterprise } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { EnterpriseDesignations, EnterpriseHistory, LicencesTable } from './enterprise-sections.tsx';
import { KindTag, ScopeTags } from './registry-tags.tsx';
import { SecurityProfileModal } from './security-profile-modal.tsx';

function BasicFacts({ enterprise }: { enterprise: Enterprise }) {
  const t = useTranslate();
  const language = useLanguage();
  const tonnes = (kg: number) => `${formatTonnes(kg)} ${t('unit.tonnesReoPerYear')}`;
  return (
    <Descriptions
      bordered
      size="small"
      column={{ xs: 1, md: 2 }}
      items={[
        { key: 'credit', label: t('enterprise.creditCode'), children: <code>{enterprise.credit_code}</code> },
        { key: 'kind', label: t('enterprise.kind'), children: <KindTag kind={enterprise.kind} /> },
        {
          key: 'domicile',
          label: t('enterprise.domicile'),
          children: `${enterprise.domicile_name}（${enterprise.domicile_code}）`,
        },
        { key: 'group', label: t('enterprise.group'), children: enterprise.group_name ?? '—' },
        {
          key: 'mining',
          label: t('enterprise.miningCapacity'),
          children: <span className="numeric">{tonnes(enterprise.mining_capacity_reo_kg_per_year)}</span>,
        },
        {
          key: 'separation',
          label: t('enterprise.separationCapacity'),
          children: <span className="numeric">{tonnes(enterprise.separation_capacity_reo_kg_per_year)}</span>,
        },
        {
          key: 'scores',
          label: t('enterprise.scores'),
          children: t('enterprise.scoresValue', {
            technical: enterprise.technical_score,
            environment: enterprise.environment_score,
            safety: enterprise.safety_score,
          }),
        },
        {
          key: 'scopes',
          label: t('enterprise.designatedScopes'),
          children: <ScopeTags scopes={enterprise.designated_scopes} />,
        },
        { key: 'version', label: t('enterprise.version'), children: enterprise.version },
        { key: 'updated', label: t('enterprise.updatedAt'), children: formatDateTime(enterprise.updated_at, language) },
      ]}
    />
  );
}

function SecurityProfileCard({ enterprise, onEdit }: { enterprise: Enterprise; onEdit: (() => void) | null }) {
  const t = useTranslate();
  const profile = enterprise.security_profile;
  return (
    <Card
      title={t('security.title')}
      data-testid="security-profile"
      extra={
        onEdit ? (
          <Button size="small" icon={<SafetyOutlined />} onClick={onEdit}>
            {t('security.edit')}
          </Button>
        ) : null
      }
    >
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'person', label: t('security.responsiblePerson'), children: profile.responsible_person },
          {
            key: 'level',
            label: t('security.protectionLevel'),
            children: t('security.levelValue', { level: profile.protection_level }),
          },
          {
            key: 'assessed',
            label: t('security.lastAssessment'),
            children: profile.last_assessment_on ?? t('security.notAssessed'),
          },
        ]}
      />
    </Card>
  );
}

export function EnterpriseDetailPage() {
  const t = useTranslate();
  const { id = '' } = useParams();
  const { can } = useSession();
  const enterprise = useApi<Enterprise>(`/enterprises/${encodeURIComponent(id)}`);
  const [editingSecurity, setEditingSecurity] = useState(false);

  if (enterprise.error) return <ProblemAlert error={enterprise.error} />;
  if (!enterprise.data) return <Skeleton active paragraph={{ rows: 10 }} />;
  const data = enterprise.data;
  // Enterprise users keep their own profile (Art. 11); the server checks the enterprise is theirs.
  const mayEditSecurity = can('enterprise.security.write');

  return (
    <>
      <PageHeader
        title={data.name}
        subtitle={<KindTag kind={data.kind} />}
        extra={
          <Space>
            {can('ledger.read') ? (
              <Link to={`/enterprises/${data.id}/quota`}>
                <Button icon={<AccountBookOutlined />}>{t('nav.quota')}</Button>
              </Link>
            ) : null}
            {can('enterprise.write') ? (
              <Link to={`/enterprises/${data.id}/edit`}>
                <Button type="primary" icon={<EditOutlined />}>
                  {t('common.edit')}
                </Button>
              </Link>
            ) : null}
            <Link to="/enterprises">
              <Button icon={<ArrowLeftOutlined />}>{t('enterprises.backToList')}</Button>
            </Link>
          </Space>
        }
      />
      <Card title={t('enterprise.basics')} style={{ marginBottom: 16 }}>
        <BasicFacts enterprise={data} />
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Card title={t('licence.title')} style={{ marginBottom: 16 }}>
            <LicencesTable licences={data.licences} />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <SecurityProfileCard enterprise={data} onEdit={mayEditSecurity ? () => setEditingSecurity(true) : null} />
        </Col>
      </Row>
      <Card title={t('enterprise.designations')} style={{ marginTop: 16 }}>
        <EnterpriseDesignations enterpriseId={data.id} />
      </Card>
      <Card title={t('history.title')} style={{ marginTop: 16 }}>
        {/* Keyed by version: a save on this page reloads the history. */}
        <EnterpriseHistory key={data.version} enterpriseId={data.id} />
      </Card>
      {editingSecurity ? (
        <SecurityProfileModal
          enterprise={data}
          onClose={() => setEditingSecurity(false)}
          onSaved={() => {
            setEditingSecurity(false);
            enterprise.reload();
          }}
        />
      ) : null}
    </>
  );
}
