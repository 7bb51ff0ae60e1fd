import { Alert, Card, Flex, Select, Switch, Typography } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { DecisionTable } from './decision-table.tsx';
import { EnterpriseSelect } from './supervision-labels.tsx';
import {
  decisionKindList,
  decisionStatusList,
  type DecisionKind,
  type DecisionPage,
  type DecisionStatus,
} from './supervision-types.ts';

const PAGE_SIZE = 20;

/**
 * 处理决定 and, with `?overdue=true`, the overdue board: correction orders still open after their deadline.
 * The count of all overdue orders in the reader's jurisdiction stays on top whatever the filters.
 */
export function DecisionsPage() {
  const t = useTranslate();
  const [params, setParams] = useSearchParams();
  const overdue = params.get('overdue') === 'true';
  const kind = (params.get('kind') ?? undefined) as DecisionKind | undefined;
  const status = (params.get('status') ?? undefined) as DecisionStatus | undefined;
  const enterpriseId = params.get('enterprise_id') ?? undefined;
  const page = Number(params.get('page') ?? '1') || 1;
  const list = useApi<DecisionPage>('/supervision/decisions', {
    overdue: overdue ? 'true' : undefined,
    kind,
    status,
    enterprise_id: enterpriseId,
    page,
    page_size: PAGE_SIZE,
  });
  const data = list.loading ? undefined : list.data;

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(name);
      else next.set(name, value);
    }
    setParams(next);
  };

  return (
    <>
      <PageHeader
        title={overdue ? t('decisions.overdueTitle') : t('decisions.title')}
        subtitle={overdue ? t('decisions.overdueSubtitle') : t('decisions.subtitle')}
      />
      <ProblemAlert error={list.error} />
      {list.data ? (
        <Alert
          type={list.data.overdue_count > 0 ? 'error' : 'success'}
          showIcon
          data-testid="overdue-count"
          style={{ marginBottom: 16 }}
          title={
            <Typography.Text strong>
              {t('supervisionHome.overdueCount')}：<span className="numeric">{list.data.overdue_count}</span>
            </Typography.Text>
          }
        />
      ) : null}
      <Card>
        <Flex gap="middle" wrap align="center" style={{ marginBottom: 16 }}>
          <Flex gap="small" align="center">
            <Switch
              checked={overdue}
              data-testid="only-overdue"
              onChange={(checked) => update({ overdue: checked ? 'true' : undefined, page: undefined })}
            />
            <Typography.Text>{t('decisions.onlyOverdue')}</Typography.Text>
          </Flex>
          <Select<DecisionKind>
            allowClear
            placeholder={t('decisions.kind')}
            aria-label={t('decisions.kind')}
            style={{ width: 180 }}
            value={kind ?? null}
            onChange={(value) => update({ kind: value ?? undefined, page: undefined })}
            options={decisionKindList.map((value) => ({ value, label: t(`decisionKind.${value}`) }))}
          />
          <Select<DecisionStatus>
            allowClear
            placeholder={t('supervision.status')}
            aria-label={t('supervision.status')}
            style={{ width: 140 }}
            value={status ?? null}
            onChange={(value) => update({ status: value ?? undefined, page: undefined })}
            options={decisionStatusList.map((value) => ({ value, label: t(`decisionStatus.${value}`) }))}
          />
          <EnterpriseSelect
            allowClear
            placeholder={t('inspections.filterEnterprise')}
            {...(enterpriseId ? { value: enterpriseId } : {})}
            onChange={(value) => update({ enterprise_id: value, page: undefined })}
          />
        </Flex>
        <DecisionTable
          decisions={data?.items ?? []}
          loading={list.loading}
          testId="decisions"
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
    </>
  );
}
