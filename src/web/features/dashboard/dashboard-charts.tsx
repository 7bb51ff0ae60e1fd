import { useMemo } from 'react';
import { Empty } from 'antd';
import { MarkLineComponent } from 'echarts/components';
import { use as registerChartParts } from 'echarts/core';
import { EChart, type ChartOption } from '../../shared/echart.tsx';
import { formatTonnes } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { colours, fontFamily } from '../../shared/theme.ts';
import { labelOf } from '../indicators/indicator-labels.tsx';
import {
  percentOf,
  type CategoryFigures,
  type IndicatorHistory,
  type IndicatorHistoryYear,
  type ProductionPoint,
} from './dashboard-types.ts';

// The elapsed-year line is a mark line: registered here, beside the parts the shared chart registers.
registerChartParts([MarkLineComponent]);

const categoryColours: Record<string, string> = {
  mining_rock: '#1d4ed8',
  mining_ion_adsorption: '#f59e0b',
  separation: '#0f766e',
  separation_domestic: '#14b8a6',
  separation_imported: '#7c3aed',
  separation_monazite: '#db2777',
};
const colourOf = (category: string) => categoryColours[category] ?? '#8c8c8c';

/** Each category's utilisation as a bar, with the share of the year gone as a line across them. */
export function UtilisationChart({
  categories,
  elapsedPpm,
}: {
  readonly categories: readonly CategoryFigures[];
  readonly elapsedPpm: number;
}) {
  const t = useTranslate();
  const option = useMemo<ChartOption>(() => {
    const elapsed = percentOf(elapsedPpm) ?? 0;
    return {
      textStyle: { fontFamily },
      tooltip: { trigger: 'axis', valueFormatter: (value) => (value === null ? '—' : `${String(value)}%`) },
      grid: { left: 8, right: 48, bottom: 8, top: 28, containLabel: true },
      xAxis: {
        type: 'value',
        axisLabel: { formatter: '{value}%' },
        max: (extent) => Math.max(100, Math.ceil(extent.max / 10) * 10),
      },
      yAxis: { type: 'category', data: categories.map((line) => labelOf(t, 'category', line.category)) },
      series: [
        {
          name: t('dashboard.utilisation'),
          type: 'bar',
          barMaxWidth: 28,
          data: categories.map((line) => ({
            value: percentOf(line.utilisation_ppm) ?? 0,
            itemStyle: { color: line.over_balance ? '#cf1322' : colourOf(line.category) },
          })),
          label: { show: true, position: 'right', formatter: '{c}%' },
          markLine: {
            symbol: 'none',
            lineStyle: { color: '#595959', type: 'dashed', width: 2 },
            label: { formatter: `${t('dashboard.elapsed')} ${elapsed}%`, position: 'end' },
            data: [{ xAxis: elapsed }],
          },
        },
      ],
    };
  }, [categories, elapsedPpm, t]);
  if (categories.length === 0) return <Empty description={t('dashboard.noAllocation')} />;
  return (
    <EChart
      option={option}
      height={Math.max(180, 70 + categories.length * 56)}
      label={t('dashboard.utilisation.label')}
    />
  );
}

/** Production month by month, each category a stack of the month's bar (tonnes REO, exact kg in the tooltip). */
export function TrendChart({
  production,
  year,
}: {
  readonly production: readonly ProductionPoint[];
  readonly year: number;
}) {
  const t = useTranslate();
  const option = useMemo<ChartOption>(() => {
    const months = Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}`);
    const categories = [...new Set(production.map((point) => point.category))].sort();
    const kgOf = (month: string, category: string) =>
      production.find((point) => point.month === month && point.category === category)?.reo_kg ?? 0;
    return {
      textStyle: { fontFamily },
      legend: { top: 0 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (value) => `${formatTonnes(Math.round(Number(value) * 1000))} ${t('dashboard.tonnes')}`,
      },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: 'category', data: months.map((month) => month.slice(5)) },
      yAxis: { type: 'value', name: t('dashboard.trend.unit') },
      series: categories.map((category) => ({
        name: labelOf(t, 'category', category),
        type: 'bar',
        stack: 'production',
        itemStyle: { color: colourOf(category) },
        data: months.map((month) => kgOf(month, category) / 1000),
      })),
    };
  }, [production, year, t]);
  if (production.length === 0) return <Empty />;
  return <EChart option={option} height={320} label={t('dashboard.trend.label')} />;
}

/**
 * The published national indicators by year: mining as a stack of rock-type and ion-adsorption where the split
 * was published (the total alone where it was not), separation beside it. Tonnes as published.
 */
export function HistoryChart({ history }: { readonly history: IndicatorHistory }) {
  const t = useTranslate();
  const option = useMemo<ChartOption>(() => {
    const years = history.years;
    const split = (year: IndicatorHistoryYear) => year.mining_rock_t !== null && year.mining_ion_t !== null;
    const orDash = (value: number | null) => value ?? '-';
    return {
      textStyle: { fontFamily },
      legend: { top: 0 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (value) =>
          typeof value === 'number' ? `${formatTonnes(value * 1000)} ${t('dashboard.tonnes')}` : '—',
      },
      grid: { left: 8, right: 16, bottom: 8, top: 56, containLabel: true },
      xAxis: { type: 'category', data: years.map((year) => String(year.year)) },
      yAxis: { type: 'value', name: t('dashboard.trend.unit') },
      series: [
        {
          name: t('dashboard.history.rock'),
          type: 'bar',
          stack: 'mining',
          itemStyle: { color: colours.primary },
          data: years.map((year) => (split(year) ? orDash(year.mining_rock_t) : '-')),
        },
        {
          name: t('dashboard.history.ion'),
          type: 'bar',
          stack: 'mining',
          itemStyle: { color: colours.accent },
          data: years.map((year) => (split(year) ? orDash(year.mining_ion_t) : '-')),
        },
        {
          name: t('dashboard.history.miningUnsplit'),
          type: 'bar',
          stack: 'mining',
          itemStyle: { color: '#6b8fe8' },
          data: years.map((year) => (split(year) ? '-' : orDash(year.mining_total_t))),
        },
        {
          name: t('dashboard.history.separation'),
          type: 'bar',
          itemStyle: { color: '#0f766e' },
          data: years.map((year) => orDash(year.separation_total_t)),
        },
      ],
    };
  }, [history, t]);
  return <EChart option={option} height={340} label={t('dashboard.history.label')} />;
}
