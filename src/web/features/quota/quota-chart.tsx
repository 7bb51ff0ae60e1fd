import { useMemo } from 'react';
import { EChart, type ChartOption } from '../../shared/echart.tsx';
import { useTranslate } from '../../shared/i18n.ts';
import { colours } from '../../shared/theme.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import type { Quota } from '../indicators/indicator-types.ts';

const percent = (ppm: number) => Number((ppm / 10_000).toFixed(1));

/** Utilisation of each category beside the share of the year gone: a bar well past the line is a warning. */
export function QuotaChart({ quota }: { readonly quota: Quota }) {
  const t = useTranslate();
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (value) => `${String(value)}%` },
      legend: { top: 0 },
      grid: { left: 8, right: 24, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: quota.lines.map((line) => labelOf(t, 'category', line.category)) },
      series: [
        {
          name: t('quota.utilisation'),
          type: 'bar',
          itemStyle: { color: colours.primary },
          data: quota.lines.map((line) => ({
            value: percent(line.utilisation_ppm ?? 0),
            itemStyle: line.over_balance ? { color: '#cf1322' } : {},
          })),
        },
        {
          name: t('quota.elapsed'),
          type: 'bar',
          itemStyle: { color: '#bfbfbf' },
          data: quota.lines.map(() => percent(quota.elapsed_ppm)),
        },
      ],
    }),
    [quota, t],
  );
  return <EChart option={option} height={Math.max(200, 80 + quota.lines.length * 70)} label={t('quota.chart')} />;
}
