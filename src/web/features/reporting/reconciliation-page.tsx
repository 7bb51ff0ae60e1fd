import { Card, Flex, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { queryString } from '../../shared/api.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { PageHeader, ProblemAlert } from '../../shared/page.tsx';
import { useCurrentUser } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { formatKg } from '../flows/flow-format.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { DivisionBreadcrumb, useDivisionPath } from './division-path.tsx';
import { Kg } from './lines-table.tsx';
import { isPeriod } from './report-rules.ts';
import { lastMonth, PeriodPicker } from './reporting-labels.tsx';
import { NATION, type ReconciliationRow, type ReconciliationView } from './reporting-types.ts';

const link = (period: string, code: string) =>
  `/reporting/reconciliation${queryString({ period, division_code: code })}`;

/** A difference in kg, signed, in red when it is one of the differences beyond tolerance. */
function Difference({ value, flagged }: { readonly value: number | null; readonly flagged: boolean }) {
  if (value === null) return <>—</>;
  const text = value === 0 ? '0' : `${value > 0 ? '+' : '−'}${formatKg(Math.abs(value))}`;
  return (
    <span className="numeric" style={flagged && value !== 0 ? { color: '#cf1322', fontWeight: 600 } : undefined}>
      {text}
    </span>
  );
}

/**
 * 数据核对: what was reported, what the flow records give now, and what the quota ledger consumed, per child
 * (division or enterprise) and category; differences beyond tolerance are highlighted.
 */
export function ReconciliationPage() {
  const t = useTranslate();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const requested = params.get('period') ?? '';
  const period = isPeriod(requested) ? requested : lastMonth();
  const code = params.get('division_code') ?? user.division_code ?? NATION;
  const view = useApi<ReconciliationView>('/reporting/reconciliation', { period, division_code: code });
  const { path } = useDivisionPath(code);
  const [onlyFlagged, setOnlyFlagged] = useState(false);
  // Rows of the previous period or division stay in the hook while the next load: show none of them.
  const current = view.loading ? undefined : view.data;
  const rows = (current?.rows ?? []).filter((row) => !onlyFlagged || row.beyond_tolerance);
  const flagged = (current?.rows ?? []).filter((row) => row.beyond_tolerance).length;

  return (
    <>
      <DivisionBreadcrumb path={path} linkTo={(target) => link(period, target)} />
      <PageHeader
        title={t('recon.title')}
        subtitle={
          current
            ? t('recon.subtitle', {
                percent: current.tolerance_ppm / 10_000,
                kg: current.tolerance_min_kg,
              })
            : null
        }
        extra={
          <PeriodPicker
            id="recon-period"
            value={period}
            onChange={(next) => setParams({ period: next, division_code: code })}
          />
        }
      />
      <ProblemAlert error={view.error} />
      <Card
        title={
          <Flex gap="small" align="center">
            <span>{t('recon.rows')}</span>
            {flagged > 0 ? (
              <Tag color="error" data-testid="recon-flagged">
                {t('recon.flaggedCount', { count: flagged })}
              </Tag>
            ) : (
              <Tag color="success">{t('recon.allWithin')}</Tag>
            )}
          </Flex>
        }
        extra={
          <Flex gap="small" align="center">
            <Typography.Text>{t('recon.onlyFlagged')}</Typography.Text>
            <Switch checked={onlyFlagged} onChange={setOnlyFlagged} aria-label={t('recon.onlyFlagged')} />
          </Flex>
        }
      >
        <Table<ReconciliationRow>
          rowKey={(row) => `${row.kind}:${row.code}:${row.category}`}
          size="small"
          data-testid="recon-rows"
          loading={view.loading}
          dataSource={rows}
          pagination={{ pageSize: 100, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          onRow={(row) => (row.beyond_tolerance ? { style: { background: '#fff1f0' } } : {})}
          columns={[
            {
              title: t('recon.child'),
              dataIndex: 'name',
              render: (name: string, row) =>
                row.kind === 'division' ? (
                  <Link to={link(period, row.code)}>{name}</Link>
                ) : (
                  <Link to={`/reports${queryString({ enterprise_id: row.code, period })}`}>{name}</Link>
                ),
            },
            {
              title: t('line.category'),
              dataIndex: 'category',
              render: (category: string) => labelOf(t, 'category', category),
            },
            {
              title: t('recon.reported'),
              dataIndex: 'reported_reo_kg',
              align: 'right',
              render: (value: number | null) => <Kg value={value} />,
            },
            {
              title: t('line.flow'),
              dataIndex: 'flow_reo_kg',
              align: 'right',
              render: (value: number) => <Kg value={value} />,
            },
            {
              title: t('recon.reportVsFlow'),
              dataIndex: 'report_vs_flow_reo_kg',
              align: 'right',
              render: (value: number | null, row) => <Difference value={value} flagged={row.beyond_tolerance} />,
            },
            {
              title: t('recon.reportedCumulative'),
              dataIndex: 'reported_cumulative_reo_kg',
              align: 'right',
              render: (value: number | null) => <Kg value={value} />,
            },
            {
              title: t('line.flowCumulative'),
              dataIndex: 'flow_cumulative_reo_kg',
              align: 'right',
              render: (value: number) => <Kg value={value} />,
            },
            {
              title: t('line.ledgerConsumed'),
              dataIndex: 'ledger_consumed_reo_kg',
              align: 'right',
              render: (value: number) => <Kg value={value} />,
            },
            {
              title: t('recon.flowYear'),
              dataIndex: 'flow_year_reo_kg',
              align: 'right',
              render: (value: number) => <Kg value={value} />,
            },
            {
              title: t('recon.ledgerVsFlow'),
              dataIndex: 'ledger_vs_flow_reo_kg',
              align: 'right',
              render: (value: number, row) => <Difference value={value} flagged={row.beyond_tolerance} />,
            },
            {
              title: t('recon.result'),
              dataIndex: 'beyond_tolerance',
              render: (beyond: boolean) =>
                beyond ? <Tag color="error">{t('recon.beyond')}</Tag> : <Tag color="success">{t('recon.within')}</Tag>,
            },
          ]}
        />
      </Card>
    </>
  );
}
