import { z } from 'zod';
import { divisionCode, uuid } from './common.ts';
import { enterpriseKind } from './registry.ts';
import { anomalyRules } from './flows.ts';
import { reportLevels } from './reporting.ts';

/**
 * The national and jurisdiction dashboards (Art. 9 reporting): how far each province (or each child of a
 * division), each enterprise and the whole have used their indicators against the year gone by, production
 * month by month, open anomalies and overdue reports; and the published history of the national indicators.
 * Every quantity is whole kg of REO, except the published history, which is in tonnes as published.
 */

export const dashboardQuery = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100),
  /** A division to look into (at or under your own); the nation (or your own division) when left out. */
  division_code: divisionCode.optional(),
});
export type DashboardQuery = z.infer<typeof dashboardQuery>;

/** The ledger figures of one holder or group of holders in one category, or summed over categories. */
export const dashboardFigures = z.object({
  /** Allocated for the year, net of Art. 14 reductions. */
  allocated_reo_kg: z.number().int(),
  /** The Art. 14 reductions already taken off `allocated_reo_kg`. */
  reduced_reo_kg: z.number().int(),
  /** Production posted against the quota, net of reversals. */
  consumed_reo_kg: z.number().int(),
  /** allocated − consumed; negative when the indicator is exceeded. */
  remaining_reo_kg: z.number().int(),
  /** consumed / allocated in ppm (null when nothing is allocated). */
  utilisation_ppm: z.number().int().nullable(),
  /** Some account counted here has been overdrawn by production. */
  over_balance: z.boolean(),
});
export type DashboardFigures = z.infer<typeof dashboardFigures>;

export const categoryFigures = dashboardFigures.extend({ category: z.string() });
export type CategoryFigures = z.infer<typeof categoryFigures>;

const figureSet = {
  /** Summed over the categories. */
  total: dashboardFigures,
  /** One entry per category with an account, by category code. */
  categories: z.array(categoryFigures),
};

/** The levels of the division tree a dashboard looks at. */
export const dashboardLevels = ['county', 'prefecture', 'province', 'nation'] as const;

/** A province (national view) or a child division of the division looked into. */
export const dashboardArea = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(dashboardLevels),
  /** True when this is the division looked into itself: enterprises domiciled directly in it. */
  direct: z.boolean(),
  enterprise_count: z.number().int(),
  ...figureSet,
});
export type DashboardArea = z.infer<typeof dashboardArea>;

export const dashboardEnterprise = z.object({
  id: uuid,
  name: z.string(),
  kind: enterpriseKind,
  domicile_code: z.string(),
  domicile_name: z.string(),
  /** The area (row of `areas`) it is counted in. */
  area_code: z.string(),
  ...figureSet,
});
export type DashboardEnterprise = z.infer<typeof dashboardEnterprise>;

export const productionPoint = z.object({
  /** `YYYY-MM`. */
  month: z.string(),
  /** The ledger category the production counts against (`separation` when the feed category is not held). */
  category: z.string(),
  reo_kg: z.number().int(),
});
export type ProductionPoint = z.infer<typeof productionPoint>;

export const overdueReport = z.object({
  kind: z.enum(['enterprise', 'division']),
  /** Division code (of the enterprise's domicile, for an enterprise). */
  code: z.string(),
  /** Enterprise id, for an enterprise. */
  id: z.string().nullable(),
  name: z.string(),
  level: z.enum(reportLevels),
  deadline: z.string(),
});
export type OverdueReport = z.infer<typeof overdueReport>;

/** A correction order still open after its deadline (Art. 13 follow-up), on the officials' board. */
export const overdueCorrection = z.object({
  id: z.string(),
  document_no: z.string(),
  enterprise_id: z.string(),
  enterprise_name: z.string(),
  /** The deciding division (000000 for a ministry). */
  division_code: z.string(),
  correction_due_on: z.string(),
});
export type OverdueCorrection = z.infer<typeof overdueCorrection>;

export const dashboardView = z.object({
  year: z.number().int(),
  /** Today in Beijing, by the server's clock. */
  today: z.string(),
  /** How much of the year has passed, in ppm. */
  elapsed_ppm: z.number().int(),
  view: z.object({
    code: z.string(),
    name: z.string(),
    level: z.enum(dashboardLevels),
    /** From the top you may see down to this division (each step you may open). */
    path: z.array(z.object({ code: z.string(), name: z.string() })),
  }),
  totals: z.object(figureSet),
  areas: z.array(dashboardArea),
  enterprises: z.array(dashboardEnterprise),
  production: z.array(productionPoint),
  anomalies: z.object({
    open: z.number().int(),
    by_rule: z.array(z.object({ rule: z.enum(anomalyRules), count: z.number().int() })),
  }),
  overdue: z.object({
    /** The latest month of the year that has ended (`YYYY-MM`), or null when none has. */
    period: z.string().nullable(),
    reports: z.array(overdueReport),
    /** Overdue correction orders in the view (empty without supervision.read): the count and the most overdue. */
    corrections: z.object({ count: z.number().int(), items: z.array(overdueCorrection) }),
  }),
});
export type DashboardView = z.infer<typeof dashboardView>;

/** One year of the published national indicators, tonnes of REO; null where nothing was published. */
export const indicatorHistoryYear = z.object({
  year: z.number().int(),
  mining_total_t: z.number().int().nullable(),
  separation_total_t: z.number().int().nullable(),
  mining_rock_t: z.number().int().nullable(),
  mining_ion_t: z.number().int().nullable(),
  note: z.string().nullable(),
});
export type IndicatorHistoryYear = z.infer<typeof indicatorHistoryYear>;

export const indicatorHistory = z.object({
  unit: z.literal('t REO'),
  /** Where the figures come from, as the data file says. */
  source: z.array(z.string()),
  years: z.array(indicatorHistoryYear),
});
export type IndicatorHistory = z.infer<typeof indicatorHistory>;

/** The GeoJSON of the province map (a schematic, not an approved standard map). */
export const chinaMap = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      properties: z.record(z.string(), z.unknown()),
      geometry: z.unknown(),
    }),
  ),
});
