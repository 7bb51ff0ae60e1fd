import { useEffect, useMemo, useRef } from 'react';
import { MapChart, type MapSeriesOption } from 'echarts/charts';
import {
  TooltipComponent,
  VisualMapComponent,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { init, registerMap, use as registerChartParts, type ComposeOption, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { formatTonnes } from '../../shared/format.ts';
import { useTranslate } from '../../shared/i18n.ts';
import { fontFamily } from '../../shared/theme.ts';
import { formatPercent, percentOf, type DashboardFigures, type GeoFeatureCollection } from './dashboard-types.ts';

registerChartParts([MapChart, TooltipComponent, VisualMapComponent, CanvasRenderer]);

type MapOption = ComposeOption<MapSeriesOption | TooltipComponentOption | VisualMapComponentOption>;

/** The property each region is keyed by: the 2-digit province code where the map gives one, else its name. */
const KEY = 'monazite_key';
/** Not `china`: ECharts adds its own South China Sea inset to a map of that name, and this map has one. */
const MAP_NAME = 'monazite-provinces';

export interface ProvinceFigures {
  /** The 2-digit province code. */
  readonly key: string;
  readonly name: string;
  readonly figures: DashboardFigures;
}

/** The features keyed for the map: `properties.id` (or `adcode`) cut to the province's two digits. */
function keyed(map: GeoFeatureCollection): { geoJson: GeoFeatureCollection; names: Map<string, string> } {
  const names = new Map<string, string>();
  const features = map.features.map((feature) => {
    const raw = feature.properties.id ?? feature.properties.adcode;
    const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw).slice(0, 2) : '';
    const name = typeof feature.properties.name === 'string' ? feature.properties.name : '';
    const key = /^\d{2}$/.test(code) ? code : name;
    names.set(key, name);
    return { ...feature, properties: { ...feature.properties, [KEY]: key } };
  });
  return { geoJson: { ...map, features }, names };
}

interface ChinaMapProps {
  readonly map: GeoFeatureCollection;
  readonly provinces: readonly ProvinceFigures[];
  /** The province shown as selected (its 2-digit code). */
  readonly selected: string | null;
  readonly onSelect: (key: string) => void;
  readonly height?: number;
}

/** A choropleth of China by utilisation; a click on a province with figures drills into it. */
export function ChinaMap({ map, provinces, selected, onSelect, height = 460 }: ChinaMapProps) {
  const t = useTranslate();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const select = useRef(onSelect);
  const { geoJson, names } = useMemo(() => keyed(map), [map]);
  const byKey = useMemo(() => new Map(provinces.map((item) => [item.key, item])), [provinces]);

  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      if (typeof params.name === 'string' && /^\d{2}$/.test(params.name)) select.current(params.name);
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  const option = useMemo<MapOption>(() => {
    const tonnes = (kg: number) => `${formatTonnes(kg)} ${t('dashboard.tonnes')}`;
    return {
      textStyle: { fontFamily },
      tooltip: {
        trigger: 'item',
        className: 'china-map-tooltip',
        formatter: (params: unknown) => {
          const key = (params as { name?: string }).name ?? '';
          const item = byKey.get(key);
          const title = item?.name ?? names.get(key) ?? key;
          if (!item) return `${title}<br/>${t('dashboard.map.noData')}`;
          return [
            `<b>${title}</b>`,
            `${t('dashboard.allocated')}: ${tonnes(item.figures.allocated_reo_kg)}`,
            `${t('dashboard.consumed')}: ${tonnes(item.figures.consumed_reo_kg)}`,
            `${t('dashboard.utilisation')}: ${formatPercent(item.figures.utilisation_ppm)}`,
          ].join('<br/>');
        },
      },
      visualMap: {
        type: 'piecewise',
        left: 8,
        bottom: 8,
        pieces: [
          { min: 100, label: '≥ 100%', color: '#cf1322' },
          { min: 75, max: 100, label: '75–100%', color: '#1d4ed8' },
          { min: 50, max: 75, label: '50–75%', color: '#4f7be8' },
          { min: 25, max: 50, label: '25–50%', color: '#93b0f2' },
          { min: 0, max: 25, label: '0–25%', color: '#d6e2fb' },
        ],
        outOfRange: { color: '#f0f0f0' },
      },
      series: [
        {
          type: 'map',
          map: MAP_NAME,
          nameProperty: KEY,
          roam: false,
          selectedMode: 'single',
          label: { show: false },
          itemStyle: { areaColor: '#f5f5f5', borderColor: '#8c8c8c', borderWidth: 0.6 },
          emphasis: { label: { show: false }, itemStyle: { areaColor: '#f59e0b' } },
          select: { label: { show: false }, itemStyle: { areaColor: '#f59e0b', borderColor: '#000' } },
          data: provinces.map((item) => ({
            name: item.key,
            // No allocation: no colour band (a province that only produced shows grey, and says so in its tooltip).
            value: percentOf(item.figures.utilisation_ppm) ?? Number.NaN,
            selected: item.key === selected,
          })),
        },
      ],
    };
  }, [provinces, byKey, names, selected, t]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    registerMap(MAP_NAME, geoJson as unknown as Parameters<typeof registerMap>[1]);
    instance.setOption(option, { notMerge: true });
  }, [geoJson, option]);

  return (
    <div
      ref={container}
      role="img"
      aria-label={t('dashboard.map.label')}
      data-testid="china-map"
      style={{ width: '100%', height }}
    />
  );
}
