import { Card } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useApi } from '../../shared/use-api.ts';
import { DecisionTable } from './decision-table.tsx';
import type { DecisionPage } from './supervision-types.ts';

const PAGE_SIZE = 20;

/** 下级上报: the handling results the divisions directly below reported to the reader's (Art. 12 ¶2). */
export function ReportedPage() {
  const t = useTranslate();
  const [params, setParams] = useSearchParams();
  const page = Number(params.get('page') ?? '1') || 1;
  const list = useApi<DecisionPage>('/supervision/reported', { page, page_size: PAGE_SIZE });
  return (
    <>
      <PageHeader title={t('reported.title')} subtitle={t('reported.subtitle')} />
      <ProblemAlert error={list.error} />
      <Card>
        <DecisionTable
          decisions={list.data?.items ?? []}
          loading={list.loading}
          testId="reported"
          showReported
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: list.data?.total ?? 0,
            showSizeChanger: false,
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (next) => setParams({ page: String(next) }),
          }}
        />
      </Card>
    </>
  );
}
