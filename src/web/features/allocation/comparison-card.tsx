import { useMemo } from 'react';
import { Card, Table, Typography } from 'antd';
import { EChart, type ChartOption } from '../../shared/echart.tsx';
import { formatTonnes } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { colours } from '../../shared/theme.ts';
import type { Comparison } from '../indicators/indicator-types.ts';

type ComparisonRow = Comparison['rows'][number];

/** Scenario A against B holder by holder: a table with the difference and a bar chart. */
export function ComparisonCard({ comparison }: { readonly comparison: Comparison }) {
  const t = useTranslate();
  const option = useMemo<ChartOption>(() => {
    const names = comparison.rows.map((row) => row.name ?? row.id);
    const tonnes = (kg: number) => kg / 1000;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0 } },
      yAxis: { type: 'value', name: t('unit.tonnes') },
      series: [
        {
          name: t('whatIf.scenario', { name: 'A' }),
          type: 'bar',
          itemStyle: { color: colours.primary },
          data: comparison.rows.map((row) => tonnes(row.a_reo_kg)),
        },
        {
          name: t('whatIf.scenario', { name: 'B' }),
          type: 'bar',
          itemStyle: { color: colours.accent },
          data: comparison.rows.map((row) => tonnes(row.b_reo_kg)),
        },
      ],
    };
  }, [comparison, t]);

  return (
    <Card title={t('whatIf.compare')} data-testid="comparison" style={{ marginTop: 16 }}>
      <Table<ComparisonRow>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={comparison.rows}
        style={{ marginBottom: 16 }}
        columns={[
          {
            title: t('allocation.holder'),
            dataIndex: 'name',
            render: (name: string | undefined, row) => name ?? row.id,
          },
          {
            title: `${t('whatIf.scenario', { name: 'A' })}（${t('unit.tonnes')}）`,
            dataIndex: 'a_reo_kg',
            align: 'right',
            render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
          },
          {
            title: `${t('whatIf.scenario', { name: 'B' })}（${t('unit.tonnes')}）`,
            dataIndex: 'b_reo_kg',
            align: 'right',
            render: (kg: number) => <span className="numeric">{formatTonnes(kg)}</span>,
          },
          {
            title: t('whatIf.difference'),
            dataIndex: 'difference_reo_kg',
            align: 'right',
            render: (kg: number) => (
              <Typography.Text type={kg > 0 ? 'success' : kg < 0 ? 'danger' : 'secondary'} className="numeric">
                {kg > 0 ? '+' : kg < 0 ? '−' : ''}
                {formatTonnes(Math.abs(kg))}
              </Typography.Text>
            ),
          },
        ]}
      />
      <EChart option={option} height={340} label={t('whatIf.chart')} />
    </Card>
  );
}
