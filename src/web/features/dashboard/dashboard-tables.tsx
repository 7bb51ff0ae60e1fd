import { Button, Empty, Progress, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router-dom';
import { formatDateTime, formatTonnes } from '../../shared/format.ts';
import { useLanguage, useTranslate, type Translate } from '../../shared/i18n.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import {
  formatPercent,
  percentOf,
  type CategoryFigures,
  type DashboardArea,
  type DashboardEnterprise,
  type DashboardFigures,
  type DashboardView,
  type OverdueCorrection,
  type OverdueReport,
} from './dashboard-types.ts';

/** The figures of a row in one category, or summed over all of them (null category). */
export function figuresIn(
  row: { readonly total: DashboardFigures; readonly categories: readonly CategoryFigures[] },
  category: string | null,
): DashboardFigures | null {
  if (category === null) return row.total;
  return row.categories.find((line) => line.category === category) ?? null;
}

const byUtilisation = (a: DashboardFigures | null, b: DashboardFigures | null) =>
  (a?.utilisation_ppm ?? -1) - (b?.utilisation_ppm ?? -1);

function UtilisationCell({ figures, elapsedPpm }: { figures: DashboardFigures | null; elapsedPpm: number }) {
  const t = useTranslate();
  if (!figures) return null;
  if (figures.utilisation_ppm === null)
    return <Typography.Text type="secondary">{t('dashboard.noAllocation')}</Typography.Text>;
  const percent = percentOf(figures.utilisation_ppm) ?? 0;
  return (
    <div style={{ minWidth: 160 }}>
      <Progress
        percent={Math.min(100, percent)}
        format={() => formatPercent(figures.utilisation_ppm)}
        status={figures.over_balance || percent >= 100 ? 'exception' : 'normal'}
        {...(percent > (percentOf(elapsedPpm) ?? 0) && percent < 100 ? { strokeColor: '#d48806' } : {})}
        size="small"
      />
    </div>
  );
}

/** Allocated, used, remaining (tonnes, exact) and utilisation: the columns every figure table shares. */
function figureColumns<T extends { total: DashboardFigures; categories: readonly CategoryFigures[] }>(
  t: Translate,
  category: string | null,
  elapsedPpm: number,
): ColumnsType<T> {
  const tonnes = (row: T, pick: (figures: DashboardFigures) => number) => {
    const figures = figuresIn(row, category);
    if (!figures) return '—';
    const kg = pick(figures);
    return <span className="numeric">{`${kg < 0 ? '−' : ''}${formatTonnes(Math.abs(kg))}`}</span>;
  };
  return [
    {
      title: `${t('dashboard.allocated')} (${t('dashboard.tonnes')})`,
      key: 'allocated',
      align: 'right',
      render: (_value, row) => tonnes(row, (figures) => figures.allocated_reo_kg),
    },
    {
      title: `${t('dashboard.consumed')} (${t('dashboard.tonnes')})`,
      key: 'consumed',
      align: 'right',
      render: (_value, row) => tonnes(row, (figures) => figures.consumed_reo_kg),
    },
    {
      title: `${t('dashboard.remaining')} (${t('dashboard.tonnes')})`,
      key: 'remaining',
      align: 'right',
      render: (_value, row) => tonnes(row, (figures) => figures.remaining_reo_kg),
    },
    {
      title: t('dashboard.utilisation'),
      key: 'utilisation',
      sorter: (a, b) => byUtilisation(figuresIn(a, category), figuresIn(b, category)),
      render: (_value, row) => <UtilisationCell figures={figuresIn(row, category)} elapsedPpm={elapsedPpm} />,
    },
  ];
}

interface AreasTableProps {
  readonly view: DashboardView;
  readonly category: string | null;
  readonly onOpen: (code: string) => void;
}

/** The provinces (or children of the division looked into); a name opens the area one level down. */
export function AreasTable({ view, category, onOpen }: AreasTableProps) {
  const t = useTranslate();
  const columns: ColumnsType<DashboardArea> = [
    {
      title: t('dashboard.areas.name'),
      dataIndex: 'name',
      render: (name: string, area) =>
        area.direct ? (
          `${name} ${t('dashboard.areas.direct')}`
        ) : (
          <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onOpen(area.code)}>
            {name}
          </Button>
        ),
    },
    { title: t('dashboard.areas.enterprises'), dataIndex: 'enterprise_count', align: 'right' },
    ...figureColumns<DashboardArea>(t, category, view.elapsed_ppm),
  ];
  return (
    <Table<DashboardArea>
      data-testid="dashboard-areas"
      rowKey="code"
      size="small"
      dataSource={view.areas}
      columns={columns}
      pagination={false}
    />
  );
}

