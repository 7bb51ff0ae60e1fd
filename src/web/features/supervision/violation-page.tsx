import { useState } from 'react';
import { Button, Card, Descriptions, Typography } from 'antd';
import { AuditOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useLanguage, useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatBeijing } from '../flows/flow-format.ts';
import { DecisionModal } from './decision-modal.tsx';
import { DecisionTable } from './decision-table.tsx';
import { useSupervisionWriter, violationTypeName } from './supervision-labels.tsx';
import type { DecisionPage, ViolationView } from './supervision-types.ts';

/** 违法违规行为详情: the type and its legal basis in full, the facts, where it came from, and its decisions. */
export function ViolationPage() {
  const t = useTranslate();
  const language = useLanguage();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const writer = useSupervisionWriter();
  const violation = useApi<ViolationView>(`/supervision/violations/${id}`);
  const decisions = useApi<DecisionPage>('/supervision/decisions', { violation_id: id, page_size: 200 });
  const [deciding, setDeciding] = useState(false);
  const view = violation.data?.id === id ? violation.data : undefined;

  return (
    <>
      <PageHeader
        title={view ? t('violation.title', { name: view.enterprise_name }) : t('violations.title')}
        subtitle={view ? violationTypeName(language, view.legal_basis, view.type) : null}
        extra={
          view && writer ? (
            <Button
              type="primary"
              icon={<AuditOutlined />}
              onClick={() => setDeciding(true)}
              data-testid="make-decision"
            >
              {t('violation.decide')}
            </Button>
          ) : null
        }
      />
      <ProblemAlert error={violation.error ?? decisions.error} />
      {view ? (
        <>
          <Card style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2, xl: 3 }}
              data-testid="violation-facts"
              items={[
                { key: 'enterprise', label: t('supervision.enterprise'), children: view.enterprise_name },
                {
                  key: 'found',
                  label: t('violations.foundOn'),
                  children: <span className="numeric">{view.found_on}</span>,
                },
                {
                  key: 'department',
                  label: t('supervision.department'),
                  children: `${view.division_code} · ${t(`department.${view.department}`)}`,
                },
                {
                  key: 'basis',
                  label: t('violations.legalBasis'),
                  span: 'filled',
                  children: (
                    <Typography.Text data-testid="legal-basis">
                      {language === 'zh' ? view.legal_basis.zh : view.legal_basis.en}（{view.legal_basis.citation}）
                    </Typography.Text>
                  ),
                },
                { key: 'facts', label: t('violations.description'), span: 'filled', children: view.description },
                {
                  key: 'inspection',
                  label: t('violations.inspection'),
                  children: view.inspection_id ? (
                    <Link to={`/supervision/inspections/${view.inspection_id}`}>{t('supervision.open')}</Link>
                  ) : (
                    '—'
                  ),
                },
                {
                  key: 'recorded',
                  label: t('violations.recordedBy'),
                  children: `${view.recorded_by} · ${formatBeijing(view.recorded_at)}`,
                },
              ]}
            />
          </Card>
          <Card title={t('violation.decisions')}>
            {decisions.data && decisions.data.items.length === 0 ? (
              <Typography.Text type="secondary">{t('violation.noDecisions')}</Typography.Text>
            ) : (
              <DecisionTable
                decisions={decisions.data?.items ?? []}
                loading={decisions.loading}
                testId="violation-decisions"
                showEnterprise={false}
              />
            )}
          </Card>
        </>
      ) : violation.error ? null : (
        <Card loading />
      )}
      {deciding && view ? (
        <DecisionModal
          violation={view}
          onClose={() => setDeciding(false)}
          onDecided={(decision) => void navigate(`/supervision/decisions/${decision.id}`)}
        />
      ) : null}
    </>
  );
}
