import { useMemo } from 'react';
import { Empty } from 'antd';
import { EChart, type ChartOption } from '../../shared/echart.tsx';
import { formatTonnes } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { colours, fontFamily } from '../../shared/theme.ts';
import type { Division, Enterprise } from '../../shared/types.ts';

interface ProvinceCapacity {
  readonly provinceCode: string;
  miningKg: number;
  separationKg: number;
}

/** Capacity summed per province: a domicile's first two digits are its province (GB/T 2260). */
function capacityByProvince(enterprises: readonly Enterprise[]): ProvinceCapacity[] {
  const byProvince = new Map<string, ProvinceCapacity>();
  for (const enterprise of enterprises) {
    const provinceCode = `${enterprise.domicile_code.slice(0, 2)}0000`;
    const entry = byProvince.get(provinceCode) ?? { provinceCode, miningKg: 0, separationKg: 0 };
    entry.miningKg += enterprise.mining_capacity_reo_kg_per_year;
    entry.separationKg += enterprise.separation_capacity_reo_kg_per_year;
    byProvince.set(provinceCode, entry);
  }
  return [...byProvince.values()].sort((a, b) => b.miningKg + b.separationKg - (a.miningKg + a.separationKg));
}

interface TooltipParam {
  readonly seriesName?: string;
  readonly name?: string;
  readonly marker?: string;
  readonly dataIndex: number;
  readonly seriesIndex?: number;
}

export function CapacityChart({
  enterprises,
  provinces,
}: {
  enterprises: readonly Enterprise[];
  provinces: readonly Division[];
}) {
  const t = useTranslate();
  const rows = useMemo(() => capacityByProvince(enterprises), [enterprises]);

  const option = useMemo<ChartOption>(() => {
    const names = new Map(provinces.map((province) => [province.code, province.name]));
    const miningName = t('home.chart.mining');
    const separationName = t('home.chart.separation');
    const unit = t('unit.tonnesReoPerYear');
    // The chart draws tonnes as numbers; the tooltip shows the exact kg-derived text.
    const tooltipLine = (param: TooltipParam) => {
      const row = rows[param.dataIndex];
      if (!row) return '';
      const kg = param.seriesIndex === 0 ? row.miningKg : row.separationKg;
      return `${param.marker ?? ''}${param.seriesName ?? ''}: ${formatTonnes(kg)} ${unit}`;
    };
    return {
      color: [colours.primary, colours.accent],
      // Short, so a language switch redraws promptly.
      animationDuration: 400,
      // The canvas does not inherit CSS fonts: name the app's, CJK faces included.
      textStyle: { fontFamily },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (params: unknown) => {
          const list = (Array.isArray(params) ? params : [params]) as TooltipParam[];
          return [list[0]?.name ?? '', ...list.map(tooltipLine)].join('<br/>');
        },
      },
      legend: { data: [miningName, separationName], top: 0 },
      grid: { left: 16, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        data: rows.map((row) => names.get(row.provinceCode) ?? row.provinceCode),
        axisLabel: { interval: 0 },
      },
      yAxis: { type: 'value', name: unit, axisLabel: { formatter: (value: number) => value.toLocaleString() } },
      series: [
        { name: miningName, type: 'bar', data: rows.map((row) => row.miningKg / 1000), barMaxWidth: 32 },
        { name: separationName, type: 'bar', data: rows.map((row) => row.separationKg / 1000), barMaxWidth: 32 },
      ],
    };
  }, [rows, provinces, t]);

  if (rows.length === 0) return <Empty />;
  return <EChart option={option} label={t('home.chart.title')} />;
}
