import { Progress, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslate, type Translate } from '../../shared/i18n.ts';
import { formatKg } from '../flows/flow-format.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import { ppmPercent } from './report-rules.ts';
import type { ReportLine, TotalLine } from './reporting-types.ts';

/** kg REO with separators; a negative remainder (indicator exceeded) in red. */
export function Kg({ value }: { readonly value: number | null }) {
  if (value === null) return <>—</>;
  return (
    <span className="numeric" style={value < 0 ? { color: '#cf1322' } : undefined}>
      {value < 0 ? `−${formatKg(-value)}` : formatKg(value)}
    </span>
  );
}

/** Cumulative production against the indicator, as a bar that turns red past 100%. */
export function Utilisation({ ppm }: { readonly ppm: number | null }) {
  if (ppm === null) return <Typography.Text type="secondary">—</Typography.Text>;
  const percent = ppmPercent(ppm);
  return (
    <Progress
      percent={Math.min(100, percent)}
      format={() => `${percent}%`}
      status={percent > 100 ? 'exception' : 'normal'}
      size="small"
      style={{ minWidth: 140, margin: 0 }}
    />
  );
}

type Line = TotalLine & { readonly explanation?: string | null };

/** The columns after production: the year so far against the indicator, then what the flows give. */
export function figureColumns<T extends TotalLine>(t: Translate): TableColumnsType<T> {
  return [
    {
      title: t('line.cumulative'),
      dataIndex: 'cumulative_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
    },
    {
      title: t('line.allocated'),
      dataIndex: 'allocated_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
    },
    {
      title: t('line.remaining'),
      dataIndex: 'remaining_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
    },
    {
      title: t('line.utilisation'),
      dataIndex: 'utilisation_ppm',
      render: (ppm: number | null) => <Utilisation ppm={ppm} />,
    },
    {
      title: t('line.flow'),
      dataIndex: 'flow_reo_kg',
      align: 'right',
      render: (value: number) => <Kg value={value} />,
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
  ];
}

export function categoryColumn<T extends TotalLine>(t: Translate): TableColumnsType<T>[number] {
  return {
    title: t('line.category'),
    dataIndex: 'category',
    render: (category: string) => labelOf(t, 'category', category),
  };
}

/** A report's or a compilation's lines, read only; production departing from the flows is marked. */
export function LinesTable({
  lines,
  testId,
}: {
  readonly lines: readonly (ReportLine | TotalLine)[];
  readonly testId?: string;
}) {
  const t = useTranslate();
  const withExplanation = lines.some((line) => 'explanation' in line);
  const columns: TableColumnsType<Line> = [
    categoryColumn<Line>(t),
    {
      title: t('line.production'),
      dataIndex: 'production_reo_kg',
      align: 'right',
      render: (value: number, line) => (
        <span style={line.production_reo_kg !== line.flow_reo_kg ? { fontWeight: 600, color: '#d46b08' } : undefined}>
          <Kg value={value} />
        </span>
      ),
    },
    // A departure from the flows is read next to its explanation.
    ...(withExplanation
      ? [
          {
            title: t('line.explanation'),
            dataIndex: 'explanation',
            render: (text: string | null | undefined) => text ?? '—',
          },
        ]
      : []),
    ...figureColumns<Line>(t),
  ];
  return (
    <Table<Line>
      rowKey="category"
      size="small"
      data-testid={testId}
      dataSource={lines}
      pagination={false}
      scroll={{ x: 'max-content' }}
      columns={columns}
      locale={{ emptyText: t('line.none') }}
    />
  );
}