/** Every enterprise of the view, sortable by utilisation (most used first). */
export function EnterprisesTable({
  view,
  category,
}: {
  readonly view: DashboardView;
  readonly category: string | null;
}) {
  const t = useTranslate();
  const rows = category === null ? view.enterprises : view.enterprises.filter((row) => figuresIn(row, category));
  const columns: ColumnsType<DashboardEnterprise> = [
    {
      title: t('dashboard.enterprises.name'),
      dataIndex: 'name',
      render: (name: string, row) => <Link to={`/enterprises/${row.id}`}>{name}</Link>,
    },
    { title: t('dashboard.enterprises.domicile'), dataIndex: 'domicile_name' },
    {
      title: t('dashboard.enterprises.kind'),
      dataIndex: 'kind',
      render: (kind: string) => labelOf(t, 'enterpriseKind', kind),
    },
    {
      title: t('dashboard.enterprises.categories'),
      key: 'categories',
      render: (_value, row) =>
        row.categories.map((line) => (
          <Tag key={line.category} {...(line.over_balance ? { color: 'red' } : {})}>
            {labelOf(t, 'category', line.category)}
          </Tag>
        )),
    },
    ...figureColumns<DashboardEnterprise>(t, category, view.elapsed_ppm).map((column) =>
      column.key === 'utilisation' ? { ...column, defaultSortOrder: 'descend' as const } : column,
    ),
    {
      title: t('dashboard.enterprises.quota'),
      key: 'quota',
      render: (_value, row) => <Link to={`/enterprises/${row.id}/quota`}>{t('dashboard.enterprises.quota')}</Link>,
    },
  ];
  return (
    <Table<DashboardEnterprise>
      data-testid="dashboard-enterprises"
      rowKey="id"
      size="small"
      dataSource={rows}
      columns={columns}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 'max-content' }}
    />
  );
}

/** Open anomalies of the year in the view, by rule, with the way to the anomaly list. */
export function AnomalyCounts({ anomalies }: { readonly anomalies: DashboardView['anomalies'] }) {
  const t = useTranslate();
  if (anomalies.open === 0) return <Empty description={t('dashboard.anomalies.none')} />;
  return (
    <Table<DashboardView['anomalies']['by_rule'][number]>
      data-testid="dashboard-anomalies"
      rowKey="rule"
      size="small"
      showHeader={false}
      pagination={false}
      dataSource={anomalies.by_rule}
      footer={() => <Link to="/anomalies">{t('dashboard.anomalies.all')}</Link>}
      columns={[
        {
          key: 'rule',
          dataIndex: 'rule',
          render: (rule: string) => <Link to="/anomalies">{labelOf(t, 'anomalyRule', rule)}</Link>,
        },
        { key: 'count', dataIndex: 'count', align: 'right', render: (count: number) => <Tag color="red">{count}</Tag> },
      ]}
    />
  );
}

/** The reports of the latest ended month still not in after their deadline. */
export function OverdueList({ overdue }: { readonly overdue: DashboardView['overdue'] }) {
  const t = useTranslate();
  const language = useLanguage();
  if (overdue.period === null) return <Empty description={t('dashboard.overdue.noPeriod')} />;
  if (overdue.reports.length === 0) return <Empty description={t('dashboard.overdue.none')} />;
  return (
    <Table<OverdueReport>
      data-testid="dashboard-overdue"
      rowKey={(row) => `${row.kind}:${row.id ?? row.code}`}
      size="small"
      dataSource={overdue.reports}
      pagination={{ pageSize: 8, size: 'small', hideOnSinglePage: true }}
      footer={() => <Link to="/reporting/board">{t('dashboard.overdue.board')}</Link>}
      columns={[
        {
          title: t('dashboard.overdue.who'),
          dataIndex: 'name',
          render: (name: string, row) =>
            row.kind === 'enterprise' && row.id ? <Link to={`/enterprises/${row.id}`}>{name}</Link> : name,
        },
        {
          title: t('dashboard.overdue.level'),
          dataIndex: 'level',
          render: (level: string) => <Tag>{labelOf(t, 'dashboard.level', level)}</Tag>,
        },
        {
          title: t('dashboard.overdue.deadline'),
          dataIndex: 'deadline',
          render: (iso: string) => <span className="numeric">{formatDateTime(iso, language)}</span>,
        },
      ]}
    />
  );
}

/** Correction orders still open after their deadline (Art. 13 follow-up), the most overdue first. */
export function OverdueCorrections({ corrections }: { readonly corrections: DashboardView['overdue']['corrections'] }) {
  const t = useTranslate();
  if (corrections.count === 0) return <Empty description={t('dashboard.corrections.none')} />;
  return (
    <Table<OverdueCorrection>
      data-testid="dashboard-corrections"
      rowKey="id"
      size="small"
      dataSource={corrections.items}
      pagination={false}
      footer={() => (
        <Link to="/supervision/decisions?overdue=true">
          {t('dashboard.corrections.all', { count: corrections.count })}
        </Link>
      )}
      columns={[
        {
          title: t('dashboard.corrections.enterprise'),
          dataIndex: 'enterprise_name',
          render: (name: string, row) => <Link to={`/enterprises/${row.enterprise_id}`}>{name}</Link>,
        },
        {
          title: t('dashboard.corrections.document'),
          dataIndex: 'document_no',
          render: (no: string, row) => <Link to={`/supervision/decisions/${row.id}`}>{no}</Link>,
        },
        {
          title: t('dashboard.corrections.due'),
          dataIndex: 'correction_due_on',
          render: (date: string) => <span className="numeric">{date}</span>,
        },
      ]}
    />
  );
}
