import { Button, Card, Flex, Select, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import type { Page } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';
import { PlanInspectionModal, type PlanPrefill } from './plan-inspection-modal.tsx';
import { EnterpriseSelect, InspectionStatusTag, OutcomeTag, useSupervisionWriter } from './supervision-labels.tsx';
import { inspectionStatusList, type InspectionStatus, type InspectionView } from './supervision-types.ts';

const PAGE_SIZE = 20;

function columns(t: Translate): TableColumnsType<InspectionView> {
  return [
    {
      title: t('supervision.enterprise'),
      dataIndex: 'enterprise_name',
      render: (name: string, inspection) => <Link to={`/supervision/inspections/${inspection.id}`}>{name}</Link>,
    },
    {
      title: t('inspections.plannedOn'),
      dataIndex: 'planned_on',
      render: (date: string) => <span className="numeric">{date}</span>,
    },
    { title: t('inspections.purpose'), dataIndex: 'purpose', width: 320, ellipsis: { showTitle: true } },
    {
      title: t('inspections.inspectors'),
      dataIndex: 'inspectors',
      render: (inspectors: string[]) => inspectors.join('、'),
    },
    {
      title: t('supervision.status'),
      dataIndex: 'status',
      render: (status: InspectionStatus) => <InspectionStatusTag status={status} />,
    },
    {
      title: t('inspections.outcome'),
      dataIndex: 'outcome',
      render: (outcome: InspectionView['outcome'], inspection) => (
        <Flex vertical gap={2}>
          <OutcomeTag outcome={outcome} />
          {inspection.visited_on ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {inspection.visited_on}
            </Typography.Text>
          ) : null}
        </Flex>
      ),
    },
    {
      title: t('common.actions'),
      key: 'open',
      render: (_value, inspection) => (
        <Link to={`/supervision/inspections/${inspection.id}`}>{t('supervision.open')}</Link>
      ),
    },
  ];
}

/** What the address asks the plan form to start from (`?plan=1&enterprise_id=&anomaly_id=&reason=`). */
function prefillOf(params: URLSearchParams): PlanPrefill | null {
  if (params.get('plan') !== '1') return null;
  return {
    enterprise_id: params.get('enterprise_id') ?? undefined,
    enterprise_name: params.get('enterprise_name') ?? undefined,
    anomaly_ids: params.getAll('anomaly_id'),
    reasons: params.getAll('reason'),
  };
}

/** 检查计划与记录: the inspections in the reader's jurisdiction (an enterprise: its own), filtered and paged. */
export function InspectionsPage() {
  const t = useTranslate();
  const navigate = useNavigate();
  const writer = useSupervisionWriter();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const enterpriseId = params.get('enterprise_id') ?? undefined;
  const page = Number(params.get('page') ?? '1') || 1;
  const prefill = writer ? prefillOf(params) : null;
  const list = useApi<Page<InspectionView>>('/supervision/inspections', {
    status,
    enterprise_id: prefill ? undefined : enterpriseId,
    page,
    page_size: PAGE_SIZE,
  });

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(name);
      else next.set(name, value);
    }
    setParams(next);
  };
  const closePlan = () => {
    const next = new URLSearchParams();
    if (status) next.set('status', status);
    setParams(next);
  };

  return (
    <>
      <PageHeader
        title={t('inspections.title')}
        subtitle={t('inspections.subtitle')}
        extra={
          writer ? (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              data-testid="plan-inspection"
              onClick={() => update({ plan: '1' })}
            >
              {t('inspections.plan')}
            </Button>
          ) : null
        }
      />
      <ProblemAlert error={list.error} />
      <Card>
        <Flex gap="small" wrap style={{ marginBottom: 16 }}>
          <Select<string>
            allowClear
            placeholder={t('supervision.status')}
            aria-label={t('supervision.status')}
            style={{ width: 160 }}
            value={status ?? null}
            onChange={(value) => update({ status: value ?? undefined, page: undefined })}
            options={inspectionStatusList.map((value) => ({ value, label: t(`inspectionStatus.${value}`) }))}
          />
          <EnterpriseSelect
            allowClear
            placeholder={t('inspections.filterEnterprise')}
            {...(enterpriseId && !prefill ? { value: enterpriseId } : {})}
            onChange={(value) => update({ enterprise_id: value, page: undefined })}
          />
        </Flex>
        <Table<InspectionView>
          rowKey="id"
          size="middle"
          data-testid="inspections"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          columns={columns(t)}
          scroll={{ x: 'max-content' }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: list.data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (next) => update({ page: String(next) }),
          }}
        />
      </Card>
      {prefill ? (
        <PlanInspectionModal
          prefill={prefill}
          onClose={closePlan}
          onPlanned={(inspection) => void navigate(`/supervision/inspections/${inspection.id}`)}
        />
      ) : null}
    </>
  );
}
