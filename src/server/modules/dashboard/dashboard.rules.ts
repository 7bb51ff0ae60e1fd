import type { CategoryFigures, DashboardFigures, ProductionPoint } from '../../../contracts/dashboard.ts';
import { NATION_CODE } from '../../../contracts/reporting.ts';
import { ledgerCategory, type ProductionRow } from '../flows/index.ts';
import type { QuotaLine } from '../ledger/ledger.rules.ts';

/**
 * The pure arithmetic of the dashboards: quota lines summed into figures (exact integer kg, so what the
 * provinces add up to is what the nation shows), enterprises placed in the areas of a view, production
 * resolved to the ledger's categories, and which month's reports are the latest due.
 */

export interface FigureSet {
  readonly total: DashboardFigures;
  readonly categories: CategoryFigures[];
}

const ratioPpm = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part * 1_000_000) / whole) : null;

/** The figures of some quota lines added together; allocation is net of reductions, as on a report. */
export function figuresOf(lines: readonly QuotaLine[]): DashboardFigures {
  let allocated = 0;
  let reduced = 0;
  let consumed = 0;
  let remaining = 0;
  let overBalance = false;
  for (const line of lines) {
    allocated += line.allocated_reo_kg - line.reduced_reo_kg;
    reduced += line.reduced_reo_kg;
    consumed += line.consumed_reo_kg;
    remaining += line.remaining_reo_kg;
    overBalance ||= line.over_balance;
  }
  return {
    allocated_reo_kg: allocated,
    reduced_reo_kg: reduced,
    consumed_reo_kg: consumed,
    remaining_reo_kg: remaining,
    utilisation_ppm: ratioPpm(consumed, allocated),
    over_balance: overBalance,
  };
}

/** Lines of one or many holders: the whole, and each category on its own (by category code). */
export function figureSetOf(lines: readonly QuotaLine[]): FigureSet {
  const byCategory = new Map<string, QuotaLine[]>();
  for (const line of lines) byCategory.set(line.category, [...(byCategory.get(line.category) ?? []), line]);
  return {
    total: figuresOf(lines),
    categories: [...byCategory.keys()]
      .sort()
      .map((category) => ({ category, ...figuresOf(byCategory.get(category) ?? []) })),
  };
}

export interface DivisionNode {
  readonly code: string;
  readonly name: string;
  readonly level: 'province' | 'prefecture' | 'county';
  readonly parent_code: string | null;
}

/**
 * The area of a view an enterprise counts in: the child of the view on the way up from its domicile (a
 * province for the nation), or the view itself for an enterprise domiciled directly in it. Every enterprise
 * lands in exactly one area, so the areas always add up to the view.
 */
export function areaOf(divisions: ReadonlyMap<string, DivisionNode>, viewCode: string, domicile: string): string {
  if (domicile === viewCode) return viewCode;
  const seen = new Set<string>();
  for (let node = divisions.get(domicile); node && !seen.has(node.code); node = divisions.get(node.parent_code ?? '')) {
    seen.add(node.code);
    if ((node.parent_code ?? NATION_CODE) === viewCode) return node.code;
  }
  if (viewCode === NATION_CODE) return `${domicile.slice(0, 2)}0000`;
  return viewCode;
}

/**
 * Monthly production in the ledger's categories: a separation split by feed (`separation|<feed category>`)
 * counts in that feed category when the enterprise holds an account in it that year, else in `separation` —
 * as the implementation reports resolve it.
 */
export function productionByMonth(
  rows: readonly ProductionRow[],
  heldCategories: (enterpriseId: string) => ReadonlySet<string>,
): ProductionPoint[] {
  const sums = new Map<string, number>();
  for (const row of rows) {
    const category = ledgerCategory(row.category, heldCategories(row.enterprise_id));
    const key = `${row.period.slice(0, 7)}|${category}`;
    sums.set(key, (sums.get(key) ?? 0) + row.reo_kg);
  }
  return [...sums.entries()]
    .map(([key, reoKg]) => {
      const [month = '', category = ''] = key.split('|');
      return { month, category, reo_kg: reoKg };
    })
    .sort((a, b) => a.month.localeCompare(b.month) || a.category.localeCompare(b.category));
}

/**
 * The month whose reports are the latest due on a date: the month before today's in the current year,
 * December for a past year, none for a year not yet reached or while January runs.
 */
export function latestEndedMonth(year: number, today: string): string | null {
  const thisYear = Number(today.slice(0, 4));
  if (year < thisYear) return `${year}-12`;
  if (year > thisYear) return null;
  const month = Number(today.slice(5, 7));
  return month > 1 ? `${year}-${String(month - 1).padStart(2, '0')}` : null;
}
