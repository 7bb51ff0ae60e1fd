/**
 * The shapes of the dashboard API, inferred from the shared zod contracts. Type-only imports: nothing of zod
 * reaches the browser bundle.
 */
export type {
  CategoryFigures,
  DashboardArea,
  DashboardEnterprise,
  DashboardFigures,
  DashboardView,
  IndicatorHistory,
  IndicatorHistoryYear,
  OverdueCorrection,
  OverdueReport,
  ProductionPoint,
} from '../../../contracts/dashboard.ts';

/** A GeoJSON feature collection as the map route serves it (only what the map reads is typed). */
export interface GeoFeatureCollection {
  readonly type: 'FeatureCollection';
  readonly features: readonly {
    readonly type: 'Feature';
    readonly properties: Readonly<Record<string, unknown>>;
    readonly geometry: unknown;
  }[];
}

/** Utilisation in ppm as a percent with one decimal (for charts), or null when nothing is allocated. */
export const percentOf = (ppm: number | null): number | null => (ppm === null ? null : Math.round(ppm / 1000) / 10);

/** A ppm share as "12.3%" (or "—" when there is nothing to divide by). */
export function formatPercent(ppm: number | null): string {
  const percent = percentOf(ppm);
  return percent === null ? '—' : `${percent.toFixed(1)}%`;
}
